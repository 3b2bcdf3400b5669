"""Multi-object operations of negotiation, agreement, judicial confirmation, litigation and
enforcement. Each runs in one transaction, moves states only through
workflow.transitions.perform, and keeps the case's stage in step (CQ 七、八; SX 第十七–二十二条)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Department
from cases.closing import closing_check
from cases.models import Case
from cases.stages import stage_follower
from rules.calendar import cn_date
from workflow import approvals
from workflow import deadlines as engine
from workflow.attachments import attach
from workflow.formatting import amount as yuan_text
from workflow.models import Deadline, DeadlineKind
from workflow.transitions import ConditionsNotMet, TransitionDenied, TransitionError, perform

from . import failure
from .models import (
    MAX_ROUNDS,
    Agreement,
    Enforcement,
    Instalment,
    JudicialConfirmation,
    Litigation,
    Meeting,
    Negotiation,
    PaymentTerm,
    RestorationTerm,
    ServiceAttempt,
)
from .signals import agreement_signed

State = Negotiation.State
ACTIVE = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)


class NegotiationError(TransitionError):
    """An operation refused for a reason the user can fix; the message is in Chinese."""


def _require_handler(case: Case, by) -> None:
    """The officer of the handling or a joint department (cases.handle_case within
    Case.objects.workable_by) — the services check it themselves, not only the views."""
    if not by.has_perm("cases.handle_case") or not case.is_workable_by(by):
        raise TransitionDenied("您没有办理该案件的权限。")


def _lock(negotiation: Negotiation) -> Negotiation:
    return Negotiation.objects.select_for_update().select_related(
        "case", "case__rule_profile").get(pk=negotiation.pk)


def _check_period(negotiation: Negotiation, on: date | None = None, label: str = "") -> None:
    """Past the 90 days a round goes on only with the division head's approval (NAT 六;
    CQ 七(一); SX 第十八条), else it is 磋商不成 (CQ 七(三)6; SX 第十九条(六)). A step dated
    `on` within the period (a meeting held before, entered late) is still recorded."""
    block = negotiation.overrun_block(on=on)
    if block:
        if on is not None and label:
            block = f"{label}（{cn_date(on)}）在磋商期限届满之后。{block}"
        raise NegotiationError(block)


def _check_day(day: date, *, label: str, not_before: date | None = None,
               not_before_label: str = "") -> None:
    if day > timezone.localdate():
        raise NegotiationError(f"{label}不能晚于今天。")
    if not_before and day < not_before:
        raise NegotiationError(f"{label}不能早于{not_before_label}（{cn_date(not_before)}）。")


# --- rounds ---------------------------------------------------------------------------------

def _notice_defaults(case: Case, by) -> dict:
    investigation = getattr(case, "investigation", None)
    findings = []
    if investigation and investigation.damage_facts:
        findings.append(f"调查结论：{investigation.damage_facts}")
    for appraisal in case.appraisals.filter(status="finished"):
        amount = f"，损害数额{yuan_text(appraisal.damage_amount)}" if appraisal.damage_amount else ""
        findings.append(f"{appraisal.get_method_display()}（{appraisal.report_number or '无编号'}）"
                        f"：{appraisal.get_restorability_display()}{amount}")
    restorable = "；".join(x for x in (case.restorable_area, case.restoration_requirements) if x)
    return {
        "notice_cause": case.cause,
        "notice_findings": "\n".join(findings),
        "notice_restorable": restorable,
        "group_own": f"{case.department}：{by.get_full_name() or by.username}",
    }


ONE_RENEGOTIATION = ("未予司法确认的，只能重新磋商一次；重新磋商不成的，应当及时提起诉讼，"
                     "不能再开启新一轮磋商（CQ 八；SX 第二十一条）。")


def open_round(case: Case, *, by, kind: str = Negotiation.Kind.FIRST) -> Negotiation:
    """A new negotiation round, its notice prefilled from the investigation and appraisal.
    A case has one first round and, only after the court refused to confirm its agreement,
    one renegotiation — never a third round (CQ 八; SX 第二十一条; the database refuses a
    round number above 2 as well)."""
    if kind not in Negotiation.Kind.values:
        raise NegotiationError("未知的磋商类型。")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        rounds = case.negotiations.all()
        count = rounds.count()
        if count >= MAX_ROUNDS or rounds.filter(kind=Negotiation.Kind.RENEGOTIATION).exists():
            raise NegotiationError(ONE_RENEGOTIATION)
        if rounds.exclude(state__in=[State.AGREED, State.FAILED]).exists():
            raise NegotiationError("本案已有进行中的磋商。")
        if kind == Negotiation.Kind.FIRST and count:
            raise NegotiationError("本案已进行过磋商；只有人民法院未予司法确认的，才能重新磋商一次"
                                   "（CQ 八；SX 第二十一条）。")
        if kind == Negotiation.Kind.RENEGOTIATION and not case.confirmations.filter(
                state=JudicialConfirmation.State.REFUSED).exists():
            raise NegotiationError("只有经人民法院审查未予司法确认的，才能重新磋商（CQ 八；SX 第二十一条）。")
        return Negotiation.objects.create(
            case=case, kind=kind, round_number=count + 1, created_by=by,
            complex_case=case.classification == Case.Classification.MAJOR,
            **_notice_defaults(case, by))


@stage_follower
def _case_moved(case: Case, name: str, *, by) -> None:
    if name == "start_negotiation" and not case.negotiations.exists():
        open_round(case, by=by)


def current_round(case: Case) -> Negotiation | None:
    return case.negotiations.order_by("-round_number").first()


def invite_procuratorate(negotiation: Negotiation, *, procuratorate: Department, by
                         ) -> Negotiation:
    """邀请检察机关支持磋商 (CQ 七(一); SX 第三十三条): the round records the invitation and the
    procuratorate takes part in the case, so its 检察联络员 follows the case and its rounds,
    read-only (accounts/scoping.py: a procuratorate participant never acts)."""
    with transaction.atomic():
        negotiation = _lock(negotiation)
        _require_handler(negotiation.case, by)
        if procuratorate.kind != Department.Kind.PROCURATORATE:
            raise ValidationError({"invited_procuratorate": "请选择受邀参与磋商的检察机关。"})
        if not negotiation.procuratorate_invited:
            negotiation.procuratorate_invited = True
            negotiation.save()
        negotiation.case.participants.add(procuratorate)
    return negotiation


def issue_notice(negotiation: Negotiation, *, by, seen_state: str | None = None) -> Negotiation:
    return perform(negotiation, "issue_notice", by=by, expected_state=seen_state)


# --- service of the notice and the 90 days ---------------------------------------------------

def record_service(negotiation: Negotiation, *, obligor, method: str, attempted_on: date,
                   succeeded: bool, by, recipient: str = "", note: str = "",
                   proof=None) -> ServiceAttempt:
    """One service attempt. The first successful one starts the 90 days (NAT 六; CQ 七(一);
    SX 第十八条: 自送达磋商书面通知之日起算) and the reply period of the notice."""
    with transaction.atomic():
        negotiation = _lock(negotiation)
        _require_handler(negotiation.case, by)
        if negotiation.state not in (State.SERVING, State.AWAITING_REPLY, State.IN_PROGRESS):
            raise NegotiationError("磋商告知书尚未制发或磋商已结束，不能登记送达。")
        _check_period(negotiation, attempted_on, "送达日期")
        if obligor.case_id != negotiation.case_id:
            raise NegotiationError("受送达人不是本案赔偿义务人。")
        _check_day(attempted_on, label="送达日期", not_before=negotiation.notice_issued_on,
                   not_before_label="告知书落款日期")
        if not succeeded and not note.strip():
            raise NegotiationError("未能送达的，请写明送达情况。")
        if succeeded and negotiation.served_on and attempted_on < negotiation.served_on:
            raise NegotiationError(
                f"本轮磋商已于{cn_date(negotiation.served_on)}送达，磋商期限自该日起算；"
                "早于该日的送达请核实后更正。")
        first_success = succeeded and negotiation.state == State.SERVING
        if first_success and negotiation.reply_due and negotiation.reply_due <= attempted_on:
            raise NegotiationError(
                f"告知书的答复期限（{cn_date(negotiation.reply_due)}）须晚于送达日期。")
        attempt = ServiceAttempt.objects.create(
            negotiation=negotiation, obligor=obligor, method=method, attempted_on=attempted_on,
            succeeded=succeeded, recipient=recipient, note=note, recorded_by=by)
        if proof is not None:
            attempt.proof = attach(negotiation, proof, by=by, kind="送达回证")
            attempt.save()
        if first_success:
            negotiation.served_on = attempted_on
            negotiation.save()
            negotiation = perform(negotiation, "mark_served", by=by,
                                  reason=f"{obligor.party.name} {attempt.get_method_display()}")
            _open_periods(negotiation, by=by)
    return attempt


def _open_periods(negotiation: Negotiation, *, by) -> None:
    case = negotiation.case
    common = {"profile": case.rule_profile, "start_date": negotiation.served_on,
              "start_event": "service", "responsible": negotiation.created_by,
              "department": case.department, "by": by}
    try:
        engine.open_deadline(negotiation, DeadlineKind.NEGOTIATION_PERIOD,
                             title=f"{negotiation} 磋商期限", **common)
    except engine.DeadlineError as exc:
        raise NegotiationError(str(exc)) from exc
    if negotiation.reply_due:
        engine.open_deadline(
            negotiation, DeadlineKind.NEGOTIATION_REPLY, rule_key="",
            days=(negotiation.reply_due - negotiation.served_on).days, calendar="natural",
            citation="磋商告知书规定的答复期限（示范文本[4]）",
            title=f"{negotiation} 告知书答复", **common)


def _close_periods(negotiation: Negotiation, *, by, note: str, kinds=None) -> None:
    for deadline in engine.deadlines_of(negotiation).filter(status__in=ACTIVE):
        if kinds is None or deadline.kind in kinds:
            engine.mark_met(deadline, by=by, note=note)


def record_reply(negotiation: Negotiation, *, reply: str, replied_on: date, note: str = "",
                 by) -> Negotiation:
    """The obligor's reply to the notice: agreeing opens the meetings; refusing is 磋商不成
    (CQ 七(三)1; SX 第十九条(一)), which goes straight to litigation."""
    with transaction.atomic():
        negotiation = _lock(negotiation)
        if negotiation.state != State.AWAITING_REPLY:
            raise NegotiationError("当前不在等待答复阶段。")
        _check_day(replied_on, label="答复日期", not_before=negotiation.served_on,
                   not_before_label="送达日期")
        if reply == Negotiation.Reply.AGREED:
            _check_period(negotiation, replied_on, "答复日期")  # a refusal ends the round
        negotiation.reply, negotiation.replied_on, negotiation.reply_note = \
            reply, replied_on, note
        negotiation.save()
        _close_periods(negotiation, by=by, note="已答复",
                       kinds=[DeadlineKind.NEGOTIATION_REPLY])
        if reply == Negotiation.Reply.AGREED:
            return perform(negotiation, "accept", by=by, reason=note)
        fail_negotiation(negotiation, reason=Negotiation.Failure.REFUSED,
                         note=note or "赔偿义务人答复拒绝磋商", by=by)
        negotiation.refresh_from_db()
        return negotiation


# --- meetings ----------------------------------------------------------------------------------

def record_meeting(negotiation: Negotiation, *, held_on: date, place: str, attendees: str,
                   obligor_attendance: str, minutes: str, by, agent_name: str = "",
                   agent_authorisation=None, minutes_file=None) -> Meeting:
    with transaction.atomic():
        negotiation = _lock(negotiation)
        _require_handler(negotiation.case, by)
        if negotiation.state != State.IN_PROGRESS:
            raise NegotiationError("只有在赔偿义务人同意磋商后、磋商结束前才能登记磋商会议。")
        _check_period(negotiation, held_on, "会议日期")
        _check_day(held_on, label="会议日期", not_before=negotiation.served_on,
                   not_before_label="告知书送达日期")
        last = negotiation.meetings.order_by("-sequence").first()
        if last and held_on < last.held_on:
            raise NegotiationError(f"会议日期不能早于上一次会议（{cn_date(last.held_on)}）。")
        limit = negotiation.meeting_limit()
        if limit is not None and negotiation.meetings_held() >= limit:
            rule = negotiation.meeting_rule()
            more = ("案情重大复杂的，经部门负责人同意可以增加会议次数。"
                    if rule.value.get("more_with_approval") else "")
            raise NegotiationError(f"已召开磋商会议{negotiation.meetings_held()}次，达到上限"
                                   f"（{rule.citation}）。{more}")
        if obligor_attendance == Meeting.Attendance.AGENT and not agent_name.strip():
            raise NegotiationError("委托代理人出席的，须填写代理人姓名。")
        meeting = Meeting(negotiation=negotiation, sequence=(last.sequence + 1) if last else 1,
                          held_on=held_on, place=place, attendees=attendees,
                          obligor_attendance=obligor_attendance, agent_name=agent_name,
                          minutes=minutes, recorded_by=by)
        if agent_authorisation is not None:
            meeting.agent_authorisation = attach(negotiation, agent_authorisation, by=by,
                                                 kind="授权委托书")
        if minutes_file is not None:
            meeting.minutes_file = attach(negotiation, minutes_file, by=by, kind="会议纪要")
        meeting.save()
    return meeting


def add_agent_authorisation(meeting: Meeting, uploaded, *, by) -> Meeting:
    """The agent's written authorisation; only then the meeting counts (ZJ)."""
    with transaction.atomic():
        negotiation = _lock(meeting.negotiation)
        _require_handler(negotiation.case, by)
        if not negotiation.is_open:
            raise NegotiationError("磋商已结束。")
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.obligor_attendance != Meeting.Attendance.AGENT:
            raise NegotiationError("该次会议不是由委托代理人出席。")
        meeting.agent_authorisation = attach(negotiation, uploaded, by=by, kind="授权委托书")
        meeting.save()
    return meeting


