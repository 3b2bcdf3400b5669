from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role, has_role
from screening.forms import CaseOpeningForm
from screening.models import Clue
from screening.trivial import assess
from workflow import approvals
from workflow.approvals import requests_of
from workflow.attachments import attach
from workflow.http import transition_from_post, workable_or_refuse
from workflow.models import ApprovalRequest, ApprovalStep
from workflow.pagination import keyset_page
from workflow.sorting import Sorting
from workflow.transitions import TransitionError

from .badges import annotate as annotate_badges
from .classification import reclassify
from .exports import CaseListTooLarge, case_list_file, xlsx_response
from .forms import (
    CaseFilterForm,
    EvidenceForm,
    InitiationForm,
    InvestigationForm,
    JointHandlingForm,
    ObligorForm,
    ReasonForm,
)
from .models import Appraisal, Case, CaseObligor, Evidence, Investigation
from .next_steps import next_steps
from .parts import deadlines_of_case, parts_of
from .rows import case_rows
from .services import open_case_from_clue
from .stepper import stepper
from .timeline import Timeline, TimelineFilterForm
from .views_ledger import classification_panel


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list(request):
    filters = CaseFilterForm(request.GET or None, user=request.user)
    cases = filters.apply(Case.objects.visible_to(request.user)
                          .select_related("department").only(*CASE_LIST_FIELDS))
    sorting = Sorting(request, CASE_SORTS, default="-opened_on")
    page = keyset_page(cases, key=sorting.key, descending=sorting.descending,
                       after=request.GET.get("after"), before=request.GET.get("before"))
    annotate_badges(page)
    return render(request, "cases/case_list.html",
                  {"page": page, "rows": case_rows(page), "filters": filters, "sorting": sorting,
                   "query": request.GET.copy()})


# Sortable columns: non-null and indexed (case_keyset, the unique number), for keyset pages.
CASE_SORTS = {"number": "案件编号", "opened_on": "启动日期"}
# what the list's rows (rows.py) and its sort keys read; not the long texts
CASE_LIST_FIELDS = ("number", "cause", "opened_on", "department", "classification", "stage")


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list_export(request):
    """The case list as .xlsx, with the list's filters and order (cases/exports.py)."""
    filters = CaseFilterForm(request.GET or None, user=request.user)
    cases = filters.apply(Case.objects.visible_to(request.user))
    sorting = Sorting(request, CASE_SORTS, default="-opened_on")
    try:
        handle = case_list_file(cases, sorting)
    except CaseListTooLarge as exc:
        messages.error(request, str(exc))
        query = request.GET.copy()
        return redirect(f"{reverse('cases:case_list')}?{query.urlencode()}")
    return xlsx_response(handle, f"案件清单_{timezone.localdate():%Y%m%d}.xlsx")


# The case page's sections (issue 17): (name, title, template). The summary (header, stepper,
# 下一步, obligors, key facts) is rendered with the page; each section is collapsed and loads
# its body when opened (case_section), except those whose data the summary already read.
SECTIONS = [
    ("initiation", "索赔启动登记表", "cases/_initiation.html"),
    ("deadlines", "期限", "workflow/_deadlines.html"),
    ("investigation", "损害调查与证据", "cases/_investigation.html"),
    ("classification", "案件分类", "cases/_classification.html"),
    ("appraisals", "鉴定评估", "cases/_appraisals.html"),
    ("negotiation", "磋商与司法", "negotiation/_case_panel.html"),
    ("documents", "文书", "documents/_case_documents.html"),
    ("restoration", "生态修复与赔偿资金", "restoration/_case_panel.html"),
    ("disclosure", "信息公开", "disclosure/_case_panel.html"),
    ("approvals", "审批", "cases/_approvals.html"),
    ("timeline", "办理记录", "cases/_timeline.html"),
]
SECTION_TITLES = {name: title for name, title, _ in SECTIONS}
SECTION_TEMPLATES = {name: template for name, _, template in SECTIONS}
INLINE = {"deadlines"}  # its data are on the page already (the next deadline)


def _visible_case(request, pk):
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "department", "jurisdiction", "rule_profile__rule_set", "created_by",
            "lead_department"), pk=pk)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request, pk):
    case = _visible_case(request, pk)
    can_handle = case.can_be_handled_by(request.user)
    annotate_badges([case])
    parts = _parts_of(case)
    deadlines = list(deadlines_of_case(case, parts))
    steps_now, steps_later = next_steps(case, request.user, can_handle=can_handle, parts=parts)
    context = {
        "case": case,
        "obligors": case.obligor_links.select_related("party"),
        "clues": case.clues.only("pk", "number"),
        "deadlines": deadlines,
        "next_deadline": next((d for d in deadlines if d.is_active), None),
        "steps_now": steps_now,
        "steps_later": steps_later,
        "can_handle": can_handle,
        "obligor_form": ObligorForm(case=case),
        "steps": stepper(case),
    }
    # A timeline page asked for without scripts (筛选, 加载更多) opens the timeline in place.
    inline, opened = set(INLINE), set()
    if "kind" in request.GET or "after" in request.GET:
        inline.add("timeline")
        opened.add("timeline")
        context.update(_timeline_context(request, case, parts))
    context["sections"] = [
        {"name": name, "title": title, "body": template if name in inline else "",
         "opened": name in opened}
        for name, title, template in SECTIONS]
    return render(request, "cases/case_detail.html", context)


