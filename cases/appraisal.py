"""Appraisal services (鉴定评估): entrust, extend the period, record the result, cancel,
correct the recorded dates.

Each runs in one transaction: the checks, the appraisal, its period (a workflow.Deadline), the
case's stage (调查中 ⇄ 鉴定评估中, through workflow.transitions.perform, which pauses and resumes
the investigation clock: CQ 五; NAT 四) and the case's amounts either all happen or none does.
The clock follows the recorded dates, not the day they are entered: it stops on the
entrustment date and runs again on the completion date; correct_dates moves it when either
date is corrected.

User errors are django.core.exceptions.ValidationError with a dict keyed by the argument
names (a form shows each next to its field); a transition refused by the engine raises
workflow.transitions.TransitionError, a period operation workflow.deadlines.DeadlineError, a
user without `cases.handle_case` PermissionDenied.

Rules come from the case's profile, never from constants here:
- `simple.expert_panel_min` (CQ 九; SX 第十五条: 一般不少于3人);
- `appraisal.period` (SX 第十四条: 30 working days from the entrustment, at most `max_days`
  (60) when complex, the client told of the extension). A profile without it (CQ, NAT) opens
  no appraisal deadline.
"""

from __future__ import annotations

import importlib
import importlib.util
import unicodedata
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role, has_role
from rules.calendar import cn_date
from rules.errors import RuleError
from rules.services import as_date
from workflow import deadlines as engine
from workflow.attachments import attach, validate_upload
from workflow.audit import acting_as
from workflow.models import Attachment, Deadline, DeadlineKind
from workflow.transitions import perform

from .models import Appraisal, AppraisalPanelMember, Case, Evidence

Method = Appraisal.Method
SIMPLE_CLASSES = (Case.Classification.TRIVIAL, Case.Classification.SIMPLE)
ACTIVE_DEADLINE = ("open", "overdue")
REPORT_KIND = "鉴定意见或鉴定评估报告"


# --- small helpers -------------------------------------------------------------------------

def has_running_appraisal(case) -> bool:
    """True while an appraisal of the case is running: the condition of Case.finish_appraisal
    (Case.running_appraisal calls this or queries case.appraisals the same way)."""
    return Appraisal.objects.filter(case_id=case.pk, status=Appraisal.Status.RUNNING).exists()


def _require_handler(by) -> None:
    if by is None or not by.has_perm("cases.handle_case"):
        raise PermissionDenied("您没有办理案件的权限。")


def _name_key(name: str) -> str:
    """An organisation name compared as written: NFKC (全角括号 → 半角), no spaces."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(text.split())


def expert_panel_min(case) -> tuple[int | None, str]:
    """(minimum experts, citation) from the case's profile; (None, "") if it sets none."""
    try:
        rule = case.rule_profile.rule("simple.expert_panel_min", case.opened_on)
    except RuleError:
        return None, ""
    return int(rule.value["count"]), rule.citation


def appraisal_period_rule(case, on: date):
    """The case profile's appraisal.period rule, or None (CQ and NAT set none)."""
    try:
        return case.rule_profile.rule(engine.KIND_RULES[DeadlineKind.APPRAISAL], on)
    except RuleError:
        return None


def simplified_allowed(case) -> bool:
    """Expert panel and comprehensive determination are for simple (and trivial) cases
    (SX 第十五条; CQ 九; NAT 五)."""
    return case.classification in SIMPLE_CLASSES


def obligor_conflicts(case, experts) -> dict[int, str]:
    """{expert id: Chinese reason} for experts whose organisation is one of the case's obligors,
    matched by the organisation's credit code, else by its name."""
    parties = [link.party for link in case.obligor_links.select_related("party")]
    by_code = {p.credit_code: p for p in parties if p.credit_code}
    by_name = {_name_key(p.name): p for p in parties if p.name}
    found = {}
    for expert in experts:
        party = (by_code.get(expert.organisation_credit_code)
                 if expert.organisation_credit_code else None) \
            or by_name.get(_name_key(expert.organisation))
        if party is not None:
            found[expert.pk] = (
                f"专家{expert.name}的工作单位“{expert.organisation}”是本案赔偿义务人"
                f"（{party.name}），应当回避，不能选为评估专家。")
    return found


def _cn_classification(case) -> str:
    return case.get_classification_display() if case.classification else "未分类"


def _is_head_of(user, case) -> bool:
    return (user is not None and has_role(user, Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD)
            and user.department_id == case.department_id)


