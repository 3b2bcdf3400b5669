"""磋商不成: the seven situations in which a negotiation may be taken as failed (CQ 七(三); SX
第十九条; NAT 六 names five of them), each checked against what the system knows. A reason
whose facts the system cannot know (custody, other) needs the officer's explanation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from rules.calendar import cn_date

from .models import Meeting, Negotiation, ServiceAttempt

Failure = Negotiation.Failure


@dataclass(frozen=True)
class FailureReason:
    code: str
    citation: str
    # None when the facts bear the reason out, else why they do not (Chinese).
    check: Callable[[Negotiation, date], str | None]
    needs_note: bool = False

    @property
    def label(self) -> str:
        return Failure(self.code).label


def _refused_or_silent(negotiation: Negotiation, today: date) -> str | None:
    if negotiation.reply == Negotiation.Reply.REFUSED:
        return None
    if negotiation.reply == Negotiation.Reply.AGREED:
        return "赔偿义务人已答复同意磋商。"
    if negotiation.served_on is None:
        return "磋商告知书尚未送达。"
    if negotiation.reply_due is None or today <= negotiation.reply_due:
        due = cn_date(negotiation.reply_due) if negotiation.reply_due else "未定"
        return f"答复期限（{due}）尚未届满。"
    return None


def _absent(negotiation: Negotiation, today: date) -> str | None:
    if negotiation.meetings.filter(obligor_attendance__in=[
            Meeting.Attendance.ABSENT, Meeting.Attendance.WALKED_OUT]).exists():
        return None
    return "没有赔偿义务人未参加或退出磋商会议的会议记录。"


def _meetings_exhausted(negotiation: Negotiation, today: date) -> str | None:
    rule = negotiation.meeting_rule()
    if rule is None:
        return "适用规则未规定磋商会议次数。"
    held, count = negotiation.meetings_held(), rule.value["count"]
    if held >= count:
        return None
    return f"已召开磋商会议{held}次，未达到{count}次（{rule.citation}）。"


NON_ANNOUNCEMENT = [m for m in ServiceAttempt.Method.values
                    if m != ServiceAttempt.Method.ANNOUNCEMENT]


def _unservable(negotiation: Negotiation, today: date) -> str | None:
    attempts = list(negotiation.service_attempts.all())
    for obligor in negotiation.obligors():
        own = [a for a in attempts if a.obligor_id == obligor.pk]
        if any(a.succeeded for a in own):
            continue
        failed = {a.method for a in own if not a.succeeded}
        if all(m in failed for m in NON_ANNOUNCEMENT):
            return None
    labels = "、".join(ServiceAttempt.Method(m).label for m in NON_ANNOUNCEMENT)
    return f"须对同一赔偿义务人以{labels}均未能送达，且从未成功送达。"


def _period_expired(negotiation: Negotiation, today: date) -> str | None:
    if negotiation.period_expiry(today) is not None:
        return None
    period = negotiation.period_deadline()
    if period is None:
        return "磋商期限尚未起算（告知书未送达）。"
    if period.due < today:
        return None
    return f"磋商期限至{cn_date(period.due)}，尚未届满。"


def _noted(negotiation: Negotiation, today: date) -> str | None:
    return None  # the officer's explanation carries it


REASONS: dict[str, FailureReason] = {r.code: r for r in [
    FailureReason(Failure.REFUSED, "CQ 七(三)1；SX 第十九条(一)；NAT 六(一)", _refused_or_silent),
    FailureReason(Failure.ABSENT, "CQ 七(三)2；SX 第十九条(二)；NAT 六(二)", _absent),
    FailureReason(Failure.MEETINGS, "CQ 七(三)3；SX 第十九条(三)；NAT 六(三)", _meetings_exhausted),
    FailureReason(Failure.UNSERVABLE, "CQ 七(三)4；SX 第十九条(四)", _unservable),
    FailureReason(Failure.CUSTODY, "CQ 七(三)5；SX 第十九条(五)", _noted, needs_note=True),
    FailureReason(Failure.EXPIRED, "CQ 七(三)6；SX 第十九条(六)；NAT 六(四)", _period_expired),
    FailureReason(Failure.OTHER, "CQ 七(三)7；SX 第十九条(七)；NAT 六(五)", _noted, needs_note=True),
]}


def unmet(negotiation: Negotiation, code: str, note: str = "",
          today: date | None = None) -> list[str]:
    """Why `code` cannot be given as the reason now (empty: it can)."""
    reason = REASONS.get(code)
    if reason is None:
        return ["请选择磋商不成的情形。"]
    problems = []
    found = reason.check(negotiation, today or timezone.localdate())
    if found:
        problems.append(found)
    if reason.needs_note and not note.strip():
        problems.append(f"“{reason.label}”须写明具体情况。")
    return problems


def assessment(negotiation: Negotiation, today: date | None = None) -> list[dict]:
    """Every reason with whether the facts bear it out now (shown on the failure form)."""
    today = today or timezone.localdate()
    return [{"code": r.code, "label": r.label, "citation": r.citation,
             "problem": r.check(negotiation, today), "needs_note": r.needs_note}
            for r in REASONS.values()]