def _can_designate(user, case) -> bool:
    return (has_role(user, Role.COORDINATOR) and not case.is_read_only
            and getattr(user.department, "is_lead", False))


def _section_context(request, case, name: str) -> dict:
    """What one section's template needs, read only when that section is opened."""
    user = request.user
    can_handle = case.can_be_handled_by(user)
    context = {"case": case, "can_handle": can_handle}
    if name == "initiation":
        context.update(participants=case.participants.all(),
                       clues=case.clues.select_related("channel"),
                       can_designate=_can_designate(user, case))
    elif name == "deadlines":
        context["deadlines"] = deadlines_of_case(case)
    elif name == "investigation":
        investigation = Investigation.objects.filter(case=case).prefetch_related("team").first()
        context.update(investigation=investigation,
                       team=investigation.team.all() if investigation else [],
                       evidence=case.evidence.select_related("attachment"),
                       evidence_form=EvidenceForm())
    elif name == "classification":
        context["classification_panel"] = classification_panel(case, user)
    elif name == "approvals":
        context["approvals"] = requests_of(case)
    elif name == "timeline":
        context.update(_timeline_context(request, case, _parts_of(case)))
    return context


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_section(request, pk, name):
    """One section of the case page: its body for htmx, or (without scripts) a page of its own.
    Scoped like the case page: a case the user may not see is 404."""
    if name not in SECTION_TEMPLATES:
        raise Http404
    case = _visible_case(request, pk)
    context = _section_context(request, case, name)
    context.update(section_template=SECTION_TEMPLATES[name], section_title=SECTION_TITLES[name])
    template = SECTION_TEMPLATES[name] if request.htmx else "cases/case_section.html"
    return render(request, template, context)


def _timeline_context(request, case, parts) -> dict:
    timeline = Timeline.of(case, parts)
    filters = TimelineFilterForm(request.GET, timeline)
    kind = filters.chosen
    return {"timeline_page": timeline.page(kind, after=request.GET.get("after")),
            "timeline_filters": filters, "timeline_kind": kind,
            "timeline_subject": str(case)}


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_timeline(request, pk):
    """The timeline's next page (加载更多) or a filtered first page, as a fragment for htmx;
    scoped like the case page."""
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    return render(request, "cases/_timeline_events.html",
                  {"case": case, **_timeline_context(request, case, _parts_of(case))})


def _parts_of(case) -> dict:
    """The rows whose audit events belong on the case's timeline: the case's own parts here,
    the later stages' through cases.parts."""
    requests = requests_of(case).prefetch_related(None).values("pk")
    return parts_of(case, {
        CaseObligor: case.obligor_links.values_list("pk", flat=True),
        Investigation: Investigation.objects.filter(case=case).values_list("pk", flat=True),
        Evidence: case.evidence.values_list("pk", flat=True),
        Appraisal: case.appraisals.values_list("pk", flat=True),
        ApprovalRequest: requests,
        ApprovalStep: ApprovalStep.objects.filter(request__in=requests)
                                          .values_list("pk", flat=True),
    })


def _workable_case(request, pk, *stages):
    return workable_or_refuse(request, Case.objects.select_related(
        "department", "rule_profile"), pk, *stages)


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def case_initiation(request, pk):
    """Fill 索赔启动登记表 (form [1]) and record when court and procuratorate were told."""
    case, refused = _workable_case(request, pk)
    if refused:
        return refused
    form = InitiationForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            reclassify(form.save(), by=request.user)  # the amounts may have changed
        messages.success(request, "索赔启动登记表已保存。")
        return redirect(case.get_absolute_url())
    return render(request, "cases/case_form.html",
                  {"case": case, "form": form, "title": "索赔启动登记表"})