def _check_date(errors, field: str, value, *, label: str, not_before: date | None = None,
                not_before_label: str = "") -> date | None:
    if value is None:
        errors[field].append(f"请填写{label}。")
        return None
    day = as_date(value)
    if day > timezone.localdate():
        errors[field].append(f"{label}不能晚于今天。")
    if not_before is not None and day < not_before:
        errors[field].append(f"{label}不能早于{not_before_label}（{cn_date(not_before)}）。")
    return day


def _amount(errors, field: str, value, *, label: str, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field].append(f"请填写{label}。")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[field].append(f"{label}应为金额（元），最多两位小数。")
        return None
    if isinstance(value, float) or not amount.is_finite():
        errors[field].append(f"{label}应为金额（元），最多两位小数。")
        return None
    if amount < 0:
        errors[field].append(f"{label}不能为负数。")
    if amount.as_tuple().exponent < -2:
        errors[field].append(f"{label}最多两位小数。")
    if amount >= Decimal("1e12"):
        errors[field].append(f"{label}超出可登记的范围。")
    return amount.quantize(Decimal("0.01")) if amount.as_tuple().exponent >= -2 else amount


def _raise(errors) -> None:
    found = {k: v for k, v in errors.items() if v}
    if found:
        raise ValidationError(found)


def _reclassify(case, *, by):
    """Re-run the case's classification now that the amount is known (issue 4). The
    classification service is written by another part of issue 4: called only when
    cases/classification.py exists and defines reclassify(case, by=...)."""
    if importlib.util.find_spec("cases.classification") is None:
        return None
    reclassify = getattr(importlib.import_module("cases.classification"), "reclassify", None)
    if reclassify is None:
        return None
    return reclassify(case, by=by)


def _field_error(exc: engine.DeadlineError, **fields) -> ValidationError:
    """A refused period operation as an error on the form field it concerns."""
    field = fields.get(getattr(exc, "field", None) or "")
    return ValidationError({field: [str(exc)]} if field else str(exc))


def _investigation_pauses(case, *, open_only=False):
    """(deadline, pause) of the case's investigation periods (CQ 五), latest pause first."""
    deadlines = engine.deadlines_of(case).filter(kind=DeadlineKind.INVESTIGATION).exclude(
        status=Deadline.Status.CANCELLED)
    for deadline in deadlines:
        pauses = deadline.pauses.order_by("-started_on", "-id")
        if open_only:
            pauses = pauses.filter(ended_on__isnull=True)
        for pause in pauses:
            yield deadline, pause


def _episode_end(case, day: date) -> date:
    """The day the last of the overlapping appraisals finished: the latest completion date
    among the finished appraisals entrusted since the investigation clock stopped."""
    since = min((p.started_on for _d, p in _investigation_pauses(case, open_only=True)),
                default=day)
    ends = case.appraisals.filter(status=Appraisal.Status.FINISHED, entrusted_on__gte=since,
                                  finished_on__isnull=False).values_list("finished_on", flat=True)
    return max([day, *ends])


# --- entrust -------------------------------------------------------------------------------

