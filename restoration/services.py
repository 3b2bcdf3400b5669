"""Multi-object operations of restoration and compensation funds. Each runs in one transaction,
moves states only through workflow.transitions.perform, keeps the engine's deadlines in step
and, for money, ends with ledger.verify(case), which refuses (and so rolls back) an operation
that would leave the ledger unreconciled (DOMAIN §3.6, §3.7)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Department, Jurisdiction
from accounts.roles import Role, group_name
from cases.models import Case
from negotiation import services as negotiation_services
from negotiation.models import Agreement, Litigation, PaymentKind, RestorationMode
from parties.models import Party
from parties.services import find_or_create_party
from rules.calendar import cn_date
from workflow import approvals
from workflow import deadlines as engine
from workflow.attachments import attach
from workflow.formatting import amount as yuan_text
from workflow.models import Deadline, DeadlineKind
from workflow.notifications import Draft, notify_many
from workflow.transitions import TransitionError, perform

from . import ledger
from .models import (
    AlternativeProject,
    Deposit,
    DepositMovement,
    EffectAssessment,
    FundAccount,
    FundObligation,
    Payment,
    RestorationProject,
    ScheduleItem,
    SiteVisit,
    SpendingRequest,
)
from .models.common import ZERO, yuan

State = RestorationProject.State
ACTIVE = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)


class RestorationError(TransitionError):
    """An operation refused for a reason the user can fix; the message is in Chinese."""


# --- helpers ----------------------------------------------------------------------------------

def _open_case(case: Case) -> Case:
    case = Case.objects.select_for_update(of=("self",)).select_related(
        "rule_profile", "department", "jurisdiction", "created_by").get(pk=case.pk)
    if case.is_read_only:
        raise RestorationError(f"案件处于“{case.get_stage_display()}”阶段，不能再办理。")
    return case


def _lock_project(project: RestorationProject) -> RestorationProject:
    project = RestorationProject.objects.select_for_update(of=("self",)).select_related(
        "case__rule_profile", "case__department").get(pk=project.pk)
    if project.case.is_read_only:
        raise RestorationError(f"案件处于“{project.case.get_stage_display()}”阶段，不能再办理。")
    return project


def _check_day(day: date | None, *, label: str, not_before: date | None = None,
               not_before_label: str = "") -> None:
    if day is None:
        raise RestorationError(f"请填写{label}。")
    if day > timezone.localdate():
        raise RestorationError(f"{label}不能晚于今天。")
    if not_before and day < not_before:
        raise RestorationError(f"{label}不能早于{not_before_label}（{cn_date(not_before)}）。")


def _positive(value, label: str) -> Decimal:
    if value is None:
        raise RestorationError(f"请填写{label}。")
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    value = Decimal(value)
    if value <= 0:
        raise RestorationError(f"{label}须大于零。")
    if value != yuan(value):
        raise RestorationError(f"{label}最多两位小数。")
    return value


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _open_dated(subject, kind: str, *, case: Case, due_on: date | None, start: date | None,
                event: str, title: str, citation: str, by) -> Deadline | None:
    """An engine deadline for a date fixed by the agreement or the judgment (no rule: days=
    from the start event to that date; SX 第二十条 履行期限)."""
    if due_on is None:
        return None
    start = start or timezone.localdate()
    days = (due_on - start).days
    if days < 1:
        start, days = due_on - timedelta(days=1), 1
    return engine.open_deadline(
        subject, kind, profile=case.rule_profile, rule_key="", start_date=start,
        start_event=event, days=days, calendar=Deadline.Calendar.NATURAL, citation=citation,
        title=title[:100], responsible=case.created_by, department=case.department, by=by)


def _meet(deadline: Deadline | None, *, by, note: str, on: date | None = None) -> None:
    if deadline is not None:
        deadline.refresh_from_db()
        if deadline.status in ACTIVE:
            engine.mark_met(deadline, by=by, note=note, at=_at(on) if on else None)


def _cancel(deadline: Deadline | None, *, by, reason: str) -> None:
    if deadline is not None:
        deadline.refresh_from_db()
        if deadline.status in ACTIVE:
            engine.cancel(deadline, by=by, reason=reason)


def _take(items: list, test: Callable) -> object | None:
    for item in items:
        if test(item):
            items.remove(item)
            return item
    return None


def _heads_and(case: Case, *user_ids: int) -> list[int]:
    ids = set(user_ids)
    ids.update(case.department.users.filter(
        is_active=True, groups__name=group_name(Role.DIVISION_HEAD)).values_list("pk", flat=True))
    return sorted(ids)


# --- restoration projects (CQ 十三; SX 第二十三–三十条) -------------------------------------

PROJECT_FIELDS = ("item", "mode", "target", "obligor", "estimated_cost", "start_by",
                  "finish_by", "assessment_by")


def open_project(case: Case, *, origin: str, by, item: str, mode: str, target: str,
                 obligor=None, place: str = "", estimated_cost=None, start_by=None,
                 finish_by=None, assessment_by=None, agreement=None, term=None,
                 litigation=None, start_date: date | None = None,
                 start_event: str = "") -> RestorationProject:
    """A restoration project with the engine's deadlines for its agreed dates (start, finish,
    effect assessment), counted from the agreement's signing or the judgment's effect."""
    if not (item or "").strip() or not (target or "").strip():
        raise RestorationError("请填写修复事项和修复目标。")
    if mode not in RestorationMode.values:
        raise RestorationError("请选择修复方式。")
    if obligor is not None and obligor.case_id != case.pk:
        raise RestorationError("履行义务人不是本案的赔偿义务人。")
    if start_by and finish_by and finish_by < start_by:
        raise RestorationError("完成期限不能早于开工期限。")
    if assessment_by and finish_by and assessment_by < finish_by:
        raise RestorationError("效果评估期限不能早于完成期限。")
    with transaction.atomic():
        last = case.restoration_projects.order_by("-sequence").first()
        project = RestorationProject.objects.create(
            case=case, sequence=(last.sequence + 1) if last else 1, origin=origin,
            agreement=agreement, term=term, litigation=litigation, obligor=obligor,
            item=item.strip(), mode=mode, target=target.strip(), place=place,
            estimated_cost=estimated_cost, start_by=start_by, finish_by=finish_by,
            assessment_by=assessment_by, created_by=by)
        _open_project_deadlines(project, start=start_date, event=start_event, by=by)
    return project


def _assessment_date(project: RestorationProject) -> date | None:
    if project.assessment_by:
        return project.assessment_by
    # CQ 十四: the agreement provides for the effect assessment
    return project.agreement.assessment_due if project.agreement_id else None


def _open_project_deadlines(project: RestorationProject, *, start, event: str, by,
                            only: Iterable[str] = ("start", "finish", "assessment")) -> None:
    case = project.case
    basis = "赔偿协议约定" if project.agreement_id else \
        "生效判决确定" if project.litigation_id else "同意先行修复时确定"
    specs = {
        "start": (DeadlineKind.RESTORATION, project.start_by, "开工期限",
                  f"{basis}的开工期限（SX 第二十条、第二十三条）"),
        "finish": (DeadlineKind.RESTORATION, project.finish_by, "完成期限",
                   f"{basis}的修复完成期限（SX 第二十条、第二十三条）"),
        "assessment": (DeadlineKind.EFFECT_ASSESSMENT, _assessment_date(project), "效果评估期限",
                       f"{basis}的修复效果评估期限（CQ 十四；NAT 十二）"),
    }
    for key in only:
        kind, due_on, label, citation = specs[key]
        deadline = _open_dated(project, kind, case=case, due_on=due_on, start=start, event=event,
                               title=f"修复项目{project.sequence} {label}", citation=citation,
                               by=by)
        setattr(project, f"{key}_deadline", deadline)
    project.save()


def start_early_restoration(case: Case, *, by, **fields) -> RestorationProject:
    """Restoration before the agreement, once the department agreed to it after both parties
    confirmed the damage facts in writing (CQ 十三; SX 第三十条); the agreement then includes
    the restoration requirements and takes this project over when signed."""
    with transaction.atomic():
        case = _open_case(case)
        negotiation = negotiation_services.current_round(case)
        if negotiation is None or not negotiation.early_restoration_allowed:
            raise RestorationError("磋商中尚未同意赔偿义务人先行修复（CQ 十三；SX 第三十条）。")
        if negotiation_services.current_agreement(case) is not None:
            raise RestorationError("赔偿协议已签署，修复项目按协议的修复条款办理。")
        return open_project(case, origin=RestorationProject.Origin.EARLY, by=by,
                            start_date=negotiation.early_restoration_allowed_on,
                            start_event="同意先行修复", **fields)


def add_judgment_restoration(litigation: Litigation, *, by, **fields) -> RestorationProject:
    """A restoration obligation of an effective judgment (CQ 十三: 依据赔偿协议和生效判决)."""
    with transaction.atomic():
        case = _open_case(litigation.case)
        if litigation.state != Litigation.State.EFFECTIVE:
            raise RestorationError("判决尚未生效。")
        return open_project(case, origin=RestorationProject.Origin.JUDGMENT, by=by,
                            litigation=litigation, start_date=litigation.effective_on,
                            start_event="判决生效", **fields)


def _term_fields(term) -> dict:
    return {name: getattr(term, name) for name in PROJECT_FIELDS}


def _relink_project(project: RestorationProject, agreement: Agreement, term, *, by) -> None:
    """The project follows the version in force: its fields come from the new term, and the
    deadline of a date that changed is cancelled and opened again (a deadline already met,
    e.g. the start, stays met)."""
    before = {"start": project.start_by, "finish": project.finish_by,
              "assessment": _assessment_date(project)}
    project.agreement, project.term = agreement, term
    for name, value in _term_fields(term).items():
        setattr(project, name, value)
    project.save()
    if project.is_done:
        return
    after = {"start": project.start_by, "finish": project.finish_by,
             "assessment": _assessment_date(project)}
    reopen = []
    for key in ("start", "finish", "assessment"):
        deadline = getattr(project, f"{key}_deadline")
        if deadline is not None:
            deadline.refresh_from_db()
            if deadline.status not in ACTIVE or before[key] == after[key]:
                continue
            _cancel(deadline, by=by, reason=f"赔偿协议更正为第{agreement.version}版，期限变更")
            setattr(project, f"{key}_deadline", None)
        if after[key] is not None:
            reopen.append(key)
    project.save()
    if reopen:
        _open_project_deadlines(project, start=agreement.signed_on,
                                event=f"签订赔偿协议（第{agreement.version}版）", by=by,
                                only=reopen)


def _withdraw(project: RestorationProject, *, by, reason: str) -> None:
    perform(project, "withdraw", by=by, reason=reason)
    for deadline in (project.start_deadline, project.finish_deadline,
                     project.assessment_deadline):
        _cancel(deadline, by=by, reason=reason)


def sync_agreement(agreement: Agreement, *, by) -> None:
    """The obligations of a signed agreement, in its signing transaction (negotiation's
    agreement_signed signal): a project per restoration term, an obligation per payment term,
    the deposit. The version signed is the one in force (a correction supersedes the version it
    corrects; a renegotiated agreement replaces the first round's): its terms take over the
    earlier version's projects and obligations (matched by item or by kind and obligor), what
    it dropped is withdrawn or cancelled, and nothing is counted twice. A project
    started before the agreement (CQ 十三; SX 第三十条) is taken over by the agreement's
    first matching restoration term."""
    case = agreement.case
    start, event = agreement.signed_on, f"签订赔偿协议（第{agreement.version}版）"
    projects = case.restoration_projects.exclude(state=State.WITHDRAWN).select_related("term")
    # Every earlier version: the corrected one (agreement.previous) and, after a refused
    # judicial confirmation, the agreement of the first round, which the renegotiated one
    # replaces without being its correction (CQ 八; SX 第二十一条).
    old = list(projects.filter(term__isnull=False).exclude(agreement=agreement))
    early = list(projects.filter(origin=RestorationProject.Origin.EARLY, term__isnull=True))
    for term in agreement.restoration_terms.order_by("id"):
        project = (_take(old, lambda p, t=term: p.term.item == t.item
                         and p.term.obligor_id == t.obligor_id)
                   or _take(old, lambda p, t=term: p.term.item == t.item)
                   or _take(early, lambda p, t=term: p.item == t.item)
                   or _take(early, lambda p, t=term: p.mode == t.mode)
                   or _take(early, lambda p: True))
        if project is not None:
            _relink_project(project, agreement, term, by=by)
        else:
            open_project(case, origin=RestorationProject.Origin.AGREEMENT, by=by,
                         agreement=agreement, term=term, start_date=start, start_event=event,
                         **_term_fields(term))
    for project in old:
        if not project.is_done:
            _withdraw(project, by=by,
                      reason=f"赔偿协议第{agreement.version}版不再包含该修复义务")

    obligations = case.fund_obligations.exclude(status=FundObligation.Status.CANCELLED)
    old_money = list(obligations.filter(source=FundObligation.Source.AGREEMENT)
                     .exclude(agreement=agreement))
    for term in agreement.payment_terms.order_by("id").prefetch_related("instalments"):
        schedule = [(i.amount, i.due_on) for i in term.instalments.order_by("sequence")] or \
            [(term.amount, term.due_on)]
        obligation = _take(old_money, lambda o, t=term: o.kind == t.kind
                           and o.obligor_id == t.obligor_id)
        if obligation is not None:
            _reschedule(obligation, amount=term.amount, schedule=schedule,
                        guarantee=term.guarantee, start=start, event=event, by=by,
                        agreement=agreement, payment_term=term)
        else:
            create_obligation(case, source=FundObligation.Source.AGREEMENT, obligor=term.obligor,
                              kind=term.kind, amount=term.amount, schedule=schedule,
                              guarantee=term.guarantee, start=start, event=event, by=by,
                              agreement=agreement, payment_term=term)
    for obligation in old_money:
        _cancel_obligation(obligation, by=by,
                           reason=f"赔偿协议第{agreement.version}版不再包含该项赔偿金")

    deposit = Deposit.objects.filter(case=case).first()
    agreed = agreement.deposit_amount or ZERO
    if deposit is None and agreed:
        Deposit.objects.create(case=case, agreement=agreement, agreed_amount=agreed,
                               obligor=agreement.obligors.order_by("id").first())
    elif deposit is not None and (deposit.agreed_amount != agreed
                                  or deposit.agreement_id != agreement.pk):
        deposit.agreement, deposit.agreed_amount = agreement, agreed
        deposit.save()
    ledger.verify(case)


# --- the steps of a project -----------------------------------------------------------------

def _run(project: RestorationProject, name: str, *, by, seen_state=None, reason: str = ""):
    return perform(project, name, by=by, expected_state=seen_state, reason=reason)


def record_plan(project: RestorationProject, *, summary: str, drafted_on: date, by,
                plan_file=None, place: str = "", seen_state=None) -> RestorationProject:
    """修复方案 (SX 第二十六条(一)): its summary and file; the plan is then drafted."""
    with transaction.atomic():
        project = _lock_project(project)
        _check_day(drafted_on, label="方案编制日期")
        project.plan_summary, project.plan_drafted_on = summary.strip(), drafted_on
        if place:
            project.place = place
        if plan_file is not None:
            project.plan_file = attach(project, plan_file, by=by, kind="修复方案")
        project.save()
        return _run(project, "draft_plan", by=by, seen_state=seen_state)


def set_executor(project: RestorationProject, *, name: str, credit_code: str, by
                 ) -> RestorationProject:
    """The entrusted third party (委托具备修复能力的社会第三方机构, CQ 十三; NAT 十), a party of
    the registry identified by its 统一社会信用代码."""
    with transaction.atomic():
        project = _lock_project(project)
        if project.is_done:
            raise RestorationError("修复项目已办结。")
        if project.mode not in (RestorationMode.THIRD_PARTY,
                                RestorationMode.DEPARTMENT_ORGANISED) and \
                not project.taken_over_on:
            raise RestorationError("只有委托第三方修复或部门组织修复的项目登记受委托机构。")
        match = find_or_create_party(kind=Party.Kind.ORGANISATION, name=name,
                                     credit_code=credit_code, by=by)
        project.executor = match.party
        project.save()
    return project


def account_labour(project: RestorationProject, *, unit: str, quantity, unit_value, by
                   ) -> RestorationProject:
    """劳务代偿 value accounting (NT 三(九)): hours or days × the unit value."""
    with transaction.atomic():
        project = _lock_project(project)
        if project.mode != RestorationMode.LABOUR:
            raise RestorationError("只有劳务代偿项目需要核算劳务价值量。")
        if project.state not in (State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED,
                                 State.FILED, State.IN_PROGRESS):
            raise RestorationError("修复完成后不能再修改劳务价值量核算。")
        if unit not in RestorationProject.LabourUnit.values:
            raise ValidationError({"labour_unit": "请选择劳务计量单位（小时或日）。"})
        if quantity is None or Decimal(quantity) <= 0:
            raise ValidationError({"labour_quantity": "劳务时长须大于零。"})
        project.labour_unit, project.labour_quantity = unit, Decimal(quantity)
        project.labour_unit_value = _positive(unit_value, "单位劳务价值")
        project.save()  # labour_value = quantity × unit value (RestorationProject.save)
    return project


def library_usage(alternative: AlternativeProject, *, excluding=None) -> dict:
    """What a library project has taken: the cases (their allocations) and the funds (spending
    approved or paid for it directly), and what is left of its budget and capacity."""
    projects = alternative.restoration_projects.exclude(state=State.WITHDRAWN)
    if excluding is not None:
        projects = projects.exclude(pk=excluding.pk)
    allocated = sum((p.allocated_amount or ZERO for p in projects), ZERO)
    quantity = sum((p.allocated_quantity or ZERO for p in projects), ZERO)
    spending = alternative.spending_requests.filter(
        restoration_project__isnull=True,
        state__in=[SpendingRequest.State.APPROVED, SpendingRequest.State.PAID])
    funds = sum((s.approved_amount or ZERO for s in spending), ZERO)
    return {
        "projects": list(projects.select_related("case")),
        "spending": list(spending.select_related("case")),
        "allocated": allocated,
        "funds": funds,
        "taken": allocated + funds,
        "quantity": quantity,
        "remaining_budget": None if alternative.budget is None
        else alternative.budget - allocated - funds,
        "remaining_capacity": None if alternative.capacity is None
        else alternative.capacity - quantity,
    }


def choose_alternative(project: RestorationProject, *, alternative: AlternativeProject,
                       amount=None, quantity=None, by) -> RestorationProject:
    """Link an alternative-restoration project of the library (CQ 十三) and take part of its
    budget or capacity, never more than is left."""
    with transaction.atomic():
        project = _lock_project(project)
        alternative = AlternativeProject.objects.select_for_update().get(pk=alternative.pk)
        if project.mode != RestorationMode.ALTERNATIVE:
            raise RestorationError("只有替代修复项目可以选择替代修复项目库中的项目。")
        if project.state not in (State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED):
            raise RestorationError("方案备案后不能再更换替代修复项目。")
        if not AlternativeProject.objects.available_for(project.case).filter(
                pk=alternative.pk).exists():
            raise RestorationError("该项目不在本案赔偿权利人的替代修复项目库中，或已暂停承接。")
        if amount is None and quantity is None:
            raise RestorationError("请填写占用的项目预算或规模。")
        usage = library_usage(alternative, excluding=project)
        if amount is not None:
            amount = _positive(amount, "占用项目预算")
            if usage["remaining_budget"] is None:
                raise ValidationError({"amount": "该项目未设预算，请填写占用的规模。"})
            if amount > usage["remaining_budget"]:
                raise ValidationError({"amount": f"超过该项目剩余预算"
                                                 f"（{yuan_text(usage['remaining_budget'])}）。"})
        if quantity is not None:
            quantity = Decimal(quantity)
            if quantity <= 0:
                raise ValidationError({"quantity": "占用规模须大于零。"})
            if usage["remaining_capacity"] is None:
                raise ValidationError({"quantity": "该项目未设规模，请填写占用的预算。"})
            if quantity > usage["remaining_capacity"]:
                raise ValidationError({"quantity": f"超过该项目剩余规模（{usage['remaining_capacity']}"
                                                   f"{alternative.capacity_unit}）。"})
        project.alternative_project = alternative
        project.allocated_amount, project.allocated_quantity = amount, quantity
        if not project.place:
            project.place = alternative.place
        project.save()
    return project


def record_review(project, *, reviewed_on: date, experts: str, opinion: str, by,
                  review_file=None, seen_state=None) -> RestorationProject:
    """专家论证 of the plan (SX 第二十六条(一))."""
    with transaction.atomic():
        project = _lock_project(project)
        _check_day(reviewed_on, label="专家论证日期", not_before=project.plan_drafted_on,
                   not_before_label="方案编制日期")
        project.reviewed_on, project.review_experts = reviewed_on, experts.strip()
        project.review_opinion = opinion.strip()
        if review_file is not None:
            project.review_file = attach(project, review_file, by=by, kind="专家论证意见")
        project.save()
        return _run(project, "review", by=by, seen_state=seen_state)


def file_plan(project, *, filed_on: date, filing_number: str, by,
              seen_state=None) -> RestorationProject:
    """备案 with the department (SX 第二十六条(一): 报办案部门或机构组织备案)."""
    with transaction.atomic():
        project = _lock_project(project)
        _check_day(filed_on, label="备案日期",
                   not_before=project.reviewed_on or project.plan_drafted_on,
                   not_before_label="专家论证或方案编制日期")
        project.filed_on, project.filing_number = filed_on, filing_number.strip()
        project.save()
        return _run(project, "file_plan", by=by, seen_state=seen_state)


def start_restoration(project, *, started_on: date, by, seen_state=None) -> RestorationProject:
    """Restoration starts on the filed plan (SX 第二十六条(二)); the start deadline is met."""
    with transaction.atomic():
        project = _lock_project(project)
        _check_day(started_on, label="开工日期", not_before=project.filed_on,
                   not_before_label="备案日期")
        project.started_on = started_on
        project.save()
        project = _run(project, "start", by=by, seen_state=seen_state)
        _meet(project.start_deadline, by=by, note="已开工", on=started_on)
    return project


def record_site_visit(project, *, visited_on: date, visitors: str, findings: str, by,
                      progress: int | None = None, procuratorate_present: bool = False,
                      photos: Iterable = ()) -> SiteVisit:
    """过程监管 (CQ 十三; SX 第三十条): a visit with its findings and photos; the progress seen
    becomes the project's progress."""
    with transaction.atomic():
        project = _lock_project(project)
        if project.is_done:
            raise RestorationError("修复项目已办结，不能再登记现场检查。")
        _check_day(visited_on, label="检查日期")
        if not visitors.strip() or not findings.strip():
            raise RestorationError("请填写检查人员和检查情况。")
        if progress is not None and not 0 <= progress <= 100:
            raise ValidationError({"progress": "进度须在0%至100%之间。"})
        visit = SiteVisit.objects.create(
            project=project, visited_on=visited_on, visitors=visitors.strip(),
            findings=findings.strip(), progress=progress,
            procuratorate_present=procuratorate_present, recorded_by=by)
        for photo in photos:
            attach(visit, photo, by=by, kind="现场照片")
        if progress is not None and progress != project.progress:
            project.progress = progress
            project.save()
    return visit


def invite_procuratorate(project, *, procuratorate: Department, invited_on: date, by
                         ) -> RestorationProject:
    """开展生态环境修复时，可邀请检察机关参与监督 (CQ 十二): the procuratorate takes part in the
    case (it then reads the case and its restoration, read-only by its role)."""
    with transaction.atomic():
        project = _lock_project(project)
        if procuratorate.kind != Department.Kind.PROCURATORATE:
            raise ValidationError({"procuratorate": "请选择检察机关。"})
        _check_day(invited_on, label="邀请日期")
        project.procuratorate, project.procuratorate_invited_on = procuratorate, invited_on
        project.save()
        project.case.participants.add(procuratorate)
    return project


def report_completion(project, *, reported_on: date, note: str, by, completion_file=None,
                      seen_state=None) -> RestorationProject:
    """The obligor's or third party's completion notice (CQ 十四; NAT 十二): the finish
    deadline is met; the department then organises the effect assessment."""
    with transaction.atomic():
        project = _lock_project(project)
        _check_day(reported_on, label="完工通报日期", not_before=project.started_on,
                   not_before_label="开工日期")
        project.completion_reported_on, project.completion_note = reported_on, note.strip()
        if completion_file is not None:
            project.completion_file = attach(project, completion_file, by=by, kind="完工通报")
        project.save()
        project = _run(project, "report_completion", by=by, seen_state=seen_state)
        _meet(project.finish_deadline, by=by, note="已通报修复完成", on=reported_on)
    return project


def start_assessment(project, *, assessor: str, started_on: date, by,
                     seen_state=None) -> EffectAssessment:
    """组织修复效果评估 (CQ 十四; NAT 十二; SX 第二十六条(三))."""
    with transaction.atomic():
        project = _lock_project(project)
        if project.state != State.COMPLETED:
            raise RestorationError("修复完成通报后才能组织效果评估。")
        if not assessor.strip():
            raise ValidationError({"assessor": "请填写评估单位。"})
        _check_day(started_on, label="评估开始日期", not_before=project.completion_reported_on,
                   not_before_label="完工通报日期")
        last = project.assessments.order_by("-sequence").first()
        assessment = EffectAssessment.objects.create(
            project=project, sequence=(last.sequence + 1) if last else 1,
            assessor=assessor.strip(), started_on=started_on, recorded_by=by)
        _run(project, "start_assessment", by=by, seen_state=seen_state)
    return assessment


def conclude_assessment(project, *, passed: bool, concluded_on: date, conclusion: str, by,
                        report=None, seen_state=None) -> RestorationProject:
    """The assessment's result: passed, or failed and restoration continues (SX 第二十八条)."""
    with transaction.atomic():
        project = _lock_project(project)
        assessment = project.current_assessment()
        if project.state != State.ASSESSING or assessment is None or \
                assessment.result != EffectAssessment.Result.PENDING:
            raise RestorationError("该项目没有进行中的效果评估。")
        _check_day(concluded_on, label="评估完成日期", not_before=assessment.started_on,
                   not_before_label="评估开始日期")
        assessment.concluded_on, assessment.conclusion = concluded_on, conclusion.strip()
        assessment.result = EffectAssessment.Result.PASSED if passed else \
            EffectAssessment.Result.FAILED
        if report is not None:
            assessment.report = attach(project, report, by=by, kind="修复效果评估报告")
        assessment.save()
        if passed:
            project = _run(project, "pass_assessment", by=by, seen_state=seen_state,
                           reason=conclusion)
            _meet(project.assessment_deadline, by=by, note="效果评估通过", on=concluded_on)
        else:
            project = _run(project, "fail_assessment", by=by, seen_state=seen_state,
                           reason=conclusion)
            _tell_officer_failed(project, by=by)
    return project


def _tell_officer_failed(project, *, by) -> None:
    notify_many([Draft(recipient_id=pk, verb="restoration", title=f"修复效果评估未通过：{project}",
                       body="修复效果未达到修复方案确定的修复目标，赔偿义务人应当根据赔偿协议或法院判决"
                            "继续开展修复（SX 第二十八条；CQ 十四）。",
                       url=project.get_absolute_url(),
                       dedupe_key=f"restoration-failed-{project.pk}-{project.assessments.count()}")
                 for pk in _heads_and(project.case, project.created_by_id)])


def waive_assessment(project, *, reason: str, note: str = "", by, report=None,
                     seen_state=None) -> RestorationProject:
    """不组织修复效果评估 for one of the situations of CQ 十四 / SX 第二十七条: an existing
    report that covers the restoration (its file required), labour compensation, or another
    situation (described)."""
    with transaction.atomic():
        project = _lock_project(project)
        if reason not in RestorationProject.Waiver.values:
            raise ValidationError({"reason": "请选择不组织效果评估的情形。"})
        project.waiver_reason, project.waiver_note = reason, note.strip()
        if report is not None:
            project.waiver_file = attach(project, report, by=by, kind="已形成的监测、验收或调查报告")
        project.save()
        project = _run(project, "waive_assessment", by=by, seen_state=seen_state,
                       reason=RestorationProject.Waiver(reason).label)
        _meet(project.assessment_deadline, by=by,
              note=f"不组织效果评估：{RestorationProject.Waiver(reason).label}")
    return project


def request_early_end(project, *, reason: str, note: str, amount, due_on: date | None, by,
                      seen_state=None):
    """终止修复 (SX 第二十九条): the obligor's application, with the department's consent
    (机构负责人, then 部门负责人); the unfinished part becomes a payment obligation."""
    with transaction.atomic():
        project = _lock_project(project)
        if reason not in RestorationProject.EndReason.values:
            raise ValidationError({"reason": "请选择终止修复的情形。"})
        if amount is not None and Decimal(amount) < 0:
            raise ValidationError({"amount": "金额不能为负数。"})
        if amount is not None and Decimal(amount) > 0 and due_on is not None and \
                due_on <= timezone.localdate():
            raise ValidationError({"due_on": "缴纳期限须晚于今天。"})
        project.end_reason, project.end_note = reason, note.strip()
        project.end_amount = None if amount is None else yuan(amount)
        project.end_due_on = due_on
        project.save()
        label = RestorationProject.EndReason(reason).label
        return approvals.request_approval(
            project, "restoration_early_end", by=by, seen_state=seen_state,
            summary=f"{label}。{note.strip()}；未完成部分应缴纳赔偿资金{yuan_text(project.end_amount)}。")


def early_end_approved(project: RestorationProject, request, by) -> None:
    """on_approved of the early end: the project's periods end and the unfinished part is owed
    as compensation (SX 第二十九条: 终止修复，并依法缴纳赔偿资金)."""
    reason = "经同意终止修复（SX 第二十九条）"
    for deadline in (project.start_deadline, project.finish_deadline,
                     project.assessment_deadline):
        _cancel(deadline, by=by, reason=reason)
    if project.end_amount and project.end_amount > 0:
        obligor = project.obligor or project.case.obligor_links.order_by("id").first()
        create_obligation(project.case, source=FundObligation.Source.EARLY_END, obligor=obligor,
                          kind=PaymentKind.RESTORATION_COST, amount=project.end_amount,
                          schedule=[(project.end_amount, project.end_due_on)],
                          start=timezone.localdate(), event="同意终止修复", by=by,
                          project=project, note=f"{project} 未完成部分")
    ledger.verify(project.case)


# --- fund obligations (CQ 十五; NT 三(九)、三(十一); SX 第二十五条、第三十七条) ------------------------

def _schedule_problems(amount: Decimal, schedule: list, guarantee: str) -> list[str]:
    problems = []
    if not schedule or any(due is None for _a, due in schedule):
        problems.append("须填写缴纳期限。")
    if sum((Decimal(a) for a, _d in schedule), ZERO) != amount:
        problems.append("各期金额之和须等于应缴金额。")
    if len(schedule) > 1 and not (guarantee or "").strip():
        problems.append("分期缴纳须有赔偿义务人提供的有效担保（NT 三(九)；SX 第二十五条）。")
    dues = [d for _a, d in schedule if d is not None]
    if dues != sorted(dues):
        problems.append("各期期限须依次在后。")
    return problems


def _payee(case: Case) -> Jurisdiction:
    # CQ 十五; NT 三(十一); SX 第三十七条: 缴入赔偿权利人同级国库
    return case.jurisdiction


def create_obligation(case: Case, *, source: str, obligor, kind: str, amount, schedule: list,
                      by, start: date | None, event: str, guarantee: str = "",
                      agreement=None, payment_term=None, litigation=None, project=None,
                      note: str = "") -> FundObligation:
    amount = _positive(amount, "应缴金额")
    problems = _schedule_problems(amount, schedule, guarantee)
    if problems:
        raise RestorationError("".join(problems))
    if obligor is None or obligor.case_id != case.pk:
        raise RestorationError("缴纳义务人须为本案的赔偿义务人。")
    obligation = FundObligation.objects.create(
        case=case, source=source, agreement=agreement, payment_term=payment_term,
        litigation=litigation, project=project, obligor=obligor, kind=kind, amount=amount,
        paid=ZERO, outstanding=amount, payee_treasury=_payee(case), guarantee=guarantee,
        note=note)
    _build_schedule(obligation, schedule, start=start, event=event, by=by)
    return obligation


def _build_schedule(obligation: FundObligation, schedule: list, *, start, event, by) -> None:
    case = obligation.case
    many = len(schedule) > 1
    for sequence, (amount, due_on) in enumerate(schedule, start=1):
        item = ScheduleItem.objects.create(obligation=obligation, sequence=sequence,
                                           amount=amount, due_on=due_on, original_due_on=due_on)
        label = f"第{sequence}期" if many else "一次缴纳"
        citation = "分期缴纳，有担保（NT 三(九)；SX 第二十五条）" if many else \
            "赔偿资金缴纳期限（CQ 十五；SX 第三十七条）"
        item.deadline = _open_dated(
            obligation, DeadlineKind.PAYMENT, case=case, due_on=due_on, start=start,
            event=event, citation=citation, by=by,
            title=f"{obligation.obligor.party.name} {obligation.get_kind_display()} {label}")
        item.save()


def _settle(obligation: FundObligation, *, on: date, by) -> None:
    """Payments settle the schedule in order: an instalment is settled once everything up to it
    is paid, and its deadline is met."""
    cumulative = ZERO
    for item in obligation.schedule.select_related("deadline").order_by("sequence"):
        cumulative += item.amount
        if obligation.paid >= cumulative and item.settled_on is None:
            item.settled_on = on
            item.save()
            _meet(item.deadline, by=by, note="已缴清", on=on)


def _set_paid(obligation: FundObligation, paid: Decimal) -> None:
    obligation.paid = paid
    obligation.outstanding = obligation.amount - paid
    obligation.status = FundObligation.Status.PAID if obligation.outstanding == 0 else \
        FundObligation.Status.OPEN
    obligation.save()


def _drop_schedule(obligation: FundObligation, *, by, reason: str) -> None:
    for item in obligation.schedule.select_related("deadline"):
        _cancel(item.deadline, by=by, reason=reason)
        item.delete()


def _reschedule(obligation: FundObligation, *, amount, schedule: list, guarantee: str, start,
                event: str, by, agreement, payment_term) -> None:
    obligation = FundObligation.objects.select_for_update().get(pk=obligation.pk)
    if amount < obligation.paid:
        raise RestorationError(
            f"{obligation}已缴纳{yuan_text(obligation.paid)}，更正后的金额{yuan_text(amount)}不能少于已缴纳的金额。")
    problems = _schedule_problems(amount, schedule, guarantee)
    if problems:
        raise RestorationError("".join(problems))
    unchanged = obligation.amount == amount and [
        (i.amount, i.due_on) for i in obligation.schedule.order_by("sequence")] == schedule
    obligation.agreement, obligation.payment_term = agreement, payment_term
    obligation.guarantee = guarantee
    if unchanged:
        obligation.save()
        return
    _drop_schedule(obligation, by=by, reason=f"赔偿协议更正为第{agreement.version}版")
    obligation.amount = amount
    _set_paid(obligation, obligation.paid)
    _build_schedule(obligation, schedule, start=start, event=event, by=by)
    _settle(obligation, on=timezone.localdate(), by=by)


def _cancel_obligation(obligation: FundObligation, *, by, reason: str) -> None:
    """An obligation the version in force no longer contains: nothing more is owed; what was
    paid stays paid (owed = paid, outstanding 0)."""
    obligation = FundObligation.objects.select_for_update().get(pk=obligation.pk)
    for item in obligation.schedule.select_related("deadline"):
        _cancel(item.deadline, by=by, reason=reason)
    obligation.amount, obligation.outstanding = obligation.paid, ZERO
    obligation.status = FundObligation.Status.CANCELLED
    obligation.note = "；".join(x for x in (obligation.note, reason) if x)
    obligation.save()


def add_judgment_obligation(litigation: Litigation, *, obligor, kind: str, amount,
                            due_on: date, by, supersede_agreement: bool = False
                            ) -> FundObligation:
    """Money owed under an effective judgment (SX 第三十七条: 按照人民法院生效判决缴纳), never more
    in total than the judgment's amount. Where the judgment replaces an agreement that was not
    performed, the agreement's unpaid obligations are cancelled so nothing is owed twice."""
    with transaction.atomic():
        case = _open_case(litigation.case)
        litigation = Litigation.objects.get(pk=litigation.pk)
        if litigation.state != Litigation.State.EFFECTIVE:
            raise RestorationError("判决尚未生效。")
        amount = _positive(amount, "应缴金额")
        if litigation.judgment_amount is not None:
            already = sum((o.amount for o in case.fund_obligations.filter(
                litigation=litigation).exclude(status=FundObligation.Status.CANCELLED)), ZERO)
            if already + amount > litigation.judgment_amount:
                raise ValidationError({"amount": f"判决赔偿金额为{yuan_text(litigation.judgment_amount)}，"
                                                 f"已登记{yuan_text(already)}，不能超过判决金额。"})
        if supersede_agreement:
            for old in case.fund_obligations.filter(source=FundObligation.Source.AGREEMENT,
                                                    status=FundObligation.Status.OPEN):
                _cancel_obligation(old, by=by, reason=f"由生效判决（{litigation.judgment_number}）确定")
        obligation = create_obligation(
            case, source=FundObligation.Source.JUDGMENT, obligor=obligor, kind=kind,
            amount=amount, schedule=[(amount, due_on)], start=litigation.effective_on,
            event="判决生效", by=by, litigation=litigation)
        ledger.verify(case)
    return obligation


def _lock_obligation(obligation: FundObligation) -> FundObligation:
    _open_case(obligation.case)
    return FundObligation.objects.select_for_update(of=("self",)).select_related(
        "case__rule_profile", "case__department", "obligor__party").get(pk=obligation.pk)


def set_payee(obligation: FundObligation, *, cross_county: bool, damage_jurisdiction=None,
              by) -> FundObligation:
    """NT 三(十一): funds go to the claimant's same-level treasury; where the same damage crosses
    counties of the city, in principle to the treasury where the damage occurred."""
    with transaction.atomic():
        obligation = _lock_obligation(obligation)
        if obligation.paid > 0:
            raise RestorationError("已有缴款的，不能再变更缴入国库。")
        case = obligation.case
        if cross_county:
            if damage_jurisdiction is None:
                raise ValidationError({"damage_jurisdiction": "跨县（市、区）的，请选择损害结果发生地。"})
            if damage_jurisdiction.level != Jurisdiction.Level.COUNTY or \
                    not damage_jurisdiction.path.startswith(case.jurisdiction.path) or \
                    damage_jurisdiction.pk == case.jurisdiction_id:
                raise ValidationError({"damage_jurisdiction":
                                       "损害结果发生地须为本市域内的县（市、区）（NT 三(十一)）。"})
            obligation.payee_treasury = damage_jurisdiction
        else:
            damage_jurisdiction = None
            obligation.payee_treasury = case.jurisdiction
        obligation.cross_county, obligation.damage_jurisdiction = cross_county, damage_jurisdiction
        obligation.save()
        ledger.verify(case)
    return obligation


def _require_head(by) -> None:
    if not by.has_perm("restoration.extend_schedule"):
        raise PermissionDenied("分期或延期缴纳须经办案部门负责人同意。")


def set_instalments(obligation: FundObligation, *, schedule: list, guarantee: str, by,
                    guarantee_file=None) -> FundObligation:
    """Instalments for an obligation not fixed by the agreement (a judgment's, an early end's,
    a deposit shortfall's), allowed only with a recorded guarantee (NT 三(九); SX 第二十五条)."""
    with transaction.atomic():
        _require_head(by)
        obligation = _lock_obligation(obligation)
        if obligation.source == FundObligation.Source.AGREEMENT:
            raise RestorationError("协议约定的缴纳方式须通过更正协议调整；延长期限请使用“延期缴纳”。")
        if obligation.paid > 0:
            raise RestorationError("已有缴款的，请以延期缴纳方式调整期限。")
        if obligation.status != FundObligation.Status.OPEN:
            raise RestorationError("该项缴纳义务已办结。")
        guarantee = (guarantee or "").strip() or obligation.guarantee
        problems = _schedule_problems(obligation.amount, schedule, guarantee)
        if any(d is not None and d <= timezone.localdate() for _a, d in schedule):
            problems.append("各期期限须晚于今天。")
        if problems:
            raise RestorationError("".join(problems))
        obligation.guarantee = guarantee
        if guarantee_file is not None:
            obligation.guarantee_file = attach(obligation.case, guarantee_file, by=by,
                                               kind="担保文件")
        obligation.save()
        _drop_schedule(obligation, by=by, reason="改为分期缴纳")
        _build_schedule(obligation, schedule, start=timezone.localdate(), event="同意分期缴纳",
                        by=by)
        ledger.verify(obligation.case)
    return obligation


def extend_item(item: ScheduleItem, *, due_on: date, reason: str, by, guarantee: str = "",
                guarantee_file=None) -> ScheduleItem:
    """延期缴纳 (SX 第二十五条; NT 三(九)): a later date for an unsettled payment, with the
    department's consent and a recorded guarantee; the deadline is extended in the engine."""
    with transaction.atomic():
        _require_head(by)
        obligation = _lock_obligation(item.obligation)
        item = ScheduleItem.objects.select_for_update(of=("self",)).select_related(
            "deadline").get(pk=item.pk)
        if item.settled_on:
            raise RestorationError("该期已缴清。")
        if not (reason or "").strip():
            raise ValidationError({"reason": "请填写延期理由。"})
        if due_on is None or due_on <= item.due_on:
            raise ValidationError({"due_on": f"新的期限须晚于原期限（{cn_date(item.due_on)}）。"})
        guarantee = (guarantee or "").strip() or obligation.guarantee
        if not guarantee.strip():
            raise ValidationError({"guarantee": "延期缴纳须有有效担保（NT 三(九)；SX 第二十五条）。"})
        obligation.guarantee = guarantee
        if guarantee_file is not None:
            obligation.guarantee_file = attach(obligation.case, guarantee_file, by=by,
                                               kind="担保文件")
        obligation.save()
        later = obligation.schedule.filter(sequence__gt=item.sequence,
                                           due_on__lt=due_on).first()
        if later:
            raise ValidationError({"due_on": f"不能晚于第{later.sequence}期的期限，请一并调整。"})
        days = (due_on - item.due_on).days
        item.due_on = due_on
        item.extension_reason = "；".join(x for x in (item.extension_reason, reason.strip()) if x)
        item.save()
        if item.deadline is not None and item.deadline.status in ACTIVE:
            engine.extend(item.deadline, approved_by=by, days=days,
                          reason=f"同意延期缴纳（有担保）：{reason.strip()}")
        ledger.verify(obligation.case)
    return item


def _account(case: Case, treasury_id: int, fund: str) -> FundAccount:
    account, _ = FundAccount.objects.get_or_create(case=case, treasury_id=treasury_id, fund=fund)
    return FundAccount.objects.select_for_update().get(pk=account.pk)


def record_payment(obligation: FundObligation, *, paid_on: date, amount, receipt_number: str,
                   by, payer: str = "", receipt_file=None, note: str = "") -> Payment:
    """A payment into the payee treasury as non-tax revenue, with its receipt number (CQ 十五;
    SX 第三十七条). Partial payments settle the schedule in order; nothing beyond what is
    outstanding is taken."""
    with transaction.atomic():
        obligation = _lock_obligation(obligation)
        case = obligation.case
        if obligation.status != FundObligation.Status.OPEN:
            raise RestorationError("该项缴纳义务已办结。")
        amount = _positive(amount, "缴款金额")
        if amount > obligation.outstanding:
            raise ValidationError({"amount": f"缴款金额超过欠缴金额（{yuan_text(obligation.outstanding)}）。"})
        _check_day(paid_on, label="缴款日期")
        receipt_number = (receipt_number or "").strip()
        if not receipt_number:
            raise ValidationError({"receipt_number": "请填写非税收入缴款票据号。"})
        if Payment.objects.filter(treasury=obligation.payee_treasury_id,
                                  receipt_number=receipt_number).exists():
            raise ValidationError({"receipt_number": "该票据号已登记过缴款，请核对。"})
        payment = Payment.objects.create(
            case=case, obligation=obligation, treasury_id=obligation.payee_treasury_id,
            paid_on=paid_on, amount=amount, receipt_number=receipt_number,
            payer=(payer or "").strip() or obligation.obligor.party.name, note=note,
            recorded_by=by)
        if receipt_file is not None:
            payment.receipt_file = attach(payment, receipt_file, by=by, kind="缴款凭证")
            payment.save()
        _set_paid(obligation, obligation.paid + amount)
        account = _account(case, obligation.payee_treasury_id, obligation.fund)
        account.received += amount
        account.balance += amount
        account.save()
        _settle(obligation, on=paid_on, by=by)
        ledger.verify(case)
    return payment


def overdue_items(case: Case):
    return ScheduleItem.objects.filter(
        obligation__case=case, settled_on__isnull=True,
        obligation__status=FundObligation.Status.OPEN,
        deadline__status=Deadline.Status.OVERDUE).select_related("obligation__obligor__party")


def enforcement_route(case: Case) -> str:
    """Where an unperformed obligation leads (SX 第二十二条; NAT 十): enforcement of a confirmed
    agreement or an effective judgment, else a suit on the unconfirmed agreement."""
    if negotiation_services.confirmed_agreement(case) or \
            negotiation_services.effective_judgment(case):
        return "enforcement"
    return "litigation"


def pursue_default(case: Case, *, note: str, by):
    """The enforcement path of the negotiation stage for what is overdue: 申请强制执行, or
    提起诉讼 when the agreement was never confirmed by a court (SX 第二十二条)."""
    if not (note or "").strip():
        raise ValidationError({"note": "请写明赔偿义务人未履行或未完全履行的情况。"})
    with transaction.atomic():
        case = _open_case(case)
        if case.stage != Case.Stage.PERFORMING:
            raise RestorationError(f"案件处于“{case.get_stage_display()}”阶段，不能再转入执行程序。")
        unperformed = [i for i in overdue_items(case)] or [
            p for p in case.restoration_projects.all()
            if p.finish_deadline_id and p.finish_deadline.status == Deadline.Status.OVERDUE
            and not p.is_done]
        if not unperformed:
            raise RestorationError("没有逾期未履行的赔偿资金或修复义务。")
        if enforcement_route(case) == "enforcement":
            return negotiation_services.start_enforcement(case, by=by)
        return negotiation_services.sue_for_nonperformance(case, note=note, by=by)


# --- deposits (保证金, NT 三(十一)) ---------------------------------------------------------------

def _lock_deposit(case: Case) -> Deposit:
    deposit = Deposit.objects.select_for_update().filter(case=case).first()
    if deposit is None or (deposit.agreed_amount <= 0 and deposit.received <= 0):
        raise RestorationError("赔偿协议未约定修复保证金（NT 三(十一)）。")
    return deposit


def _movement(deposit: Deposit, kind: str, *, on: date, amount: Decimal, by, reference="",
              note="", project=None, shortfall=None, file=None) -> DepositMovement:
    movement = DepositMovement.objects.create(
        deposit=deposit, kind=kind, on=on, amount=amount, reference=reference, note=note,
        project=project, shortfall=shortfall, recorded_by=by)
    if file is not None:
        movement.file = attach(deposit, file, by=by, kind=f"保证金{movement.get_kind_display()}凭证")
        movement.save()
    return movement


def receive_deposit(case: Case, *, on: date, amount, reference: str, by, file=None
                    ) -> DepositMovement:
    with transaction.atomic():
        case = _open_case(case)
        deposit = _lock_deposit(case)
        amount = _positive(amount, "收取金额")
        _check_day(on, label="收取日期")
        if deposit.received + amount > deposit.agreed_amount:
            raise ValidationError({"amount": f"超过约定的保证金金额（约定{yuan_text(deposit.agreed_amount)}，"
                                             f"已收取{yuan_text(deposit.received)}）。"})
        if not (reference or "").strip():
            raise ValidationError({"reference": "请填写收款票据号。"})
        deposit.received += amount
        deposit.held += amount
        deposit.save()
        movement = _movement(deposit, DepositMovement.Kind.RECEIVED, on=on, amount=amount, by=by,
                             reference=reference.strip(), file=file)
        ledger.verify(case)
    return movement


def refund_deposit(case: Case, *, on: date, reference: str, by, note: str = ""
                   ) -> DepositMovement:
    """修复、治理完成后保证金按实退还 (NT 三(十一)): once every restoration of the case passed its
    effect assessment or had it waived, what is held goes back to the obligor."""
    with transaction.atomic():
        case = _open_case(case)
        deposit = _lock_deposit(case)
        if deposit.held <= 0:
            raise RestorationError("保证金没有在管余额。")
        projects = list(case.restoration_projects.exclude(state=State.WITHDRAWN))
        unfinished = [p for p in projects if p.state not in (State.PASSED, State.WAIVED)]
        if not projects or unfinished:
            names = "、".join(f"修复项目{p.sequence}（{p.get_state_display()}）" for p in unfinished)
            raise RestorationError("修复完成并经效果评估（或依法不组织评估）后才能退还保证金"
                                   f"（NT 三(十一)）{('：' + names) if names else '。'}")
        _check_day(on, label="退还日期")
        amount = deposit.held
        deposit.refunded += amount
        deposit.held = ZERO
        deposit.save()
        movement = _movement(deposit, DepositMovement.Kind.REFUNDED, on=on, amount=amount, by=by,
                             reference=(reference or "").strip(), note=note)
        ledger.verify(case)
    return movement


def apply_deposit(case: Case, *, project: RestorationProject, cost, on: date, note: str, by,
                  due_on: date | None = None) -> DepositMovement:
    """The obligor did not (fully) restore: the department uses the deposit to restore as
    agreed, and what the deposit does not cover is still owed (NT 三(十一): 职能部门可按约定直接
    使用保证金进行修复、治理，同时对不足部分继续进行追偿; NT 三(九): 由部门委托第三方开展修复)."""
    with transaction.atomic():
        case = _open_case(case)
        deposit = _lock_deposit(case)
        project = RestorationProject.objects.select_for_update().get(pk=project.pk)
        if project.case_id != case.pk or project.is_done:
            raise ValidationError({"project": "请选择本案尚未完成的修复项目。"})
        if deposit.held <= 0:
            raise RestorationError("保证金没有在管余额。")
        cost = _positive(cost, "组织修复所需费用")
        if not (note or "").strip():
            raise ValidationError({"note": "请写明赔偿义务人未履行修复义务的情况。"})
        _check_day(on, label="使用日期")
        applied = min(deposit.held, cost)
        shortfall = cost - applied
        if shortfall > 0 and due_on is None:
            raise ValidationError({"due_on": f"保证金不足{yuan_text(shortfall)}，请填写不足部分的缴纳期限。"})
        deposit.applied += applied
        deposit.held -= applied
        deposit.save()
        owed = None
        if shortfall > 0:
            obligor = project.obligor or deposit.obligor or \
                case.obligor_links.order_by("id").first()
            owed = create_obligation(
                case, source=FundObligation.Source.DEPOSIT_SHORTFALL, obligor=obligor,
                kind=PaymentKind.RESTORATION_COST, amount=shortfall,
                schedule=[(shortfall, due_on)], start=on, event="使用保证金组织修复", by=by,
                project=project, note=f"{project} 组织修复费用{yuan_text(cost)}，保证金抵扣{yuan_text(applied)}")
        movement = _movement(deposit, DepositMovement.Kind.APPLIED, on=on, amount=applied,
                             by=by, note=note.strip(), project=project, shortfall=owed)
        project.taken_over_on = on
        project.save()
        ledger.verify(case)
    return movement


# --- spending (NT 三(十一)) -----------------------------------------------------------------------

def finance_department(treasury: Jurisdiction) -> Department | None:
    """The same-level finance department of the treasury (经同级财政部门审核)."""
    return Department.objects.filter(jurisdiction=treasury,
                                     kind=Department.Kind.FINANCE).order_by("id").first()


def draft_spending(case: Case, *, account: FundAccount, purpose_kind: str, purpose: str,
                   budget, by, restoration_project=None, alternative_project=None,
                   budget_file=None, request: SpendingRequest | None = None) -> SpendingRequest:
    """A spending request (the department's budget and purpose), new or a returned one edited."""
    with transaction.atomic():
        case = _open_case(case)
        if account.case_id != case.pk:
            raise ValidationError({"account": "请选择本案的资金账户。"})
        reviewer = finance_department(account.treasury)
        if reviewer is None:
            raise ValidationError({"account": f"{account.treasury.name}未设财政部门，无法提交审核。"})
        if restoration_project is not None and restoration_project.case_id != case.pk:
            raise ValidationError({"restoration_project": "请选择本案的修复项目。"})
        if alternative_project is not None and not AlternativeProject.objects.filter(
                pk=alternative_project.pk,
                jurisdiction__path__startswith=case.jurisdiction.path).exists():
            raise ValidationError({"alternative_project": "请选择本行政区替代修复项目库中的项目。"})
        budget = _positive(budget, "申请金额")
        fields = {"account": account, "reviewing_department": reviewer,
                  "purpose_kind": purpose_kind, "purpose": purpose.strip(), "budget": budget,
                  "restoration_project": restoration_project,
                  "alternative_project": alternative_project}
        if request is None:
            request = SpendingRequest.objects.create(case=case, requested_by=by, **fields)
        else:
            request = SpendingRequest.objects.select_for_update().get(pk=request.pk)
            if request.state not in (SpendingRequest.State.DRAFT, SpendingRequest.State.RETURNED):
                raise RestorationError("已提交财政审核的申请不能修改。")
            for name, value in fields.items():
                setattr(request, name, value)
            request.save()
        if budget_file is not None:
            request.budget_file = attach(request, budget_file, by=by, kind="支出预算")
            request.save()
    return request


def _finance_users(request: SpendingRequest) -> list[int]:
    return list(request.reviewing_department.users.filter(
        is_active=True, groups__name=group_name(Role.FINANCE)).values_list("pk", flat=True))


def submit_spending(request: SpendingRequest, *, by, seen_state=None) -> SpendingRequest:
    with transaction.atomic():
        _open_case(request.case)
        SpendingRequest.objects.select_for_update().get(pk=request.pk)
        FundAccount.objects.select_for_update().get(pk=request.account_id)
        request = perform(request, "submit", by=by, expected_state=seen_state)
        notify_many([Draft(recipient_id=pk, verb="spending",
                           title=f"待审核资金使用申请：{request}",
                           body=f"{request.case.department}申请使用赔偿资金{yuan_text(request.budget)}："
                                f"{request.purpose}", url=request.get_absolute_url(),
                           dedupe_key=f"spending-submitted-{request.pk}-{request.submitted_on}")
                     for pk in _finance_users(request)])
    return request


def review_spending(request: SpendingRequest, *, approve: bool, opinion: str, by,
                    approved_amount=None, seen_state=None) -> SpendingRequest:
    """The finance department's review (经同级财政部门审核, NT 三(十一)): approve an amount not above
    the request and the account's available balance, or send it back with the reasons."""
    if not (opinion or "").strip():
        raise ValidationError({"opinion": "请填写审核意见。"})
    with transaction.atomic():
        _open_case(request.case)
        FundAccount.objects.select_for_update().get(pk=request.account_id)
        locked = SpendingRequest.objects.select_for_update().get(pk=request.pk)
        if approve:
            locked.review_opinion = opinion.strip()
            locked.approved_amount = None if approved_amount is None else \
                _positive(approved_amount, "核定金额")
            if locked.approved_amount is None:
                locked.approved_amount = locked.budget
            locked.save()
            request = perform(locked, "approve", by=by, expected_state=seen_state,
                              reason=opinion)
        else:
            request = perform(locked, "send_back", by=by, expected_state=seen_state,
                              reason=opinion.strip())
        notify_many([Draft(recipient_id=request.requested_by_id, verb="spending",
                           title=f"资金使用申请{request.get_state_display()}：{request}",
                           body=opinion.strip(), url=request.get_absolute_url(),
                           dedupe_key=f"spending-reviewed-{request.pk}-{request.state}-"
                                      f"{request.reviewed_on}")])
        ledger.verify(request.case)
    return request


def pay_spending(request: SpendingRequest, *, paid_on: date, voucher_number: str, by,
                 seen_state=None) -> SpendingRequest:
    """The approved amount leaves the treasury (按规定支出): the account's spending grows and its
    balance falls by the same amount."""
    with transaction.atomic():
        _open_case(request.case)
        account = FundAccount.objects.select_for_update().get(pk=request.account_id)
        locked = SpendingRequest.objects.select_for_update().get(pk=request.pk)
        _check_day(paid_on, label="支付日期", not_before=locked.reviewed_on,
                   not_before_label="审核日期")
        locked.paid_on, locked.voucher_number = paid_on, (voucher_number or "").strip()
        locked.save()
        request = perform(locked, "pay_out", by=by, expected_state=seen_state)
        if request.approved_amount > account.balance:
            raise RestorationError("账户结余不足，不能支付。")
        account.spent += request.approved_amount
        account.balance -= request.approved_amount
        account.save()
        ledger.verify(request.case)
    return request


# --- closing the case (结案) --------------------------------------------------------------------

def request_closing(case: Case, *, summary: str, by, seen_state=None):
    """结案 once every obligation is performed (cases/closing.py; restoration/closing.py), with the
    division head's approval (the case_closing action of cases/apps.py)."""
    return approvals.request_approval(case, "case_closing", by=by, summary=summary,
                                      seen_state=seen_state)
