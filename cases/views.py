from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render

from workflow.audit import history
from workflow.pagination import keyset_page

from .models import Case


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list(request):
    cases = Case.objects.visible_to(request.user).select_related("department", "jurisdiction")
    page = keyset_page(cases, key="opened_on", after=request.GET.get("after"),
                       before=request.GET.get("before"))
    return render(request, "cases/case_list.html", {"page": page, "query": request.GET.copy()})


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request, pk):
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "department", "jurisdiction", "rule_profile__rule_set", "created_by"), pk=pk)
    return render(request, "cases/case_detail.html", {
        "case": case, "clues": case.clues.select_related("channel"),
        "participants": case.participants.all(), "history": history(case)[:200],
    })