def entrust(case, *, method, institution=None, experts=(), entrusted_on, by,
            jointly_with_obligor=False, allowed_by=None, allowed_on=None, allowance_note="",
            matters="", leader=None) -> Appraisal:
    """Entrust an appraisal of `case` (SX 第十四条、第十五条; CQ 六、九; NAT 五).

    - institution: an active appraisal institution whose qualification has not expired and
      that is not an obligor; may be commissioned jointly with the obligor;
    - expert_panel: at least the profile's simple.expert_panel_min active experts, none from
      an obligor's organisation (by credit code, else by name);
    - comprehensive: neither institution nor experts.
    The two simplified methods only for cases classified 简单 or 显著轻微, unless `allowed_by`
    (a division or department head of the handling department) allowed it.
    The case moves 调查中 → 鉴定评估中 (pausing the investigation clock) unless an appraisal is
    already running; the appraisal period opens from `entrusted_on` in working days when the
    profile sets appraisal.period."""
    _require_handler(by)
    experts = list(dict.fromkeys(experts))
    errors = defaultdict(list)
    with transaction.atomic(), acting_as(by):
        case = Case.objects.select_for_update().select_related("rule_profile").get(pk=case.pk)
        if case.is_read_only or case.stage not in (Case.Stage.INVESTIGATING,
                                                   Case.Stage.APPRAISING):
            raise ValidationError(
                f"案件处于“{case.get_stage_display()}”阶段，只有调查中的案件可以委托鉴定评估。")
        if method not in Method.values:
            errors["method"].append("请选择鉴定评估方式。")
        day = _check_date(errors, "entrusted_on", entrusted_on, label="委托日期",
                          not_before=case.investigation_started_on,
                          not_before_label="调查开始日期")

        if method == Method.INSTITUTION:
            if institution is None:
                errors["institution"].append("委托鉴定评估机构须选择机构。")
            else:
                if not institution.active:
                    errors["institution"].append(f"鉴定评估机构“{institution}”已停用，不能委托。")
                valid_until = institution.qualification_valid_until
                if valid_until and day and valid_until < day:
                    errors["institution"].append(
                        f"鉴定评估机构“{institution}”的资质有效期至{cn_date(valid_until)}，"
                        "委托日已过期，不能委托（SX 第十四条：委托符合条件的机构）。")
                if case.obligor_links.filter(party__credit_code=institution.credit_code).exists():
                    errors["institution"].append(
                        f"鉴定评估机构“{institution}”是本案赔偿义务人，不能委托。")
        elif institution is not None:
            errors["institution"].append("只有委托鉴定评估机构时才选择机构。")
        if jointly_with_obligor and method != Method.INSTITUTION:
            errors["jointly_with_obligor"].append(
                "与赔偿义务人共同委托仅适用于委托鉴定评估机构（SX 第十四条；NAT 五）。")

        if method == Method.EXPERT_PANEL:
            minimum, citation = expert_panel_min(case)
            needed = minimum or 1
            if len(experts) < needed:
                errors["experts"].append(
                    f"专家评估须选择至少{needed}名专家，现选择{len(experts)}名"
                    + (f"（{citation}：一般不少于{minimum}人）。" if minimum else "。"))
            for expert in experts:
                if not expert.active:
                    errors["experts"].append(f"专家{expert.name}已停用，不能选用。")
            errors["experts"].extend(obligor_conflicts(case, experts).values())
            if leader is not None and leader not in experts:
                errors["leader"].append("专家组组长须是所选专家之一。")
        elif experts:
            errors["experts"].append("只有专家评估方式才选择专家。")

        allowance = None
        if method in Appraisal.SIMPLIFIED_METHODS and not simplified_allowed(case):
            label = Method(method).label
            if allowed_by is None:
                errors["method"].append(
                    f"本案案件类别为“{_cn_classification(case)}”，{label}属于简易评估方式，"
                    "仅适用于简单案件（SX 第十五条；CQ 九）；其他案件应委托鉴定评估机构，"
                    "或经机构负责人、部门负责人同意。")
            elif not _is_head_of(allowed_by, case):
                errors["allowed_by"].append(
                    f"{allowed_by.get_full_name() or allowed_by}不是本案办案部门的机构负责人"
                    "或部门负责人，不能同意适用简易评估方式。")
            else:
                allowed_day = _check_date(errors, "allowed_on", allowed_on or timezone.localdate(),
                                          label="负责人同意日期")
                allowance = (allowed_by, allowed_day, (allowance_note or "").strip())
        _raise(errors)

        appraisal = Appraisal.objects.create(
            case=case,
            sequence=(case.appraisals.order_by("-sequence").values_list("sequence", flat=True)
                      .first() or 0) + 1,
            method=method,
            institution=institution if method == Method.INSTITUTION else None,
            jointly_with_obligor=bool(jointly_with_obligor),
            matters=(matters or "").strip(),
            entrusted_on=day,
            entrusted_by=by,
            case_classification=case.classification,
            allowed_by=allowance[0] if allowance else None,
            allowed_on=allowance[1] if allowance else None,
            allowance_note=allowance[2] if allowance else "",
        )
        for expert in experts:
            AppraisalPanelMember.objects.create(appraisal=appraisal, expert=expert,
                                                organisation=expert.organisation,
                                                is_leader=expert == leader)
        try:
            if case.stage == Case.Stage.INVESTIGATING:
                # CQ 五: the investigation clock stops on the entrustment date as recorded
                perform(case, "start_appraisal", by=by, on=day,
                        reason=f"{Method(method).label}，委托日期{cn_date(day)}")
            else:  # another appraisal runs: the pause begins with the earliest entrustment
                for deadline, running in _investigation_pauses(case, open_only=True):
                    if running.started_on > day:
                        engine.correct_pause(deadline, running, started_on=day, by=by,
                                             reason=f"{appraisal}委托日期{cn_date(day)}早于中止起始日"
                                                    "（CQ 五：开展鉴定评估时间不计入损害调查期限）")
        except engine.DeadlineError as exc:
            raise _field_error(exc, started_on="entrusted_on", on="entrusted_on") from exc
        if appraisal_period_rule(case, day) is not None:
            comprehensive = method == Method.COMPREHENSIVE
            engine.open_deadline(
                appraisal, DeadlineKind.APPRAISAL, profile=case.rule_profile, start_date=day,
                start_event="开始综合认定" if comprehensive else "entrustment_effective",
                responsible=by, department=case.department, by=by,
                title=f"案件 {case.number} 鉴定评估期限")
    return appraisal


