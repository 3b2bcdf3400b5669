"""A negotiation round through the services: notice, service and the 90 days, reply, meetings
and their limit (NAT 六; CQ 七(一); SX 第十七、十八条)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from cases.models import Case
from negotiation import services
from negotiation.models import Meeting, Negotiation
from negotiation.services import NegotiationError
from rules.periods import compute_due
from tests.negotiation.factories import (
    concluded_case,
    desk,
    in_progress,
    meet,
    negotiating,
    pdf,
    served,
)
from workflow import approvals
from workflow.deadlines import deadlines_of
from workflow.models import DeadlineKind
from workflow.transitions import ConditionsNotMet, TransitionDenied, perform

pytestmark = pytest.mark.django_db
NOV = datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)


@pytest.fixture
def d():
    return desk("SX")


@time_machine.travel(NOV, tick=False)
def test_starting_negotiation_opens_round_one_prefilled_from_the_investigation(d):
    case = perform(concluded_case(d), "start_negotiation", by=d.officer)
    negotiation = case.negotiations.get()
    assert (negotiation.round_number, negotiation.state) == (1, "preparing")
    assert negotiation.notice_cause == case.cause
    assert "排污致河段水生态受损" in negotiation.notice_findings


@time_machine.travel(NOV, tick=False)
def test_notice_cannot_be_issued_without_the_plan_and_only_by_an_officer(d):
    case = perform(concluded_case(d), "start_negotiation", by=d.officer)
    negotiation = case.negotiations.get()
    with pytest.raises(ConditionsNotMet) as unmet:
        services.issue_notice(negotiation, by=d.officer)
    assert "磋商方案" in str(unmet.value)
    assert "磋商告知书" in str(unmet.value)
    negotiation = negotiating(d)
    assert negotiation.state == "serving"
    other = negotiating(d)
    with pytest.raises(PermissionDenied):
        perform(Negotiation.objects.get(pk=other.pk), "fail", by=d.division_head)


@time_machine.travel(NOV, tick=False)
def test_service_needs_a_note_when_it_failed_and_a_date_after_the_notice(d):
    negotiation = negotiating(d)
    obligor = negotiation.obligors().first()
    with pytest.raises(NegotiationError, match="写明送达情况"):
        services.record_service(negotiation, obligor=obligor, method="post",
                                attempted_on=datetime.date(2026, 10, 1), succeeded=False,
                                by=d.officer)
    with pytest.raises(NegotiationError, match="不能早于告知书落款日期"):
        services.record_service(negotiation, obligor=obligor, method="direct",
                                attempted_on=datetime.date(2026, 9, 27), succeeded=True,
                                by=d.officer)
    with pytest.raises(NegotiationError, match="不能晚于今天"):
        services.record_service(negotiation, obligor=obligor, method="direct",
                                attempted_on=datetime.date(2026, 11, 3), succeeded=True,
                                by=d.officer)
    services.record_service(negotiation, obligor=obligor, method="post",
                            attempted_on=datetime.date(2026, 10, 1), succeeded=False,
                            note="查无此人，邮件退回", proof=pdf(), by=d.officer)
    negotiation.refresh_from_db()
    assert negotiation.state == "serving" and negotiation.served_on is None
    assert not deadlines_of(negotiation).exists()


@time_machine.travel(datetime.datetime(2026, 7, 5, 10, tzinfo=datetime.UTC), tick=False)
def test_ninety_days_run_from_the_service_date_not_the_notice_date_across_national_day(d):
    """NAT 六; SX 第十八条: 自送达磋商书面通知之日起算. Notice dated 30 June, served 3 July:
    day 90 is 1 October (National Day), so the period ends on the first working day after."""
    negotiation = negotiating(d)
    negotiation.notice_issued_on = datetime.date(2026, 6, 30)
    negotiation.reply_due = datetime.date(2026, 7, 20)
    negotiation.save()
    obligor = negotiation.obligors().first()
    services.record_service(negotiation, obligor=obligor, method="electronic",
                            attempted_on=datetime.date(2026, 7, 3), succeeded=True,
                            by=d.officer)
    negotiation.refresh_from_db()
    assert negotiation.state == "awaiting_reply"
    assert negotiation.served_on == datetime.date(2026, 7, 3)
    period = deadlines_of(negotiation).get(kind=DeadlineKind.NEGOTIATION_PERIOD)
    assert period.start_date == datetime.date(2026, 7, 3)
    assert period.due == datetime.date(2026, 10, 8)
    assert period.due == compute_due(datetime.date(2026, 7, 3), days=90,
                                     calendar="natural").due
    assert "2026年7月3日" in period.explanation and "国庆" in period.explanation
    assert "2026年6月30日" not in period.explanation
    reply = deadlines_of(negotiation).get(kind=DeadlineKind.NEGOTIATION_REPLY)
    assert reply.due == datetime.date(2026, 7, 20)
    # The second obligor served later does not move the clock.
    services.record_service(negotiation, obligor=negotiation.obligors().last(),
                            method="direct", attempted_on=datetime.date(2026, 7, 4),
                            succeeded=True, by=d.officer)
    assert deadlines_of(negotiation).filter(kind=DeadlineKind.NEGOTIATION_PERIOD).count() == 1


@time_machine.travel(NOV, tick=False)
def test_reply_agreeing_opens_the_meetings_and_meets_the_reply_period(d):
    negotiation = in_progress(d)
    assert negotiation.state == "in_progress"
    reply = deadlines_of(negotiation).get(kind=DeadlineKind.NEGOTIATION_REPLY)
    assert reply.status == "met"
    assert deadlines_of(negotiation).get(kind=DeadlineKind.NEGOTIATION_PERIOD).status == "open"


@time_machine.travel(NOV, tick=False)
def test_reply_refusing_fails_the_round_and_the_case_goes_to_litigation_at_once(d):
    negotiation = served(d)
    negotiation = services.record_reply(negotiation, reply="refused",
                                        replied_on=datetime.date(2026, 10, 9),
                                        note="义务人书面拒绝", by=d.officer)
    assert negotiation.state == "failed"
    assert negotiation.failure_reason == Negotiation.Failure.REFUSED
    case = Case.objects.get(pk=negotiation.case_id)
    assert case.stage == Case.Stage.LITIGATING
    litigation = case.litigations.get()
    assert litigation.origin == "negotiation_failed" and litigation.state == "preparing"
    assert not deadlines_of(negotiation).filter(status__in=["open", "overdue"]).exists()


@time_machine.travel(NOV, tick=False)
def test_meetings_only_after_the_obligor_agreed_and_not_before_service(d):
    negotiation = served(d)
    with pytest.raises(NegotiationError, match="同意磋商后"):
        meet(negotiation, d, datetime.date(2026, 10, 10))
    negotiation = in_progress(d)
    with pytest.raises(NegotiationError, match="不能早于告知书送达日期"):
        meet(negotiation, d, datetime.date(2026, 9, 29))


@time_machine.travel(NOV, tick=False)
def test_agent_meeting_counts_only_with_the_written_authorisation(d):
    negotiation = in_progress(d)
    meeting = services.record_meeting(
        negotiation, held_on=datetime.date(2026, 10, 12), place="会议室", attendees="法规科",
        obligor_attendance=Meeting.Attendance.AGENT, agent_name="李律师",
        minutes="交换意见", by=d.officer)
    assert not meeting.counts and meeting.awaiting_authorisation
    assert negotiation.meetings_held() == 0
    services.add_agent_authorisation(meeting, pdf("授权委托书.pdf"), by=d.officer)
    assert Negotiation.objects.get(pk=negotiation.pk).meetings_held() == 1


@time_machine.travel(NOV, tick=False)
def test_a_fourth_meeting_is_refused_and_more_need_a_complex_case(d):
    negotiation = in_progress(d)
    with pytest.raises(ConditionsNotMet, match="尚未达到次数上限"):
        services.request_more_meetings(negotiation, reason="案情复杂", by=d.officer)
    for day in (12, 19, 26):
        meet(negotiation, d, datetime.date(2026, 10, day))
    with pytest.raises(NegotiationError, match="已召开磋商会议3次，达到上限（SX 第十八条）"):
        meet(negotiation, d, datetime.date(2026, 10, 30))
    with pytest.raises(ConditionsNotMet, match="重大案件或经认定案情复杂"):
        services.request_more_meetings(negotiation, reason="仍有分歧", by=d.officer)


@time_machine.travel(NOV, tick=False)
def test_the_department_head_approves_one_more_meeting_for_a_complex_case(d):
    negotiation = in_progress(d)
    Negotiation.objects.filter(pk=negotiation.pk).update(complex_case=True)
    for day in (12, 19, 26):
        meet(negotiation, d, datetime.date(2026, 10, day))
    request = services.request_more_meetings(Negotiation.objects.get(pk=negotiation.pk),
                                             reason="涉及多个义务人，分歧较大", by=d.officer)
    assert Negotiation.objects.get(pk=negotiation.pk).state == "meeting_approval"
    first = request.steps.get(order=1)
    with pytest.raises(PermissionDenied):
        approvals.decide(first, by=d.department_head, approve=True, opinion="同意")
    approvals.decide(first, by=d.division_head, approve=True, opinion="拟同意")
    approvals.decide(request.steps.get(order=2), by=d.department_head, approve=True,
                     opinion="同意增加一次")
    negotiation = Negotiation.objects.get(pk=negotiation.pk)
    assert (negotiation.state, negotiation.extra_meetings_approved) == ("in_progress", 1)
    assert meet(negotiation, d, datetime.date(2026, 10, 30)).sequence == 4
    with pytest.raises(NegotiationError, match="达到上限"):
        meet(negotiation, d, datetime.date(2026, 10, 31))


@time_machine.travel(NOV, tick=False)
def test_the_national_baseline_allows_no_extra_meetings_even_for_a_major_case():
    d = desk("NT")  # NT falls back to the national profile's 3 meetings, no more (NAT 六)
    negotiation = in_progress(d, classification=Case.Classification.MAJOR)
    assert negotiation.complex_case
    for day in (12, 19, 26):
        meet(negotiation, d, datetime.date(2026, 10, day))
    with pytest.raises(ConditionsNotMet, match="重大案件或经认定案情复杂"):
        services.request_more_meetings(negotiation, reason="仍有分歧", by=d.officer)


@time_machine.travel(NOV, tick=False)
def test_only_one_open_round_and_only_officers_issue(d):
    negotiation = negotiating(d)
    with pytest.raises(NegotiationError, match="已有进行中的磋商"):
        services.open_round(negotiation.case, by=d.officer)
    preparing = perform(concluded_case(d), "start_negotiation", by=d.officer).negotiations.get()
    with pytest.raises(TransitionDenied):
        perform(preparing, "issue_notice", by=d.division_head)


@time_machine.travel(NOV, tick=False)
def test_the_services_themselves_refuse_heads_and_other_departments(d):
    negotiation = in_progress(d)
    outsider = desk("SX").officer
    for user in (d.division_head, outsider):
        with pytest.raises(TransitionDenied, match="没有办理该案件的权限"):
            meet(negotiation, type(d)(officer=user, division_head=None, department_head=None,
                                      department=None), datetime.date(2026, 10, 12))
        with pytest.raises(TransitionDenied):
            services.draft_agreement(negotiation, by=user)
    assert not negotiation.meetings.exists() and not negotiation.agreements.exists()
