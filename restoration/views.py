"""Restoration pages: the list, a project with its steps, site visits and assessments, the
alternative-restoration library, and the closing request of the case.

Every page fetches through `visible_to` (read) or `workable_by` (act) — outside the scope: 404
— and checks the role's permission (403). The services run each step in one transaction;
their refusals come back next to the form's fields."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cases.closing import unperformed
from cases.models import Case
from negotiation import services as negotiation_services
from workflow.approvals import requests_of
from workflow.attachments import attachments_of
from workflow.audit import history
from workflow.deadlines import DeadlineError
from workflow.models import Attachment
from workflow.pagination import keyset_page
from workflow.transitions import TransitionDenied, TransitionError, options_for

from . import forms, services
from .models import AlternativeProject, RestorationProject, SiteVisit

HANDLE = "cases.handle_case"
State = RestorationProject.State


def show_errors(form, exc: Exception) -> None:
    """A service's refusal next to the field it concerns, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
    elif getattr(exc, "unmet", None):
        for message in exc.unmet:
            form.add_error(None, message)
    else:
        form.add_error(None, str(exc))


def run_form(request, form, action, *, success: str, success_url: str):
    """Validate, run the service, and redirect with `success`; None to render the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except TransitionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except (ValidationError, TransitionError, DeadlineError) as exc:
        show_errors(form, exc)
        return None
    if form.errors:  # a form's own check while building the service call
        return None
    messages.success(request, success)
    return redirect(success_url)


def render_form(request, form, *, title: str, case: Case, back: str, record=None,
                intro: str = "", template: str = "restoration/form.html", **extra):
    return render(request, template, {"form": form, "title": title, "case": case,
                                      "back": back, "record": record, "intro": intro, **extra})


# --- the list ---------------------------------------------------------------------------------

@login_required
def index(request):
    user = request.user
    if not user.has_perm("restoration.view_restorationproject"):
        if user.has_perm("restoration.review_spending"):
            return redirect("restoration:finance_inbox")
        raise PermissionDenied("您没有查看修复项目的权限。")
    state = request.GET.get("state", "")
    projects = RestorationProject.objects.visible_to(user).select_related(
        "case", "case__department", "alternative_project")
    if state in State.values:
        projects = projects.filter(state=state)
    filters = forms.ProjectLinkedFilters(request.GET or None)
    projects = filters.apply(projects)
    page = keyset_page(projects, key="id", after=request.GET.get("after"),
                       before=request.GET.get("before"))
    return render(request, "restoration/index.html", {
        "page": page, "states": State.choices, "state": state, "query": request.GET.copy(),
        "filters": filters,
    })


# --- a project --------------------------------------------------------------------------------

def _visible_project(request, pk) -> RestorationProject:
    if not request.user.has_perm("restoration.view_restorationproject"):
        raise PermissionDenied("您没有查看修复项目的权限。")
    return get_object_or_404(RestorationProject.objects.visible_to(request.user).select_related(
        "case__department", "case__jurisdiction", "obligor__party", "executor",
        "alternative_project", "procuratorate", "agreement", "litigation",
        "start_deadline", "finish_deadline", "assessment_deadline"), pk=pk)


@dataclass
class Step:
    title: str
    form: type
    states: tuple
    modes: tuple = ()
    success: str = "已保存。"


STEPS = {
    "plan": Step("修复方案", forms.PlanForm, (State.PLANNING,), success="修复方案已登记，下一步：组织专家论证或备案。"),
    "executor": Step("受委托第三方机构", forms.ExecutorForm,
                     (State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED, State.FILED,
                      State.IN_PROGRESS), modes=("third_party", "department_organised")),
    "labour": Step("劳务代偿价值量核算", forms.LabourForm,
                   (State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED, State.FILED,
                    State.IN_PROGRESS), modes=("labour",), success="劳务价值量已核算。"),
    "alternative": Step("选择替代修复项目", forms.AlternativeForm,
                        (State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED),
                        modes=("alternative",), success="已选定替代修复项目。"),
    "review": Step("专家论证", forms.ReviewForm, (State.PLAN_DRAFTED,),
                   success="专家论证已登记。"),
    "filing": Step("方案备案", forms.FilingForm, (State.PLAN_DRAFTED, State.REVIEWED),
                   success="修复方案已备案，下一步：登记开工实施。"),
    "start": Step("开工实施", forms.StartForm, (State.FILED,), success="已开工，实施期间请登记现场检查，完成后登记修复完成。"),
    "visit": Step("现场检查", forms.SiteVisitForm,
                  (State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED, State.FILED,
                   State.IN_PROGRESS, State.COMPLETED, State.ASSESSING, State.END_APPROVAL),
                  success="现场检查已登记。"),
    "procuratorate": Step("邀请检察机关监督", forms.InviteForm,
                          (State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED, State.FILED,
                           State.IN_PROGRESS, State.COMPLETED, State.ASSESSING),
                          success="已邀请检察机关参与监督（CQ 十二）。"),
    "completion": Step("修复完成通报", forms.CompletionForm, (State.IN_PROGRESS,),
                       success="已登记修复完成通报。"),
    "assessment": Step("组织效果评估", forms.AssessmentForm, (State.COMPLETED,),
                       success="已组织效果评估。"),
    "conclusion": Step("效果评估结论", forms.ConclusionForm, (State.ASSESSING,),
                       success="效果评估结论已登记。"),
    "waiver": Step("不组织效果评估", forms.WaiverForm, (State.COMPLETED,),
                   success="已决定不组织效果评估。"),
    "early_end": Step("申请终止修复", forms.EarlyEndForm, (State.IN_PROGRESS,),
                      success="终止修复申请已提交机构负责人审批。"),
}


def _call(step: str, project, data: dict, by, seen_state: str | None):
    s = services
    if step == "plan":
        return s.record_plan(project, summary=data["summary"], drafted_on=data["drafted_on"],
                             plan_file=data.get("plan_file"), place=data.get("place", ""),
                             by=by, seen_state=seen_state)
    if step == "executor":
        return s.set_executor(project, name=data["name"], credit_code=data["credit_code"], by=by)
    if step == "labour":
        return s.account_labour(project, unit=data["unit"], quantity=data["quantity"],
                                unit_value=data["unit_value"], by=by)
    if step == "alternative":
        return s.choose_alternative(project, alternative=data["alternative"],
                                    amount=data.get("amount"), quantity=data.get("quantity"),
                                    by=by)
    if step == "review":
        return s.record_review(project, reviewed_on=data["reviewed_on"],
                               experts=data["experts"], opinion=data["opinion"],
                               review_file=data.get("review_file"), by=by,
                               seen_state=seen_state)
    if step == "filing":
        return s.file_plan(project, filed_on=data["filed_on"],
                           filing_number=data["filing_number"], by=by, seen_state=seen_state)
    if step == "start":
        return s.start_restoration(project, started_on=data["started_on"], by=by,
                                   seen_state=seen_state)
    if step == "visit":
        return s.record_site_visit(project, visited_on=data["visited_on"],
                                   visitors=data["visitors"], findings=data["findings"],
                                   progress=data.get("progress"),
                                   procuratorate_present=data.get("procuratorate_present", False),
                                   photos=data.get("photos") or [], by=by)
    if step == "procuratorate":
        return s.invite_procuratorate(project, procuratorate=data["procuratorate"],
                                      invited_on=data["invited_on"], by=by)
    if step == "completion":
        return s.report_completion(project, reported_on=data["reported_on"], note=data["note"],
                                   completion_file=data.get("completion_file"), by=by,
                                   seen_state=seen_state)
    if step == "assessment":
        return s.start_assessment(project, assessor=data["assessor"],
                                  started_on=data["started_on"], by=by, seen_state=seen_state)
    if step == "conclusion":
        return s.conclude_assessment(project, passed=data["result"] == "passed",
                                     concluded_on=data["concluded_on"],
                                     conclusion=data["conclusion"], report=data.get("report"),
                                     by=by, seen_state=seen_state)
    if step == "waiver":
        return s.waive_assessment(project, reason=data["reason"], note=data.get("note", ""),
                                  report=data.get("report"), by=by, seen_state=seen_state)
    if step == "early_end":
        return s.request_early_end(project, reason=data["reason"], note=data["note"],
                                   amount=data["amount"], due_on=data.get("due_on"), by=by,
                                   seen_state=seen_state)
    raise Http404


def available_steps(project: RestorationProject) -> list[tuple[str, str]]:
    return [(name, step.title) for name, step in STEPS.items()
            if project.state in step.states and (not step.modes or project.mode in step.modes)]


@login_required
def project_detail(request, pk):
    project = _visible_project(request, pk)
    case = project.case
    workable = case.can_be_handled_by(request.user)
    visits = list(project.site_visits.select_related("recorded_by"))
    photos = {}
    for attachment in Attachment.objects.filter(
            content_type__app_label="restoration", content_type__model="sitevisit",
            object_id__in=[v.pk for v in visits]):
        photos.setdefault(attachment.object_id, []).append(attachment)
    for visit in visits:
        visit.photos = photos.get(visit.pk, [])
    approval_requests = requests_of(project)
    including = {
        SiteVisit: [v.pk for v in visits],
        project.assessments.model: project.assessments.values_list("pk", flat=True),
        approval_requests.model: approval_requests.values_list("pk", flat=True),
    }
    usage = services.library_usage(project.alternative_project) \
        if project.alternative_project_id else None
    return render(request, "restoration/project_detail.html", {
        "project": project, "case": case, "workable": workable,
        "steps": available_steps(project) if workable else [],
        "transitions": [t for t in options_for(project, request.user) if t.unmet]
        if workable else [],
        "visits": visits, "assessments": project.assessments.select_related("report"),
        "obligations": project.fund_obligations.select_related("obligor__party"),
        "attachments": attachments_of(project),
        "approvals": approval_requests,
        "deadlines": [d for d in (project.start_deadline, project.finish_deadline,
                                  project.assessment_deadline) if d is not None],
        "usage": usage,
        "history": history(project, including=including)[:200],
        "timeline_subject": str(project),
    })


@login_required
@permission_required(HANDLE, raise_exception=True)
def project_step(request, pk, step):
    if step not in STEPS:
        raise Http404
    spec = STEPS[step]
    project = get_object_or_404(RestorationProject.objects.workable_by(request.user)
                                .select_related("case__jurisdiction"), pk=pk)
    if project.case.is_read_only or project.state not in spec.states or \
            (spec.modes and project.mode not in spec.modes):
        messages.error(request, f"修复项目处于“{project.get_state_display()}”状态，不能办理“{spec.title}”。")
        return redirect(project.get_absolute_url())
    kwargs = {"project": project} if step in ("procuratorate", "alternative") else {}
    form = spec.form(request.POST or None, request.FILES or None, **kwargs)
    seen_state = request.POST.get("seen_state") or None
    done = run_form(request, form,
                    lambda data: _call(step, project, data, request.user, seen_state),
                    success=spec.success, success_url=project.get_absolute_url())
    if done:
        return done
    extra = {}
    if step == "alternative":
        extra["library"] = [(p, services.library_usage(p, excluding=project))
                            for p in form.fields["alternative"].queryset]
    if step == "labour":
        extra["intro"] = "劳务代偿价值量 = 劳务时长 × 单位劳务价值（NT 三(九)：做好劳务代偿工作价值量核算）。"
    return render_form(request, form, title=f"{spec.title}：修复项目{project.sequence}",
                       case=project.case, back=project.get_absolute_url(), record=project,
                       step=step, seen_state=project.state, **extra)


@login_required
@permission_required(HANDLE, raise_exception=True)
def project_create(request, pk):
    """A project opened by hand: restoration allowed before the agreement (CQ 十三; SX 第三十
    条), or a restoration obligation of an effective judgment."""
    case = get_object_or_404(Case.objects.workable_by(request.user).select_related(
        "jurisdiction", "rule_profile"), pk=pk)
    origin = request.GET.get("origin") or request.POST.get("origin") or "early"
    if case.is_read_only or origin not in ("early", "judgment"):
        messages.error(request, "不能新增修复项目。")
        return redirect(case.get_absolute_url())
    judgment = negotiation_services.effective_judgment(case) if origin == "judgment" else None
    if origin == "judgment" and judgment is None:
        messages.error(request, "本案没有生效判决。")
        return redirect(case.get_absolute_url())
    form = forms.ProjectForm(request.POST or None, case=case)
    created = []

    def create(data):
        if origin == "judgment":
            created.append(services.add_judgment_restoration(judgment, by=request.user, **data))
        else:
            created.append(services.start_early_restoration(case, by=request.user, **data))

    done = run_form(request, form, create, success="修复项目已登记。",
                    success_url=case.get_absolute_url())
    if done:
        return redirect(created[0].get_absolute_url())
    title = "生效判决确定的修复项目" if origin == "judgment" else "协议签订前先行修复（CQ 十三；SX 第三十条）"
    return render_form(request, form, title=title, case=case, back=case.get_absolute_url(),
                       hidden={"origin": origin})


# --- the library (CQ 十三) ----------------------------------------------------------------------

def _library_perm(request, action: str = "view"):
    if not request.user.has_perm(f"restoration.{action}_alternativeproject"):
        raise PermissionDenied("您没有管理替代修复项目库的权限。")


@login_required
def library_list(request):
    _library_perm(request)
    page = keyset_page(AlternativeProject.objects.visible_to(request.user)
                       .select_related("jurisdiction", "department"), key="id",
                       after=request.GET.get("after"), before=request.GET.get("before"))
    rows = [(p, services.library_usage(p)) for p in page]
    can_add = request.user.has_perm("restoration.add_alternativeproject")
    return render(request, "restoration/library_list.html",
                  {"page": page, "rows": rows, "can_add": can_add, "query": request.GET.copy()})


@login_required
def library_detail(request, pk):
    _library_perm(request)
    project = get_object_or_404(AlternativeProject.objects.visible_to(request.user)
                                .select_related("jurisdiction", "department"), pk=pk)
    can_edit = request.user.has_perm("restoration.change_alternativeproject") and \
        AlternativeProject.objects.workable_by(request.user).filter(pk=pk).exists()
    return render(request, "restoration/library_detail.html", {
        "project": project, "usage": services.library_usage(project), "can_edit": can_edit,
        "history": history(project)[:100], "timeline_subject": str(project)})


@login_required
def library_edit(request, pk=None):
    department = request.user.department
    if department is None:
        raise PermissionDenied
    if pk is None:
        _library_perm(request, "add")
        instance = AlternativeProject(jurisdiction=department.jurisdiction,
                                      department=department, created_by=request.user)
    else:
        _library_perm(request, "change")
        instance = get_object_or_404(AlternativeProject.objects.workable_by(request.user), pk=pk)
    form = forms.LibraryForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        project = form.save()
        messages.success(request, f"替代修复项目“{project.name}”已保存。")
        return redirect(project.get_absolute_url())
    return render(request, "restoration/library_form.html", {"form": form, "instance": instance})


# --- closing the case (结案) --------------------------------------------------------------------

@login_required
@permission_required(HANDLE, raise_exception=True)
def case_closing(request, pk):
    case = get_object_or_404(Case.objects.workable_by(request.user), pk=pk)
    if case.stage != Case.Stage.PERFORMING:
        messages.error(request, f"案件处于“{case.get_stage_display()}”阶段，不能申请结案。")
        return redirect(case.get_absolute_url())
    open_items = unperformed(case)
    form = forms.ClosingForm(request.POST or None)
    done = run_form(request, form,
                    lambda data: services.request_closing(
                        case, summary=data["summary"], by=request.user,
                        seen_state=request.POST.get("seen_state") or None),
                    success="结案申请已提交机构负责人审批。", success_url=case.get_absolute_url())
    if done:
        return done
    return render_form(request, form, title="申请结案", case=case, back=case.get_absolute_url(),
                       open_items=open_items, seen_state=case.stage,
                       intro="结案须各项修复义务已履行（效果评估通过、依法不组织评估或经同意终止修复），"
                             "赔偿资金已缴清（或强制执行程序已终结），保证金已退还或依约使用。")


def project_url(project) -> str:
    return reverse("restoration:project_detail", args=[project.pk])