# --- extension -----------------------------------------------------------------------------

def extend_appraisal(appraisal, *, notice_on, notice_text, by) -> Appraisal:
    """The appraisal is complex: its period goes to the rule's max_days (SX 第十四条: 一般不得
    超过60个工作日), with the notice of the extension to the client recorded. Refused when the
    period is already at the limit, or the profile sets no appraisal period."""
    _require_handler(by)
    errors = defaultdict(list)
    with transaction.atomic(), acting_as(by):
        appraisal = Appraisal.objects.select_for_update().select_related("case").get(
            pk=appraisal.pk)
        if appraisal.status != Appraisal.Status.RUNNING:
            raise ValidationError(f"鉴定评估状态为“{appraisal.get_status_display()}”，不能延长期限。")
        deadline = appraisal.deadline
        if deadline is None:
            raise ValidationError("本案适用的规则未规定鉴定评估期限，无需延长。")
        if deadline.status not in ACTIVE_DEADLINE:
            raise ValidationError(f"鉴定评估期限状态为“{deadline.get_status_display()}”，不能延长。")
        day = _check_date(errors, "notice_on", notice_on, label="延期告知日期",
                          not_before=appraisal.entrusted_on, not_before_label="委托日期")
        text = (notice_text or "").strip()
        if not text:
            errors["notice_text"].append("请填写告知委托人的延期内容（SX 第十四条：鉴定评估时限延长的，应当及时告知委托人）。")
        _raise(errors)
        try:
            engine.extend(deadline, approved_by=by, reason=(
                f"鉴定评估事项复杂，期限延长；已于{cn_date(day)}告知委托人：{text}（{deadline.citation}）"))
        except engine.DeadlineError as exc:
            raise ValidationError(str(exc)) from exc
        appraisal.period_extended = True
        appraisal.extension_notice_on = day
        appraisal.extension_notice_text = text
        appraisal.save()
    return appraisal


# --- result --------------------------------------------------------------------------------