def request_more_meetings(negotiation: Negotiation, *, reason: str, by,
                          seen_state: str | None = None):
    """A meeting beyond the limit needs the department head's consent (CQ 七(一); SX 第十八条)."""
    return approvals.request_approval(negotiation, "negotiation_more_meetings", by=by,
                                      summary=reason, seen_state=seen_state)


def request_overrun(negotiation: Negotiation, *, reason: str, by,
                    seen_state: str | None = None):
    """Going on past the 90 days ("原则上不超过90日", NAT 六; CQ 七(一); SX 第十八条), e.g. an
    agreement is close: the division head decides (workflow.approvals); the reason is
    required."""
    _require_handler(negotiation.case, by)
    return approvals.request_approval(negotiation, "negotiation_period_overrun", by=by,
                                      summary=reason, seen_state=seen_state)


# --- restoration before the agreement (CQ 十三; SX 第三十条) ----------------------------------

def allow_early_restoration(negotiation: Negotiation, *, requested_on: date, confirmation,
                            by) -> Negotiation:
    with transaction.atomic():
        negotiation = _lock(negotiation)
        _require_handler(negotiation.case, by)
        if negotiation.state not in (State.AWAITING_REPLY, State.IN_PROGRESS):
            raise NegotiationError("只有在告知书送达后、协议签订前可以同意先行修复。")
        _check_period(negotiation)
        _check_day(requested_on, label="申请日期")
        if confirmation is None and negotiation.facts_confirmation_id is None:
            raise NegotiationError("须先上传双方书面确认损害事实的文件（CQ 十三；SX 第三十条）。")
        if confirmation is not None:
            negotiation.facts_confirmation = attach(negotiation, confirmation, by=by,
                                                    kind="损害事实书面确认")
        negotiation.early_restoration_requested_on = requested_on
        negotiation.early_restoration_allowed_on = timezone.localdate()
        negotiation.early_restoration_allowed_by = by
        negotiation.save()
    return negotiation


