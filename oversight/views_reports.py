"""报表: the reports page and the annual work report (年度生态环境损害赔偿工作情况, SX 第四十条).

The page lists the annual report (year and jurisdiction picker; the draft as a web page, PDF
and Excel) beside the half-year system aggregation (CQ 二, screening/views_reports.py), the
case-handling ledger (NAT 二, oversight/views_ledger.py) and the major-case ledger (SX 第十二条, cases/views_ledger.py), each with its
own picker. Thin: the report's content comes from oversight/annual.py, its PDF from the
documents service (oversight/annual_render.py), its Excel from the shared writer
(oversight/annual_export.py) and its final version from oversight/annual_final.py."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Jurisdiction
from workflow.forms import StyledForm
from workflow.transitions import TransitionError

from . import annual, annual_export, annual_final, periods
from .annual_render import pdf_bytes, report_charts
from .models import AnnualReportFinal, AnnualReportText

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR = 2015  # 生态环境损害赔偿制度改革试点以来


class AnnualForm(StyledForm, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, error_messages={
        "required": "请选择年度。", "invalid_choice": "请选择列出的年度。"})
    jurisdiction = forms.ModelChoiceField(
        label="行政区", queryset=Jurisdiction.objects.none(), required=False,
        empty_label="本级（含下级）",
        error_messages={"invalid_choice": "所选行政区不在您的数据范围内。"})

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].choices = [(y, f"{y}年") for y in
                                       range(today.year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = today.year
        self.fields["jurisdiction"].queryset = annual.jurisdictions_for(user)

    def chosen_jurisdiction(self) -> Jurisdiction:
        return self.cleaned_data.get("jurisdiction") or self.user.department.jurisdiction


class SubmitForm(StyledForm, forms.Form):
    summary = forms.CharField(label="提交说明", max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "请填写提交说明。"})


class TextForm(StyledForm, forms.ModelForm):
    class Meta:
        model = AnnualReportText
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}


def _require_generator(user) -> None:
    if not annual.may_generate(user):
        raise PermissionDenied("年度工作情况报告由牵头部门协调员或部门负责人生成。")


def _report_from(request):
    """The form and the report of the request's year and jurisdiction (None if invalid)."""
    today = timezone.localdate()
    data = request.GET if "year" in request.GET else {"year": today.year}
    form = AnnualForm(data, user=request.user, today=today)
    if not form.is_valid():
        return form, None
    sel = annual.selection(request.user, form.chosen_jurisdiction(), form.cleaned_data["year"],
                           today)
    return form, annual.build(sel)


@login_required
@require_GET
def reports(request):
    """报表: the annual report and the other periodic exports the user may produce."""
    today = timezone.localdate()
    may_annual = annual.may_generate(request.user)
    context = {
        "may_annual": may_annual,
        "annual_duty": annual.annual_report_due(request.user.department, today)
        if may_annual else None,
        "annual_form": AnnualForm(None, user=request.user, today=today) if may_annual else None,
        "may_half_year": request.user.has_perm("screening.export_jurisdiction_report")
        and getattr(request.user.department, "is_lead", False),
        "half_year": today.year, "half": 1 if today.month <= 6 else 2,
        "years": list(range(today.year, FIRST_YEAR - 1, -1)),
        "may_ledger": request.user.has_perm("cases.view_case"),
        "ledger_periods": periods.choices(today), "ledger_period": str(today.year),
        "finals": AnnualReportFinal.objects.visible_to(request.user)
        .select_related("jurisdiction__parent", "created_by")
        .order_by("-year", "jurisdiction__path", "-version")[:50],
        "may_report_up": annual.may_write_text(request.user),
    }
    if may_annual:
        # the versions reported by the jurisdictions below (SX 第四十条: 报送省生态环境厅)
        years = context["years"]
        year = request.GET.get("reported_year", "")
        year = int(year) if year.isdigit() and int(year) in years else today.year
        reported = annual_final.reported_below(request.user, year, today)
        if reported is not None:
            rows, total, live_total = reported
            context.update(reported_year=year, reported_rows=rows,
                           reported_total=annual_final.cells(total),
                           reported_live=annual_final.cells(live_total),
                           reported_fields=annual_final.UNIT_FIELDS)
    return render(request, "oversight/reports.html", context)