def record_result(appraisal, *, amount, restorability, finished_on, by, fees=None, area="",
                  requirements="", report_number="", report_file=None) -> Appraisal:
    """The appraisal's result (SX 第十六条; CQ 六; NAT 五): the damage amount (fees apart),
    whether the damage can be restored (partly: area and requirements), report number and
    file. Stored on the appraisal, copied to the case (amount, restorability, area,
    requirements; fees: the sum over the case's finished appraisals), the report filed as
    evidence, the period met; when no other appraisal runs the case returns to 调查中 and the
    investigation clock resumes; then the classification is re-run."""
    _require_handler(by)
    errors = defaultdict(list)
    with transaction.atomic(), acting_as(by):
        appraisal = Appraisal.objects.select_for_update().select_related("case").get(
            pk=appraisal.pk)
        if appraisal.status != Appraisal.Status.RUNNING:
            raise ValidationError(f"鉴定评估状态为“{appraisal.get_status_display()}”，不能录入结果。")
        value = _amount(errors, "amount", amount, label="生态环境损害数额", required=True)
        fee = _amount(errors, "fees", fees, label="鉴定评估费用", required=False)
        R = Case.Restorability
        if restorability not in (R.YES, R.PARTLY, R.NO):
            errors["restorability"].append(
                "请写明生态环境损害是否可以修复（SX 第十六条；CQ 六）。")
        area, requirements = (area or "").strip(), (requirements or "").strip()
        if restorability == R.PARTLY:
            if not area:
                errors["area"].append("部分可以修复的，应当明确可以修复的区域范围（SX 第十六条）。")
            if not requirements:
                errors["requirements"].append("部分可以修复的，应当明确修复要求（SX 第十六条）。")
        report_number = (report_number or "").strip()
        if appraisal.method == Method.INSTITUTION and not report_number:
            errors["report_number"].append("请填写鉴定意见或鉴定评估报告的编号。")
        if report_file is not None and not isinstance(report_file, Attachment):
            try:
                validate_upload(report_file)
            except ValidationError as exc:
                errors["report_file"].extend(exc.messages)
        day = _check_date(errors, "finished_on", finished_on, label="完成日期",
                          not_before=appraisal.entrusted_on, not_before_label="委托日期")
        _raise(errors)

        if report_file is None or isinstance(report_file, Attachment):
            report = report_file
        else:
            report = attach(appraisal, report_file, by=by, kind=REPORT_KIND,
                            description=report_number)
        appraisal = perform(appraisal, "finish", by=by, reason="录入鉴定评估结果", results={
            "damage_amount": value, "fees_amount": fee, "restorability": restorability,
            "restorable_area": area, "restoration_requirements": requirements,
            "report_number": report_number, "report": report, "finished_on": day,
        })

        case = Case.objects.select_for_update().get(pk=appraisal.case_id)
        case.appraised_amount = value
        if fee is not None:
            fees = [a.fees_amount for a in case.appraisals.filter(
                status=Appraisal.Status.FINISHED, fees_amount__isnull=False)]
            case.fees_amount = sum(fees, Decimal("0.00"))
        case.restorability = restorability
        case.restorable_area = area
        case.restoration_requirements = requirements
        case.save()

        if report is not None:
            Evidence.objects.create(
                case=case, kind=Evidence.Kind.APPRAISAL, recorded_by=by, collected_on=day,
                title=f"{Appraisal.Method(appraisal.method).label}"
                      + (f" {report_number}" if report_number else ""),
                description=f"{appraisal}的结果", attachment=report)

        deadline = appraisal.deadline
        if deadline is not None and deadline.status in ACTIVE_DEADLINE:
            at = timezone.now() if day == timezone.localdate() else \
                timezone.make_aware(datetime.combine(day, time(12)))
            engine.mark_met(deadline, by=by, at=at, note="鉴定评估完成")

        if case.stage == Case.Stage.APPRAISING and not has_running_appraisal(case):
            # CQ 五: counting resumes on the completion date as recorded (the latest one when
            # several appraisals overlapped), not on the day it is entered
            try:
                case = perform(case, "finish_appraisal", by=by, on=_episode_end(case, day),
                               reason=f"{appraisal}已完成")
            except engine.DeadlineError as exc:
                raise _field_error(exc, on="finished_on") from exc
        _reclassify(case, by=by)
    return appraisal


# --- cancellation --------------------------------------------------------------------------