# --- failure → litigation (CQ 七(三); SX 第十九条) --------------------------------------------

def fail_negotiation(negotiation: Negotiation, *, reason: str, note: str = "", by,
                     seen_state: str | None = None) -> Litigation:
    """磋商不成 for one of the seven reasons, checked against the facts; the case goes to
    litigation at once (避免久磋不决)."""
    with transaction.atomic():
        negotiation = _lock(negotiation)
        problems = failure.unmet(negotiation, reason, note)
        if problems:
            raise ConditionsNotMet(problems)
        label = Negotiation.Failure(reason).label
        negotiation = perform(negotiation, "fail", by=by, expected_state=seen_state,
                              reason=f"{label}。{note}".strip("。") if note else label,
                              failure_reason=reason, failure_note=note)
        _close_periods(negotiation, by=by, note=f"磋商不成：{label}")
        origin = (Litigation.Origin.RENEGOTIATION_FAILED
                  if negotiation.kind == Negotiation.Kind.RENEGOTIATION
                  else Litigation.Origin.NEGOTIATION_FAILED)
        return _start_litigation(negotiation.case, origin=origin, note=f"{label}。{note}",
                                 by=by)


def _start_litigation(case: Case, *, origin: str, note: str, by) -> Litigation:
    litigation = Litigation.objects.create(case=case, origin=origin, origin_note=note,
                                           created_by=by)
    perform(case, "litigation_started", by=by, reason=Litigation.Origin(origin).label)
    return litigation


