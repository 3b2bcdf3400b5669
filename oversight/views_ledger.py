"""案件办理台账 (NAT 二: 建立案件办理台账，实行跟踪管理) on the reports page: the cases handled in
a period — started by its end and not ended before its start — with stage, next deadline and
last stage change, and its Excel export. The period picker and the filters are the dashboard's
(oversight/forms.py), so are the scope (`Selection.cases()`: `Case.objects.visible_to`) and
the 终止 / 结案 days; the rows and the file come from cases/ledger.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import ledger
from cases.exports import CaseListTooLarge, xlsx_response
from workflow.pagination import keyset_page

from .forms import DashboardFilterForm

PERMISSION = "cases.view_case"


def _ledger_from(request):
    """(form, selection or None) of the request's period and filters."""
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET or None, user=request.user, today=today)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.selection()


def _cases(sel):
    return ledger.handling_cases(sel.cases(), sel.period.start, sel.period.end)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def case_ledger(request):
    form, sel = _ledger_from(request)
    context = {"form": form, "sel": sel, "query": request.GET.copy()}
    if sel is not None:
        cases = _cases(sel)
        context["figures"] = ledger.handling_figures(cases, sel.period.start, sel.period.end)
        context["page"] = keyset_page(cases, key="opened_on", after=request.GET.get("after"),
                                      before=request.GET.get("before"))
    return render(request, "oversight/case_ledger.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def case_ledger_xlsx(request):
    form, sel = _ledger_from(request)
    if sel is None:
        return render(request, "oversight/case_ledger.html", {"form": form}, status=400)
    title = (f"案件办理台账（{sel.period.label}，{sel.period.start:%Y年%m月%d日}至"
             f"{sel.period.end:%Y年%m月%d日}）")
    try:
        handle = ledger.handling_ledger_file(_cases(sel), title=title)
    except CaseListTooLarge as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('oversight:case_ledger')}?{request.GET.urlencode()}")
    return xlsx_response(handle, f"案件办理台账_{sel.period.start:%Y%m%d}-{sel.period.end:%Y%m%d}.xlsx")
