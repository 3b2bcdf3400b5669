"""磋商不成 (CQ 七(三); SX 第十九条): each reason is accepted only when the facts the system
knows bear it out, and a failed round goes straight to litigation."""

import datetime

import pytest
import time_machine

from cases.models import Case
from negotiation import failure, services
from negotiation.models import Meeting, Negotiation
from tests.negotiation.factories import desk, in_progress, meet, negotiating, served
from workflow.deadlines import deadlines_of
from workflow.transitions import ConditionsNotMet

pytestmark = pytest.mark.django_db
F = Negotiation.Failure


def travel(*args):
    return time_machine.travel(datetime.datetime(*args, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def d():
    return desk("SX")


def refused(negotiation, reason, note=""):
    with pytest.raises(ConditionsNotMet) as unmet:
        services.fail_negotiation(negotiation, reason=reason, note=note,
                                  by=negotiation.created_by)
    return str(unmet.value)


def fails(negotiation, reason, note=""):
    litigation = services.fail_negotiation(negotiation, reason=reason, note=note,
                                           by=negotiation.created_by)
    negotiation.refresh_from_db()
    assert negotiation.state == "failed" and negotiation.failure_reason == reason
    case = Case.objects.get(pk=negotiation.case_id)
    assert case.stage == Case.Stage.LITIGATING
    assert litigation.case_id == case.pk and litigation.origin == "negotiation_failed"
    return litigation


def test_no_reply_counts_only_once_the_reply_period_is_over(d):
    with travel(2026, 10, 15):  # the notice's reply_due is 15 October
        negotiation = served(d)
        assert "答复期限（2026年10月15日）尚未届满" in refused(negotiation, F.REFUSED)
    with travel(2026, 10, 16):
        fails(negotiation, F.REFUSED)


@travel(2026, 11, 2)
def test_absence_needs_a_meeting_the_obligor_missed_or_left(d):
    negotiation = in_progress(d)
    meet(negotiation, d, datetime.date(2026, 10, 12))
    assert "没有赔偿义务人未参加或退出" in refused(negotiation, F.ABSENT)
    meet(negotiation, d, datetime.date(2026, 10, 19), attendance=Meeting.Attendance.WALKED_OUT)
    fails(negotiation, F.ABSENT)


@travel(2026, 11, 2)
def test_three_meetings_must_have_been_held(d):
    negotiation = in_progress(d)
    meet(negotiation, d, datetime.date(2026, 10, 12))
    meet(negotiation, d, datetime.date(2026, 10, 19))
    assert "已召开磋商会议2次，未达到3次（SX 第十八条）" in refused(negotiation, F.MEETINGS)
    meet(negotiation, d, datetime.date(2026, 10, 26))
    fails(negotiation, F.MEETINGS)


@travel(2026, 11, 2)
def test_unservable_needs_every_method_but_announcement_failed_for_one_obligor(d):
    negotiation = negotiating(d)
    obligor = negotiation.obligors().first()
    methods = ["direct", "lodged", "post", "electronic"]
    for method in methods:
        services.record_service(negotiation, obligor=obligor, method=method,
                                attempted_on=datetime.date(2026, 10, 5), succeeded=False,
                                note="无法联系", by=d.officer)
    assert "均未能送达" in refused(negotiation, F.UNSERVABLE)
    services.record_service(negotiation, obligor=obligor, method="entrusted",
                            attempted_on=datetime.date(2026, 10, 6), succeeded=False,
                            note="受托机关未能送达", by=d.officer)
    fails(negotiation, F.UNSERVABLE)


@travel(2026, 11, 2)
def test_unservable_is_refused_once_the_obligor_was_served(d):
    negotiation = served(d)
    obligor = negotiation.obligors().first()
    for method in failure.NON_ANNOUNCEMENT:
        services.record_service(negotiation, obligor=obligor, method=method,
                                attempted_on=datetime.date(2026, 10, 5), succeeded=False,
                                note="补充送达未成功", by=d.officer)
    assert "从未成功送达" in refused(negotiation, F.UNSERVABLE)


@travel(2026, 11, 2)
def test_custody_and_other_need_an_explanation(d):
    negotiation = served(d)
    assert "须写明具体情况" in refused(negotiation, F.CUSTODY)
    assert "须写明具体情况" in refused(negotiation, F.OTHER, note="  ")
    fails(negotiation, F.CUSTODY, note="法定代表人因涉嫌污染环境罪被羁押")


def test_expired_period_only_after_the_ninety_days(d):
    with travel(2026, 10, 9):
        negotiation = in_progress(d)  # served 30 September 2026
    period = deadlines_of(negotiation).get(kind="negotiation_period")
    assert period.due == datetime.date(2026, 12, 29)
    with travel(2026, 12, 29):
        assert "磋商期限至2026年12月29日，尚未届满" in refused(negotiation, F.EXPIRED)
    with travel(2026, 12, 30):
        fails(negotiation, F.EXPIRED)
    assert deadlines_of(negotiation).get(kind="negotiation_period").status == "met"


@travel(2026, 11, 2)
def test_the_assessment_shows_which_reasons_apply_now(d):
    negotiation = in_progress(d)
    shown = {row["code"]: row for row in failure.assessment(negotiation)}
    assert len(shown) == 7
    assert shown[F.REFUSED]["problem"] == "赔偿义务人已答复同意磋商。"
    assert shown[F.OTHER]["problem"] is None and shown[F.OTHER]["needs_note"]
    assert "SX 第十九条(三)" in shown[F.MEETINGS]["citation"]


@travel(2026, 11, 2)
def test_a_failed_round_cannot_fail_again_or_take_meetings(d):
    negotiation = in_progress(d)
    fails(negotiation, F.OTHER, note="义务人破产清算")
    with pytest.raises(services.NegotiationError):
        meet(negotiation, d, datetime.date(2026, 10, 20))
    with pytest.raises(Exception, match="不能执行此操作"):
        services.fail_negotiation(negotiation, reason=F.OTHER, note="再次", by=d.officer)