# --- agreement (form [5]; CQ 七(二); SX 第二十条) ---------------------------------------------

def draft_agreement(negotiation: Negotiation, *, by) -> Agreement:
    """The round's draft agreement (made once), prefilled from the investigation."""
    with transaction.atomic():
        negotiation = _lock(negotiation)
        _require_handler(negotiation.case, by)
        existing = negotiation.agreements.filter(state=Agreement.State.DRAFT).first()
        if existing:
            return existing
        if negotiation.state != State.IN_PROGRESS:
            raise NegotiationError("只有磋商中可以起草赔偿协议。")
        # Drafting is allowed after the 90 days (an agreement signed within them may be entered
        # late); signing checks the signing date (sign_agreement).
        case = negotiation.case
        investigation = getattr(case, "investigation", None)
        evidence = "\n".join(f"{i}. {e.get_kind_display()}：{e.title}"
                             for i, e in enumerate(case.evidence.all(), start=1))
        agreement = Agreement.objects.create(
            case=case, negotiation=negotiation, drafted_by=by,
            version=(case.agreements.count() + 1),
            facts=investigation.damage_facts if investigation else "",
            legal_basis=investigation.legal_basis if investigation else "",
            evidence=evidence,
            assessment_method="",
        )
        agreement.obligors.set(case.obligor_links.all())
    return agreement