@login_required
@permission_required("screening.handle_clue", raise_exception=True)
def case_open_from_clue(request, pk):
    """启动索赔 on a verified clue (issue 17): opens the case, whose 启动审批 is the one approval."""
    clue, refused = workable_or_refuse(request, Clue.objects.select_related(
        "department", "jurisdiction", "channel", "rule_profile__rule_set"), pk,
        Clue.State.VERIFYING)
    if refused:
        return refused
    assessment = assess(clue)
    form = CaseOpeningForm(request.POST or None, department=clue.department)
    if request.method == "POST" and form.is_valid():
        try:
            case = open_case_from_clue(
                clue, by=request.user, note=form.cleaned_data["note"],
                join_case=form.cleaned_data["join_case"],
                seen_state=request.POST.get("seen_state"),
                trivial_assessment=assessment.as_dict())
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect(clue.get_absolute_url())
        # issue 17: one approval starts the claim, the case's 启动审批 (NAT 三)
        if case.stage == Case.Stage.DRAFT:
            messages.success(request, f"已开立案件 {case.number}。请完善索赔启动登记表后提交启动审批，"
                                      "经机构负责人、部门负责人同意后启动索赔。")
        elif case.stage == Case.Stage.INITIATION_APPROVAL:
            messages.success(request, f"线索已并入案件 {case.number}，随该案件的启动审批一并启动索赔。")
        else:
            messages.success(request, f"线索已并入已启动的案件 {case.number}。")
        return redirect(case.get_absolute_url())
    return render(request, "screening/clue_decision.html", {
        "clue": clue, "form": form, "assessment": assessment, "title": "启动索赔",
        "note": "提交后即开立案件（索赔启动登记）。启动索赔只审批一次：完善索赔启动登记表后提交"
                "启动审批，由机构负责人、部门负责人先后签署意见（NAT 三）。"})


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def case_add_obligor(request, pk):
    case, refused = _workable_case(request, pk, Case.Stage.DRAFT, Case.Stage.INVESTIGATING,
                                   Case.Stage.APPRAISING)
    if refused:
        return refused
    form = ObligorForm(request.POST, case=case)
    if form.is_valid():
        CaseObligor.objects.create(case=case, party=form.cleaned_data["code"],
                                   role=form.cleaned_data["role"])
        messages.success(request, f"已添加赔偿义务人：{form.cleaned_data['code'].name}。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(case.get_absolute_url())


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def case_submit_initiation(request, pk):
    case, refused = _workable_case(request, pk, Case.Stage.DRAFT)
    if refused:
        return refused
    try:
        approvals.request_approval(case, "case_initiation", by=request.user,
                                   summary=case.summary or case.cause,
                                   seen_state=request.POST.get("seen_state"))
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已提交启动审批，待机构负责人审批。")
    return redirect(case.get_absolute_url())


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def case_investigation(request, pk):
    case, refused = _workable_case(request, pk, Case.Stage.INVESTIGATING, Case.Stage.APPRAISING,
                                   Case.Stage.CONCLUDED)
    if refused:
        return refused
    investigation, _ = Investigation.objects.get_or_create(case=case)
    # joint departments' staff; a procuratorate taking part only follows the case
    departments = [case.department_id, *case.participants.exclude(
        kind__in=["procuratorate", "finance"]).values_list("pk", flat=True)]
    team_choices = get_user_model().objects.filter(
        Q(department_id__in=departments), is_active=True).order_by("department_id", "username")
    form = InvestigationForm(request.POST or None, instance=investigation,
                             team_choices=team_choices)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "调查情况已保存。")
        return redirect(case.get_absolute_url())
    return render(request, "cases/case_form.html",
                  {"case": case, "form": form, "title": "生态环境损害调查情况登记表"})


@login_required
@require_POST
@permission_required("cases.add_evidence", raise_exception=True)
def case_add_evidence(request, pk):
    case, refused = _workable_case(request, pk, Case.Stage.INVESTIGATING,
                                   Case.Stage.APPRAISING, Case.Stage.CONCLUDED)
    if refused:
        return refused
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        with transaction.atomic():
            evidence = form.save(commit=False)
            evidence.case, evidence.recorded_by = case, request.user
            if form.cleaned_data.get("file"):
                evidence.attachment = attach(case, form.cleaned_data["file"], by=request.user,
                                             kind=evidence.get_kind_display())
            evidence.save()
        messages.success(request, f"证据“{evidence.title}”已登记。")
    else:
        messages.error(request, "；".join(f"{form.fields[n].label}：{e}" if n in form.fields
                                          else e for n, errors in form.errors.items()
                                          for e in errors))
    return redirect(case.get_absolute_url())


@login_required
@permission_required("cases.handle_case", raise_exception=True)
def case_request_termination(request, pk):
    """索赔终止登记表 (form [3]) with 机构负责人 and 部门负责人 opinions."""
    case, refused = _workable_case(request, pk, Case.Stage.CONCLUDED)
    if refused:
        return refused
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            approvals.request_approval(case, "case_termination", by=request.user,
                                       summary=form.cleaned_data["reason"],
                                       seen_state=request.POST.get("seen_state"))
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已提交索赔终止审批，待机构负责人审批。")
        return redirect(case.get_absolute_url())
    return render(request, "cases/case_form.html",
                  {"case": case, "form": form, "title": "索赔终止登记表：终止理由"})


@login_required
def case_joint_handling(request, pk):
    """Only the jurisdiction's lead department (its coordinator) designates joint handling."""
    if not has_role(request.user, Role.COORDINATOR) or not request.user.department or \
            not request.user.department.is_lead:
        raise PermissionDenied("只有牵头部门协调员可以指定联合办案。")
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    if case.is_read_only:
        messages.error(request, "案件已终止，不能再调整。")
        return redirect(case.get_absolute_url())
    form = JointHandlingForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "联合办案部门及牵头部门已保存。")
        return redirect(case.get_absolute_url())
    return render(request, "cases/case_form.html",
                  {"case": case, "form": form, "title": "指定联合办案"})


@login_required
@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def case_transition(request, pk):
    case, refused = _workable_case(request, pk)
    if refused:
        return refused
    return transition_from_post(request, case, success_url=case.get_absolute_url())