def cancel_appraisal(appraisal, *, reason, by) -> Appraisal:
    """Withdraw an entrustment (the institution declined, a wrong method …): the period is
    cancelled and, when no other appraisal runs, the case returns to 调查中."""
    _require_handler(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写撤销理由。"]})
    with transaction.atomic(), acting_as(by):
        appraisal = perform(appraisal, "cancel", by=by, reason=reason.strip())
        deadline = appraisal.deadline
        if deadline is not None and deadline.status in ACTIVE_DEADLINE:
            engine.cancel(deadline, by=by, reason=f"鉴定评估委托已撤销：{reason.strip()}")
        case = Case.objects.select_for_update().get(pk=appraisal.case_id)
        if case.stage == Case.Stage.APPRAISING and not has_running_appraisal(case):
            perform(case, "finish_appraisal", by=by, reason=f"{appraisal}已撤销")
    return appraisal


# --- correcting the dates ------------------------------------------------------------------

def _members(case, pause, appraisal, old_entrusted):
    """The case's other appraisals that ran within `pause` (entrusted inside it); None if the
    corrected appraisal (by its old entrustment date) was not one of them."""
    def inside(day):
        return pause.started_on <= day and (pause.ended_on is None or day <= pause.ended_on)

    if not inside(old_entrusted):
        return None
    return [a for a in case.appraisals.exclude(pk=appraisal.pk) if inside(a.entrusted_on)]


def _move_investigation_pause(case, appraisal, *, old_entrusted, old_finished, by, reason):
    """Make the investigation pause the appraisal fell in match its corrected dates: it starts
    with the earliest entrustment of the appraisals that ran in it and ends with the latest
    completion (an end not explained by a completion, e.g. a withdrawal, stays as it was)."""
    for deadline, pause in _investigation_pauses(case):
        others = _members(case, pause, appraisal, old_entrusted)
        if others is None:
            continue
        start = min([appraisal.entrusted_on, *(a.entrusted_on for a in others)])
        end = pause.ended_on
        if end is not None:
            finished = [a.finished_on for a in others
                        if a.status == Appraisal.Status.FINISHED and a.finished_on]
            old_ends = finished + ([old_finished] if old_finished else [])
            new_ends = finished + ([appraisal.finished_on] if appraisal.finished_on else [])
            explained = bool(old_ends) and max(old_ends) == end
            end = max(new_ends + ([] if explained else [end]))
        engine.correct_pause(deadline, pause, started_on=start,
                             ended_on=end if pause.ended_on is not None else None,
                             by=by, reason=reason)
        return


def correct_dates(appraisal, *, entrusted_on, finished_on=None, reason, by) -> Appraisal:
    """Correct the appraisal's recorded entrustment date and, once finished, its completion
    date. Periods follow the facts (CQ 五: 开展鉴定评估时间不计入损害调查期限; SX 第十四条: the
    appraisal period runs from the entrustment): in the same transaction the investigation
    pause moves to the corrected dates and the investigation due date is recomputed, the
    appraisal's own period restarts from the corrected entrustment date, each change written
    to the deadline's history with who, why and the old and new due date."""
    _require_handler(by)
    errors = defaultdict(list)
    with transaction.atomic(), acting_as(by):
        appraisal = Appraisal.objects.select_for_update().select_related("case").get(
            pk=appraisal.pk)
        case = Case.objects.select_for_update().get(pk=appraisal.case_id)
        if case.is_read_only:
            raise ValidationError(f"案件处于“{case.get_stage_display()}”阶段，不能更正日期。")
        if appraisal.status == Appraisal.Status.CANCELLED:
            raise ValidationError("鉴定评估委托已撤销，不能更正日期。")
        why = (reason or "").strip()
        if not why:
            errors["reason"].append("请填写更正理由。")
        new_entrusted = _check_date(errors, "entrusted_on", entrusted_on, label="委托日期",
                                    not_before=case.investigation_started_on,
                                    not_before_label="调查开始日期")
        finished = appraisal.status == Appraisal.Status.FINISHED
        new_finished = None
        if finished:
            new_finished = _check_date(errors, "finished_on", finished_on, label="完成日期")
            if new_entrusted and new_finished and new_finished < new_entrusted:
                errors["finished_on"].append(
                    f"完成日期不能早于委托日期（{cn_date(new_entrusted)}）。")
        elif finished_on is not None:
            errors["finished_on"].append("鉴定评估尚未完成，完成日期在录入结果时填写。")
        _raise(errors)
        old_entrusted, old_finished = appraisal.entrusted_on, appraisal.finished_on
        if (new_entrusted, new_finished) == (old_entrusted, old_finished):
            raise ValidationError("日期与已登记的相同，无需更正。")

        said = []
        if new_entrusted != old_entrusted:
            said.append(f"委托日期由{cn_date(old_entrusted)}更正为{cn_date(new_entrusted)}")
        if finished and new_finished != old_finished:
            said.append(f"完成日期由{cn_date(old_finished)}更正为{cn_date(new_finished)}")
        change = (f"{appraisal}{'，'.join(said)}：{why}"
                  "（CQ 五：开展鉴定评估时间不计入损害调查期限）")
        appraisal.entrusted_on = new_entrusted
        if finished:
            appraisal.finished_on = new_finished
        appraisal.save()

        try:
            _move_investigation_pause(case, appraisal, old_entrusted=old_entrusted,
                                      old_finished=old_finished, by=by, reason=change)
            deadline = appraisal.deadline
            if deadline is not None and deadline.status != Deadline.Status.CANCELLED:
                engine.correct_start(deadline, start_date=new_entrusted, by=by, reason=change)
                if finished and new_finished != old_finished:
                    engine.correct_met(deadline, at=timezone.make_aware(
                        datetime.combine(new_finished, time(12))), by=by, reason=change)
        except engine.DeadlineError as exc:
            raise _field_error(exc, started_on="entrusted_on", start_date="entrusted_on",
                               ended_on="finished_on") from exc

        if finished and new_finished != old_finished and appraisal.report_id:
            for evidence in Evidence.objects.filter(case=case, kind=Evidence.Kind.APPRAISAL,
                                                    attachment_id=appraisal.report_id):
                evidence.collected_on = new_finished
                evidence.save()
    return appraisal