def sign_agreement(agreement: Agreement, *, by, seen_state: str | None = None) -> Agreement:
    """Signing makes the agreement immutable; a first agreement ends the negotiation and moves
    the case to performance; a correction supersedes the version it corrects."""
    with transaction.atomic():
        if agreement.previous_id is None:
            _check_period(_lock(agreement.negotiation), agreement.signed_on, "协议签订日期")
        agreement = perform(agreement, "sign", by=by, expected_state=seen_state)
        negotiation = agreement.negotiation
        if agreement.previous_id:
            perform(agreement.previous, "supersede", by=by,
                    reason=f"更正为第{agreement.version}版：{agreement.correction_reason}")
        else:
            # A renegotiated agreement (CQ 八) replaces the one the court refused to confirm.
            for earlier in agreement.case.agreements.filter(
                    state=Agreement.State.SIGNED).exclude(pk=agreement.pk):
                perform(earlier, "supersede", by=by, reason=f"重新磋商达成{agreement}")
            perform(negotiation, "conclude", by=by, reason=f"签署{agreement}")
            _close_periods(negotiation, by=by, note="达成赔偿协议")
            agreement.case = perform(agreement.case, "agreement_signed", by=by,
                                     reason=str(agreement))
        agreement_signed.send(sender=Agreement, agreement=agreement, by=by)
    return agreement


def correct_agreement(agreement: Agreement, *, reason: str, by) -> Agreement:
    """A new draft version of a signed agreement with the reason for the correction."""
    if not reason.strip():
        raise NegotiationError("请填写更正理由。")
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        _require_handler(agreement.case, by)
        if agreement.state != Agreement.State.SIGNED:
            raise NegotiationError("只能更正已签署且现行有效的协议版本。")
        if Agreement.objects.filter(previous=agreement).exists():
            raise NegotiationError("该协议已有更正版本。")
        copy = Agreement.objects.create(
            **_copied(agreement, exclude={"state", "version", "previous", "correction_reason",
                                          "signed_on", "signed_place", "drafted_by"}),
            version=agreement.case.agreements.count() + 1, previous=agreement,
            correction_reason=reason, drafted_by=by)
        copy.obligors.set(agreement.obligors.all())
        for term in agreement.restoration_terms.all():
            RestorationTerm.objects.create(**_copied(term, exclude={"agreement"}), agreement=copy)
        for payment in agreement.payment_terms.prefetch_related("instalments"):
            new_payment = PaymentTerm.objects.create(**_copied(payment, exclude={"agreement"}),
                                                     agreement=copy)
            for instalment in payment.instalments.all():
                Instalment.objects.create(**_copied(instalment, exclude={"term"}),
                                          term=new_payment)
    return copy


