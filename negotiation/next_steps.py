"""The negotiation stage's part of the case page's 下一步 (cases/next_steps.py), and the actions
the round page and the case's 磋商与司法 panel offer: one place for both, so the card lists
exactly what those pages let the user do."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Case
from cases.next_steps import Context, NextStep, provider, transition_steps
from workflow.transitions import options_for

from . import services
from .models import Agreement, Enforcement, JudicialConfirmation, Litigation, Negotiation
from .views_common import REPORT_STAGES, option

State = Negotiation.State
SERVICE_STATES = (State.SERVING, State.AWAITING_REPLY, State.IN_PROGRESS)
FAILABLE_STATES = (State.SERVING, State.AWAITING_REPLY, State.IN_PROGRESS)
EARLY_RESTORATION_STATES = (State.AWAITING_REPLY, State.IN_PROGRESS)


def meeting_block(negotiation) -> str:
    """Why no further meeting can be recorded now (the limit of CQ 七(一); SX 第十八条)."""
    limit = negotiation.meeting_limit()
    held = negotiation.meetings_held()
    if limit is None or held < limit:
        return ""
    rule = negotiation.meeting_rule()
    return f"已召开磋商会议{held}次，达到上限（{rule.citation}）。"


def round_actions(negotiation, user, overrun: str) -> dict:
    """What the round page offers whoever handles the case (`overrun`: the round's
    `overrun_block()` once its period has expired, else "")."""
    state = negotiation.state
    draft = negotiation.agreements.filter(state=Agreement.State.DRAFT).first()
    block = meeting_block(negotiation) if state == State.IN_PROGRESS else ""
    going_on = not overrun
    # what happened within the period may still be entered after it (dated before expiry)
    late_entry = bool(overrun) and state in SERVICE_STATES
    return {
        "plan": state == State.PREPARING,
        "transitions": options_for(negotiation, user),
        "service": state in SERVICE_STATES and going_on,
        "reply": state == State.AWAITING_REPLY,
        "meeting": state == State.IN_PROGRESS,
        "meeting_block": overrun or block,
        # offered once the limit is reached, greyed out with the reasons if not admissible
        "more_meetings": (option(negotiation, "request_more_meetings", user)
                          if block and going_on else None),
        "overrun": option(negotiation, "request_overrun", user) if overrun else None,
        "early_restoration": (state in EARLY_RESTORATION_STATES and going_on
                              and not negotiation.early_restoration_allowed),
        "draft": draft,
        "draft_agreement": state == State.IN_PROGRESS,
        "fail": state in FAILABLE_STATES,
        "late_meeting": late_entry and state == State.IN_PROGRESS,
        "late_service": late_entry,
    }


def case_actions(case, handle: bool) -> dict:
    """The case-level starts of the 磋商与司法 panel; the services check again (and explain)."""
    current = services.current_agreement(case)
    if not handle:
        return {"current": current, "can_start_confirmation": False, "can_sue": False,
                "can_enforce": False, "can_report": False}
    performing = case.stage == Case.Stage.PERFORMING
    confirmed = services.confirmed_agreement(case) if performing else None
    judgment = services.effective_judgment(case) if performing else None
    pending_confirmation = performing and current is not None and current.confirmations.exclude(
        state=JudicialConfirmation.State.REFUSED).exists()
    open_enforcement = performing and case.enforcements.exclude(
        state=Enforcement.State.CONCLUDED).exists()
    return {
        "current": current,
        "can_start_confirmation": performing and current is not None and not pending_confirmation,
        "can_sue": performing and current is not None and confirmed is None and judgment is None,
        "can_enforce": (performing and not open_enforcement
                        and (confirmed is not None or judgment is not None)),
        "can_report": case.stage in REPORT_STAGES,
    }


def _round_steps(negotiation, user) -> list[NextStep]:
    where = f"第{negotiation.round_number}轮磋商"
    url = negotiation.get_absolute_url()
    overrun = negotiation.overrun_block() if negotiation.period_expiry() else ""
    actions = round_actions(negotiation, user, overrun)
    pk = negotiation.pk
    steps = []
    if actions["plan"]:
        steps.append(NextStep("编辑磋商方案和告知书",
                              reverse("negotiation:negotiation_plan", args=[pk]), where=where))
    steps += transition_steps(negotiation, user, url=url, where=where)
    if actions["service"]:
        steps.append(NextStep("登记送达", reverse("negotiation:negotiation_service", args=[pk]),
                              where=where))
    if actions["reply"]:
        steps.append(NextStep("登记答复意见", reverse("negotiation:negotiation_reply", args=[pk]),
                              where=where))
    if actions["meeting"]:
        steps.append(NextStep("登记磋商会议", reverse("negotiation:negotiation_meeting", args=[pk]),
                              where=where, unmet=[actions["meeting_block"]]
                              if actions["meeting_block"] else []))
    if actions["more_meetings"]:
        steps.append(NextStep("申请增加磋商会议", reverse("negotiation:negotiation_more_meetings",
                                                         args=[pk]),
                              where=where, unmet=actions["more_meetings"].unmet))
    if actions["overrun"]:
        steps.append(NextStep("申请继续磋商", reverse("negotiation:negotiation_overrun", args=[pk]),
                              where=where, unmet=actions["overrun"].unmet))
    if actions["draft"]:
        steps.append(NextStep("编辑协议草稿", reverse("negotiation:agreement_edit",
                                                    args=[actions["draft"].pk]), where=where))
    elif actions["draft_agreement"]:
        steps.append(NextStep("起草赔偿协议", reverse("negotiation:negotiation_draft_agreement",
                                                    args=[pk]), where=where, method="post",
                              style="success"))
    if actions["fail"] or overrun:
        steps.append(NextStep("磋商不成", reverse("negotiation:negotiation_fail", args=[pk]),
                              where=where, style="outline-danger"))
    return steps


@provider
def negotiation_steps(ctx: Context) -> list[NextStep]:
    case, user = ctx.case, ctx.user
    if not ctx.can_handle or case.is_read_only or case.stage in (
            Case.Stage.DRAFT, Case.Stage.INITIATION_APPROVAL, Case.Stage.INVESTIGATING,
            Case.Stage.APPRAISING, Case.Stage.TERMINATION_APPROVAL):
        return []
    steps = []
    for negotiation in case.negotiations.exclude(
            state__in=[State.AGREED, State.FAILED]).select_related("case__rule_profile"):
        steps += _round_steps(negotiation, user)
    for agreement in case.agreements.filter(state=Agreement.State.DRAFT):
        if not negotiation_in(steps, agreement):
            steps.append(NextStep("编辑协议草稿", reverse("negotiation:agreement_edit",
                                                        args=[agreement.pk]),
                                  where=f"赔偿协议第{agreement.version}版"))
    for record, where in [
        *((c, f"司法确认（协议第{c.agreement.version}版）") for c in case.confirmations.exclude(
            state__in=[JudicialConfirmation.State.CONFIRMED, JudicialConfirmation.State.REFUSED])
          .select_related("agreement")),
        *((li, f"诉讼：{li.get_origin_display()}") for li in case.litigations.exclude(
            state=Litigation.State.EFFECTIVE)),
        *((e, f"强制执行：{e.get_basis_display()}") for e in case.enforcements.exclude(
            state=Enforcement.State.CONCLUDED)),
    ]:
        steps += transition_steps(record, user, url=record.get_absolute_url(), where=where,
                                  hidden=True)
    flags = case_actions(case, True)
    if flags["can_start_confirmation"]:
        steps.append(NextStep("申请司法确认", reverse("negotiation:confirmation_start",
                                                    args=[case.pk]), method="post",
                              style="outline-primary"))
    if flags["can_sue"]:
        steps.append(NextStep("协议未履行，提起诉讼", reverse("negotiation:litigation_start",
                                                            args=[case.pk]),
                              style="outline-danger"))
    if flags["can_enforce"]:
        steps.append(NextStep("申请强制执行", reverse("negotiation:enforcement_start",
                                                    args=[case.pk]), method="post",
                              style="outline-danger"))
    if flags["can_report"]:
        steps.append(NextStep("登记履责情况报送", reverse("negotiation:performance_report",
                                                        args=[case.pk]),
                              style="outline-secondary"))
    return steps


def negotiation_in(steps: list[NextStep], agreement) -> bool:
    """Whether a round's steps already offer editing this draft."""
    url = reverse("negotiation:agreement_edit", args=[agreement.pk])
    return any(s.url == url for s in steps)