@login_required
@require_GET
def annual_report(request):
    """The draft as a web page, with the coordinator's text form."""
    _require_generator(request.user)
    form, report = _report_from(request)
    context = {"form": form, "report": report, "may_write": annual.may_write_text(request.user),
               "query": request.GET.urlencode()}
    if report is not None:
        context.update(report_charts(report))
        context["text_form"] = TextForm(instance=report.text)
        context["submit_form"] = SubmitForm()
        context["finals"] = AnnualReportFinal.objects.visible_to(request.user).filter(
            jurisdiction=report.jurisdiction, year=report.year).order_by("-version")
    return render(request, "oversight/annual.html", context)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (f"attachment; filename=\"annual-report\"; "
                                       f"filename*=UTF-8''{quote(filename)}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def annual_pdf(request):
    """The draft PDF through the documents service (WeasyPrint, compacted fonts), charts
    included as inline SVG."""
    _require_generator(request.user)
    form, report = _report_from(request)
    if report is None:
        return render(request, "oversight/annual.html", {"form": form}, status=400)
    return _download(pdf_bytes(report, draft=True), f"{report.title}（草稿）.pdf", "application/pdf")


@login_required
@require_GET
def annual_xlsx(request):
    _require_generator(request.user)
    form, report = _report_from(request)
    if report is None:
        return render(request, "oversight/annual.html", {"form": form}, status=400)
    return _download(annual_export.workbook_bytes(report), f"{report.title}（草稿）.xlsx", XLSX)


@login_required
@require_http_methods(["POST"])
def annual_text(request):
    """The coordinator's 工作情况综述 for the report's jurisdiction and year."""
    if not annual.may_write_text(request.user):
        raise PermissionDenied("工作情况综述由牵头部门协调员填写。")
    today = timezone.localdate()
    form = AnnualForm(request.POST, user=request.user, today=today)
    if not form.is_valid():
        raise PermissionDenied("所选年度或行政区不在您的数据范围内。")
    jurisdiction, year = form.chosen_jurisdiction(), form.cleaned_data["year"]
    instance = AnnualReportText.objects.filter(jurisdiction=jurisdiction, year=year).first()
    text_form = TextForm(request.POST, instance=instance)
    if text_form.is_valid():
        record = text_form.save(commit=False)
        record.jurisdiction, record.year, record.updated_by = jurisdiction, year, request.user
        record.save()
        messages.success(request, "工作情况综述已保存。")
    else:
        messages.error(request, "工作情况综述未保存，请检查填写内容。")
    query = f"year={year}"
    if form.cleaned_data.get("jurisdiction"):
        query += f"&jurisdiction={jurisdiction.pk}"
    return redirect(f"{reverse('oversight:annual_report')}?{query}")


@login_required
@require_http_methods(["POST"])
def annual_submit(request):
    """The coordinator submits the report as it stands as the final version, for the
    部门负责人's approval (workflow.approvals); the files are archived as submitted."""
    if not annual.may_write_text(request.user):
        raise PermissionDenied("年度工作情况报告定稿由牵头部门协调员提交。")
    today = timezone.localdate()
    form = AnnualForm(request.POST, user=request.user, today=today)
    submit = SubmitForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied("所选年度或行政区不在您的数据范围内。")
    jurisdiction, year = form.chosen_jurisdiction(), form.cleaned_data["year"]
    if not submit.is_valid():
        messages.error(request, "请填写提交说明。")
    else:
        try:
            final = annual_final.submit_final(request.user, jurisdiction, year, today=today,
                                              summary=submit.cleaned_data["summary"])
        except annual_final.ApprovalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{final}已提交部门负责人审批。")
    query = f"year={year}"
    if form.cleaned_data.get("jurisdiction"):
        query += f"&jurisdiction={jurisdiction.pk}"
    return redirect(f"{reverse('oversight:annual_report')}?{query}")


@login_required
@require_http_methods(["POST"])
def annual_report_up(request, pk):
    """报送: the coordinator reports an approved final version to the jurisdiction above
    (SX 第四十条), a transition of the version (annual_final.report_up)."""
    final = get_object_or_404(AnnualReportFinal.objects.visible_to(request.user), pk=pk)
    try:
        annual_final.report_up(final, by=request.user,
                               expected_state=request.POST.get("seen_state") or None)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        parent = final.jurisdiction.parent
        messages.success(request, f"{final}已报送{parent.name}。")
    return redirect("oversight:reports")