def _copied(instance, *, exclude: set[str]) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if not f.primary_key and f.name not in exclude}


def current_agreement(case: Case) -> Agreement | None:
    return case.agreements.filter(state=Agreement.State.SIGNED).order_by("-version").first()


# --- judicial confirmation (form [6]; CQ 八; NAT 七; SX 第二十一条) ---------------------------

def start_confirmation(case: Case, *, by) -> JudicialConfirmation:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_handler(case, by)
        agreement = current_agreement(case)
        if case.stage != Case.Stage.PERFORMING or agreement is None:
            raise NegotiationError("须在签署赔偿协议后、履行阶段申请司法确认。")
        if agreement.confirmations.exclude(state=JudicialConfirmation.State.REFUSED).exists():
            raise NegotiationError("该协议已申请司法确认。")
        confirmation = JudicialConfirmation.objects.create(case=case, agreement=agreement,
                                                           created_by=by)
        report = _latest_appraisal_report(case)
        if report is not None:
            confirmation.appraisal_report = report
            confirmation.save()
    return confirmation


def _latest_appraisal_report(case: Case):
    appraisal = (case.appraisals.filter(report__isnull=False).order_by("-finished_on", "-pk")
                 .select_related("report").first())
    return appraisal.report if appraisal else None


def file_confirmation(confirmation: JudicialConfirmation, *, by,
                      seen_state: str | None = None) -> JudicialConfirmation:
    """Refused without the agreement and the appraisal report or expert opinion (NAT 七)."""
    with transaction.atomic():
        confirmation = perform(confirmation, "file", by=by, expected_state=seen_state)
        _check_day(confirmation.applied_on, label="申请日期",
                   not_before=confirmation.agreement.signed_on, not_before_label="协议签订日期")
        perform(confirmation.case, "confirmation_applied", by=by, reason=confirmation.court)
    return confirmation


def record_ruling(confirmation: JudicialConfirmation, *, confirmed: bool, ruling_number: str,
                  ruling_date: date, refusal_reason: str = "", by) -> JudicialConfirmation:
    """The court's ruling. Refused: verify and negotiate once more; a second refusal, or a
    failed renegotiation, goes to litigation (CQ 八; SX 第二十一条)."""
    with transaction.atomic():
        confirmation = JudicialConfirmation.objects.select_for_update().get(pk=confirmation.pk)
        if confirmation.state != JudicialConfirmation.State.FILED:
            raise NegotiationError("该司法确认申请不在等待裁定状态。")
        _check_day(ruling_date, label="裁定日期", not_before=confirmation.applied_on,
                   not_before_label="申请日期")
        confirmation.ruling_number, confirmation.ruling_date = ruling_number, ruling_date
        confirmation.refusal_reason = refusal_reason
        confirmation.save()
        case = confirmation.case
        if confirmed:
            confirmation = perform(confirmation, "confirm", by=by, reason=ruling_number)
            perform(case, "confirmation_granted", by=by, reason=ruling_number)
            return confirmation
        confirmation = perform(confirmation, "refuse", by=by, reason=refusal_reason)
        if case.negotiations.filter(kind=Negotiation.Kind.RENEGOTIATION).exists():
            _start_litigation(case, origin=Litigation.Origin.CONFIRMATION_REFUSED_AGAIN,
                              note=refusal_reason, by=by)
        else:
            perform(case, "confirmation_refused", by=by, reason=refusal_reason)
            open_round(case, by=by, kind=Negotiation.Kind.RENEGOTIATION)
    return confirmation


# --- litigation and enforcement (SX 第二十二条; NAT 十) ----------------------------------------

def confirmed_agreement(case: Case) -> JudicialConfirmation | None:
    return case.confirmations.filter(state=JudicialConfirmation.State.CONFIRMED,
                                     agreement__state=Agreement.State.SIGNED).first()


def effective_judgment(case: Case) -> Litigation | None:
    return case.litigations.filter(state=Litigation.State.EFFECTIVE).order_by("-pk").first()


def sue_for_nonperformance(case: Case, *, note: str, by) -> Litigation:
    """An agreement not confirmed by a court and not (fully) performed → litigation; a
    confirmed one or a judgment → enforcement instead (SX 第二十二条)."""
    if not note.strip():
        raise NegotiationError("请写明赔偿义务人未履行或未完全履行的情况。")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_handler(case, by)
        if case.stage != Case.Stage.PERFORMING or current_agreement(case) is None:
            raise NegotiationError("只有在赔偿协议履行阶段可以因未履行提起诉讼。")
        if confirmed_agreement(case) or effective_judgment(case):
            raise NegotiationError("协议已经司法确认或已有生效判决，应当申请强制执行。")
        return _start_litigation(case, origin=Litigation.Origin.NOT_PERFORMED, note=note, by=by)


LITIGATION_STEPS = ("file", "judge", "appeal", "take_effect")


def advance_litigation(litigation: Litigation, step: str, *, by,
                       seen_state: str | None = None) -> Litigation:
    if step not in LITIGATION_STEPS:
        raise NegotiationError("未知操作。")
    with transaction.atomic():
        litigation = perform(litigation, step, by=by, expected_state=seen_state)
        if step == "judge" and litigation.filed_on and litigation.judgment_date < \
                litigation.filed_on:
            raise NegotiationError("判决日期不能早于立案日期。")
        if step == "take_effect":
            perform(litigation.case, "judgment_effective", by=by,
                    reason=litigation.appeal_judgment_number or litigation.judgment_number)
    return litigation


def start_enforcement(case: Case, *, by) -> Enforcement:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require_handler(case, by)
        if case.stage != Case.Stage.PERFORMING:
            raise NegotiationError("只有在履行阶段可以申请强制执行。")
        if case.enforcements.exclude(state=Enforcement.State.CONCLUDED).exists():
            raise NegotiationError("本案已有进行中的强制执行。")
        judgment, confirmation = effective_judgment(case), confirmed_agreement(case)
        if judgment is None and confirmation is None:
            raise NegotiationError("没有经司法确认的赔偿协议或生效判决，不能申请强制执行；"
                                   "未经司法确认的协议未履行的，应当提起诉讼（SX 第二十二条）。")
        enforcement = Enforcement.objects.create(
            case=case, created_by=by,
            basis=Enforcement.Basis.JUDGMENT if judgment else
            Enforcement.Basis.CONFIRMED_AGREEMENT,
            litigation=judgment, confirmation=None if judgment else confirmation,
            court=(judgment.court if judgment else confirmation.court))
        enforcement.respondents.set(case.obligor_links.all())
    return enforcement


def apply_enforcement(enforcement: Enforcement, *, by,
                      seen_state: str | None = None) -> Enforcement:
    with transaction.atomic():
        enforcement = perform(enforcement, "apply", by=by, expected_state=seen_state)
        basis_day = (enforcement.litigation.effective_on if enforcement.litigation_id
                     else enforcement.confirmation.ruling_date)
        _check_day(enforcement.applied_on, label="申请日期", not_before=basis_day,
                   not_before_label="判决生效或司法确认裁定日期")
        perform(enforcement.case, "enforcement_applied", by=by, reason=enforcement.court)
    return enforcement


def conclude_enforcement(enforcement: Enforcement, *, by,
                         seen_state: str | None = None) -> Enforcement:
    with transaction.atomic():
        enforcement = perform(enforcement, "conclude", by=by, expected_state=seen_state)
        perform(enforcement.case, "enforcement_ended", by=by, reason=enforcement.result)
    return enforcement



@closing_check
def _performance_basis(case: Case) -> list[str]:
    if current_agreement(case) is None and effective_judgment(case) is None:
        return ["没有已签署的赔偿协议或生效判决。"]
    return []
