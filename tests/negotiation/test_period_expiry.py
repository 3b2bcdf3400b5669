"""The 90 days run out: NAT 六, CQ 七(一) and SX 第十八条 hold negotiation to 90 days from
service "原则上"; past them the department may treat it as 磋商不成 and go to court (CQ 七(三)6;
SX 第十九条(六): 避免久磋不决). The round is marked 磋商期限届满 (round page, case page, case
list); going on — a meeting, service, more meetings, drafting or signing an agreement — needs
the approval of the 机构负责人 with a reason; failure with reason 6 never does. And no third
round after the one renegotiation (CQ 八; SX 第二十一条)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import Case
from negotiation import services
from negotiation.models import Agreement, Litigation, Negotiation
from tests.negotiation.factories import complete_draft, desk, in_progress, meet, pdf, signed
from workflow import approvals
from workflow.attachments import attach
from workflow.deadlines import deadlines_of, process_alerts, scan_deadlines
from workflow.models import ApprovalRequest, AuditEvent, DeadlineKind

pytestmark = pytest.mark.django_db

# Served 30 September 2026 (tests/negotiation/factories.served): SX 第十八条's 90 days end on
# 29 December; 3 January 2027 is day 95.
EXPIRED_ON = datetime.date(2026, 12, 29)
BLOCK = "磋商期限已于2026年12月29日届满"


def at(*args):
    return datetime.datetime(*args, 1, tzinfo=datetime.UTC)


SETUP, DAY_89, DAY_95 = at(2026, 10, 9), at(2026, 12, 28), at(2027, 1, 3)
SIGNING = at(2026, 10, 26)  # tests/negotiation/factories.signed: met 20, signed 25 October


def run_engine(when):
    with time_machine.travel(when, tick=False):
        scan_deadlines()
        process_alerts()


@pytest.fixture
def d():
    return desk("SX")


@pytest.fixture
def day_95():
    with time_machine.travel(DAY_95, tick=False):
        yield


def round_in_progress(d) -> Negotiation:
    with time_machine.travel(SETUP, tick=False):
        negotiation = in_progress(d)
        meet(negotiation, d, datetime.date(2026, 10, 8))
    return negotiation


def url(name, obj):
    return reverse(f"negotiation:{name}", args=[obj.pk])


def page(response) -> str:
    return response.content.decode()


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def meeting_data(**change):
    return {"held_on": "2027-01-02", "place": "会议室", "attendees": "法规科、检察院",
            "obligor_attendance": "in_person", "agent_name": "", "minutes": "双方就赔偿金额接近一致",
            **change}


def period_of(negotiation):
    return deadlines_of(negotiation).get(kind=DeadlineKind.NEGOTIATION_PERIOD)


def overrun_requested(d, negotiation) -> ApprovalRequest:
    return services.request_overrun(reload(negotiation), reason="双方已就修复方案基本达成一致，即将签署协议",
                                    by=d.officer)


# --- the mark: round page, case page, case list --------------------------------------------

def test_the_expiry_marks_the_round_shown_on_round_case_and_case_list(client, d):
    negotiation = round_in_progress(d)
    run_engine(DAY_89)
    assert reload(negotiation).period_expired_on is None
    run_engine(DAY_95)
    negotiation = reload(negotiation)
    assert negotiation.period_expired_on == EXPIRED_ON
    assert AuditEvent.objects.filter(
        content_type__model="negotiation", object_id=str(negotiation.pk), action="update",
        changes__has_key="period_expired_on").exists()  # a recorded, audited fact
    with time_machine.travel(DAY_95, tick=False):
        client.force_login(d.officer)
        html = page(client.get(url("negotiation_detail", negotiation)))
        assert 'data-testid="period-expired"' in html and "磋商期限届满" in html
        assert "磋商期限已于2026年12月29日届满" in html
        # the next step offered: 磋商不成 for reason 6, or asking the division head
        assert f'{url("negotiation_fail", negotiation)}?reason=expired' in html
        assert f'href="{url("negotiation_overrun", negotiation)}"' in html
        assert 'aria-describedby="meeting-block-reason"' in html  # the button disabled
        assert ">登记送达</a>" not in html
        assert 'data-testid="late-meeting"' in html  # a meeting held before may be entered
        case_html = page(client.get(negotiation.case.get_absolute_url()))
        assert 'data-badge="period-expired"' in case_html
        list_html = page(client.get(reverse("cases:case_list")))
        assert 'data-badge="period-expired"' in list_html and "磋商期限届满" in list_html
        form = client.get(url("negotiation_fail", negotiation) + "?reason=expired")
        assert form.context["form"].initial["reason"] == Negotiation.Failure.EXPIRED


def test_a_round_within_its_period_is_not_marked(client, d):
    negotiation = round_in_progress(d)
    with time_machine.travel(DAY_89, tick=False):
        client.force_login(d.officer)
        assert reload(negotiation).period_expiry() is None
        html = page(client.get(url("negotiation_detail", negotiation)))
        assert 'data-testid="period-expired"' not in html
        assert f'href="{url("negotiation_meeting", negotiation)}"' in html
        assert 'data-badge="period-expired"' not in page(client.get(reverse("cases:case_list")))


def test_a_missed_scan_does_not_let_day_95_through(client, d, day_95):
    """No scan has run: the deadline's own due date still says the period is over."""
    negotiation = round_in_progress(d)
    assert reload(negotiation).period_expired_on is None
    with pytest.raises(services.NegotiationError, match=BLOCK):
        services.record_meeting(reload(negotiation), held_on=datetime.date(2027, 1, 2),
                                place="会议室", attendees="法规科", obligor_attendance="in_person",
                                minutes="继续磋商", by=d.officer)
    client.force_login(d.officer)
    assert 'data-testid="period-expired"' in page(client.get(url("negotiation_detail",
                                                                  negotiation)))
    assert 'data-badge="period-expired"' in page(client.get(reverse("cases:case_list")))
    assert 'data-badge="period-expired"' in page(client.get(negotiation.case.get_absolute_url()))


# --- what is refused without the approval --------------------------------------------------

def test_a_meeting_on_day_95_is_refused_by_the_page_and_the_service(client, d):
    negotiation = round_in_progress(d)
    run_engine(DAY_95)
    with time_machine.travel(DAY_95, tick=False):
        client.force_login(d.officer)
        form = client.get(url("negotiation_meeting", negotiation))
        assert "只能补登该日以前的会议" in page(form)
        response = client.post(url("negotiation_meeting", negotiation), meeting_data())
        error = response.context["form"].errors["held_on"][0]
        assert error.startswith("会议日期（2027年1月2日）在磋商期限届满之后。" + BLOCK)
        assert "须经机构负责人批准" in error
        with pytest.raises(services.NegotiationError, match=BLOCK):
            services.record_meeting(reload(negotiation), held_on=datetime.date(2027, 1, 2),
                                    place="会议室", attendees="法规科",
                                    obligor_attendance="in_person", minutes="继续磋商",
                                    by=d.officer)
    assert negotiation.meetings.count() == 1


def test_a_meeting_held_within_the_period_may_still_be_entered_after_it(client, d):
    negotiation = round_in_progress(d)
    run_engine(DAY_95)
    with time_machine.travel(DAY_95, tick=False):
        client.force_login(d.officer)
        response = client.post(url("negotiation_meeting", negotiation),
                               meeting_data(held_on="2026-12-29"), follow=True)
        assert "第2次磋商会议已登记。" in shown(response)
    assert negotiation.meetings.count() == 2


def test_every_other_step_that_goes_on_is_refused_too(client, d, day_95):
    with time_machine.travel(SETUP, tick=False):
        negotiation = round_in_progress(d)
        draft = complete_draft(negotiation, d, signed_on=datetime.date(2026, 10, 9))
    draft.signed_on = datetime.date(2027, 1, 3)  # signed on day 95
    draft.save()
    negotiation = reload(negotiation)
    obligor = negotiation.obligors().first()
    refused = [
        lambda: services.record_service(negotiation, obligor=obligor, method="post",
                                        attempted_on=datetime.date(2027, 1, 2), succeeded=True,
                                        by=d.officer),
        lambda: services.allow_early_restoration(negotiation,
                                                 requested_on=datetime.date(2027, 1, 2),
                                                 confirmation=pdf(), by=d.officer),
        lambda: services.sign_agreement(draft, by=d.officer),
    ]
    for operation in refused:
        with pytest.raises(services.NegotiationError, match=BLOCK):
            operation()
    Negotiation.objects.filter(pk=negotiation.pk).update(complex_case=True)
    with pytest.raises(services.ConditionsNotMet, match="磋商期限已届满"):
        services.request_more_meetings(reload(negotiation), reason="分歧较大", by=d.officer)
    assert reload(draft).state == Agreement.State.DRAFT
    assert reload(negotiation).state == "in_progress"
    client.force_login(d.officer)
    sign_panel = page(client.get(url("agreement_edit", draft)))
    assert BLOCK in sign_panel  # the sign button greyed out with the reason
    response = client.post(url("agreement_sign", draft), {"seen_state": "draft"}, follow=True)
    assert any(m.startswith("协议签订日期（2027年1月3日）在磋商期限届满之后。" + BLOCK)
               for m in shown(response))
    for name in ("negotiation_early_restoration", "negotiation_more_meetings"):
        response = client.get(url(name, negotiation), follow=True)
        assert any(m.startswith(BLOCK) for m in shown(response)), name


def test_an_agreement_signed_within_the_period_may_be_entered_after_it(d, day_95):
    negotiation = round_in_progress(d)
    run_engine(DAY_95)
    agreement = complete_draft(reload(negotiation), d, signed_on=datetime.date(2026, 12, 28))
    services.sign_agreement(agreement, by=d.officer)
    assert reload(negotiation).state == "agreed"
    assert period_of(negotiation).status == "met"


def test_a_round_still_awaiting_the_reply_cannot_be_agreed_to_but_a_refusal_is_recorded(d,
                                                                                       day_95):
    from tests.negotiation.factories import served

    with time_machine.travel(SETUP, tick=False):
        late, refusing = served(d), served(d)
    with pytest.raises(services.NegotiationError, match=BLOCK):
        services.record_reply(late, reply="agreed", replied_on=datetime.date(2027, 1, 2),
                              by=d.officer)
    services.record_reply(refusing, reply="refused", replied_on=datetime.date(2027, 1, 2),
                          by=d.officer)
    assert reload(refusing).state == "failed"


def test_failure_for_reason_6_needs_no_approval_and_goes_to_litigation(client, d):
    negotiation = round_in_progress(d)
    run_engine(DAY_95)
    with time_machine.travel(DAY_95, tick=False):
        client.force_login(d.officer)
        response = client.post(url("negotiation_fail", negotiation),
                               {"reason": "expired", "note": "", "seen_state": "in_progress"},
                               follow=True)
    negotiation = reload(negotiation)
    assert negotiation.state == "failed" and negotiation.failure_reason == "expired"
    litigation = negotiation.case.litigations.get()
    assert response.redirect_chain[-1][0] == url("litigation_detail", litigation)
    assert Case.objects.get(pk=negotiation.case_id).stage == Case.Stage.LITIGATING
    assert period_of(negotiation).status == "met"
    assert not ApprovalRequest.objects.exists()


# --- the division head's approval ----------------------------------------------------------------

def test_the_division_head_approves_with_a_reason_and_the_meeting_can_then_be_recorded(client, d):
    negotiation = round_in_progress(d)
    run_engine(DAY_95)
    with time_machine.travel(DAY_95, tick=False):
        client.force_login(d.officer)
        request_url = url("negotiation_overrun", negotiation)
        form = client.get(request_url)
        assert form.status_code == 200 and "磋商期限已于2026年12月29日届满" in page(form)
        response = client.post(request_url, {"reason": "  ", "seen_state": "in_progress"})
        assert response.context["form"].errors["reason"] == ["请填写申请理由。"]
        with pytest.raises(approvals.ApprovalError, match="请填写申请理由"):
            services.request_overrun(reload(negotiation), reason="", by=d.officer)
        assert not ApprovalRequest.objects.exists()
        response = client.post(request_url, {"reason": "双方已就修复方案基本达成一致，即将签署协议",
                                             "seen_state": "in_progress"}, follow=True)
        assert "超期继续磋商的申请已提交机构负责人审批。" in shown(response)
        assert reload(negotiation).state == "overrun_approval"
        html = page(response)  # back on the round page, the request listed
        assert "超期继续磋商的申请正在由机构负责人审批。" in html
        assert 'data-testid="approval"' in html and "即将签署协议" in html
        request = ApprovalRequest.objects.get(action="negotiation_period_overrun")
        step = request.steps.get()
        assert step.role == "division_head"
        # the officer and the department head are not the approver: not in their inbox (404),
        # and the service refuses them
        decide = reverse("workflow:approval_decide", args=[step.pk])
        for user in (d.officer, d.department_head):
            client.force_login(user)
            assert client.post(decide, {"decision": "approve", "opinion": "同意"}).status_code \
                == 404
            with pytest.raises(PermissionDenied):
                approvals.decide(step, by=user, approve=True, opinion="同意")
        client.force_login(d.division_head)
        assert client.post(decide, {"decision": "approve", "opinion": ""}).status_code == 200
        client.post(decide, {"decision": "approve", "opinion": "同意继续磋商，限一个月内签署协议"})
        negotiation = reload(negotiation)
        assert negotiation.state == "in_progress"
        assert negotiation.overrun_approved_on == datetime.date(2027, 1, 3)
        event = AuditEvent.objects.get(content_type__model="negotiation",
                                       object_id=str(negotiation.pk),
                                       transition="同意超期继续磋商")
        assert event.actor == d.division_head
        assert event.approval["steps"][0]["opinion"] == "同意继续磋商，限一个月内签署协议"
        client.force_login(d.officer)
        html = page(client.get(url("negotiation_detail", negotiation)))
        assert 'data-testid="overrun-approved"' in html
        assert f'href="{url("negotiation_meeting", negotiation)}"' in html
        response = client.post(url("negotiation_meeting", negotiation), meeting_data(),
                               follow=True)
        assert "第2次磋商会议已登记。" in shown(response)
    assert negotiation.meetings.count() == 2


def test_a_returned_request_leaves_the_round_blocked(d, day_95):
    negotiation = round_in_progress(d)
    request = overrun_requested(d, negotiation)
    approvals.decide(request.steps.get(), by=d.division_head, approve=False,
                     opinion="已超期，应及时起诉")
    negotiation = reload(negotiation)
    assert negotiation.state == "in_progress" and negotiation.overrun_approved_on is None
    with pytest.raises(services.NegotiationError, match=BLOCK):
        meet(negotiation, d, datetime.date(2027, 1, 2))


def test_the_request_is_refused_while_the_period_runs(d):
    negotiation = round_in_progress(d)
    with time_machine.travel(DAY_89, tick=False), \
            pytest.raises(services.ConditionsNotMet, match="磋商期限尚未届满"):
        overrun_requested(d, negotiation)


# --- signing meets the period ---------------------------------------------------------------------

def test_signing_an_agreement_marks_the_period_met(d):
    with time_machine.travel(SIGNING, tick=False):
        agreement = signed(d)
    period = period_of(agreement.negotiation)
    assert period.status == "met"
    run_engine(DAY_95)  # nothing follows a met period
    assert reload(agreement.negotiation).period_expired_on is None


def test_signing_after_the_approval_marks_the_overdue_period_met(d, day_95):
    negotiation = round_in_progress(d)
    run_engine(DAY_95)
    assert period_of(negotiation).status == "overdue"
    request = overrun_requested(d, negotiation)
    approvals.decide(request.steps.get(), by=d.division_head, approve=True, opinion="同意")
    agreement = complete_draft(reload(negotiation), d, signed_on=datetime.date(2027, 1, 3))
    services.sign_agreement(agreement, by=d.officer)
    assert reload(negotiation).state == "agreed"
    assert period_of(negotiation).status == "met"
    html_case = Case.objects.get(pk=negotiation.case_id)
    assert html_case.stage == Case.Stage.PERFORMING


# --- no third round (CQ 八; SX 第二十一条) --------------------------------------------------------

def _renegotiation_failed(d) -> Case:
    """Round 1 agreed, its confirmation refused, round 2 (the renegotiation) failed."""
    with time_machine.travel(SIGNING, tick=False):
        agreement = signed(d)
    with time_machine.travel(at(2026, 11, 2), tick=False):
        case = agreement.case
        confirmation = services.start_confirmation(case, by=d.officer)
        confirmation.court = "太原市中级人民法院"
        confirmation.applied_on = datetime.date(2026, 10, 26)
        confirmation.agreement_file = attach(confirmation, pdf("协议.pdf"), by=d.officer)
        confirmation.appraisal_report = attach(confirmation, pdf("报告.pdf"), by=d.officer)
        confirmation.save()
        confirmation = services.file_confirmation(confirmation, by=d.officer)
        services.record_ruling(confirmation, confirmed=False, ruling_number="（2026）晋01民特2号",
                               ruling_date=datetime.date(2026, 10, 28), refusal_reason="条款违法",
                               by=d.officer)
        renegotiation = case.negotiations.get(round_number=2)
        for name, value in {"plan_feasibility": "可行", "plan_cost": "八十万元",
                            "plan_obligor_capacity": "具备", "group_own": "法规科",
                            "first_meeting_place": "会议室",
                            "first_meeting_at": at(2026, 11, 10),
                            "reply_due": datetime.date(2026, 11, 10)}.items():
            setattr(renegotiation, name, value)
        renegotiation.save()
        renegotiation = services.issue_notice(renegotiation, by=d.officer)
        services.fail_negotiation(renegotiation, reason="other", note="义务人拒绝调整条款",
                                  by=d.officer)
    return Case.objects.get(pk=case.pk)


def test_no_third_round_at_the_service_or_in_the_database(d):
    case = _renegotiation_failed(d)
    assert case.stage == Case.Stage.LITIGATING
    for kind in (Negotiation.Kind.FIRST, Negotiation.Kind.RENEGOTIATION):
        with pytest.raises(services.NegotiationError, match="只能重新磋商一次"):
            services.open_round(case, by=d.officer, kind=kind)
    assert case.negotiations.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Negotiation.objects.create(case=case, kind=Negotiation.Kind.RENEGOTIATION,
                                   round_number=3, created_by=d.officer)


def test_a_failed_first_round_opens_no_further_round(d):
    with time_machine.travel(SETUP, tick=False):
        negotiation = in_progress(d)
        services.fail_negotiation(negotiation, reason="other", note="义务人注销", by=d.officer)
    case = Case.objects.get(pk=negotiation.case_id)
    with pytest.raises(services.NegotiationError, match="本案已进行过磋商"):
        services.open_round(case, by=d.officer)
    with pytest.raises(services.NegotiationError, match="未予司法确认的，才能重新磋商"):
        services.open_round(case, by=d.officer, kind=Negotiation.Kind.RENEGOTIATION)
    assert case.negotiations.count() == 1


def test_no_page_opens_a_third_round_after_the_renegotiation_failed(client, d):
    """The judgment takes effect, the court refuses to confirm the old agreement once more:
    the ruling page sends the case to litigation, never to a third round."""
    case = _renegotiation_failed(d)
    with time_machine.travel(at(2026, 11, 20), tick=False):
        litigation = case.litigations.get()
        litigation.court, litigation.court_case_number = "太原市中级人民法院", "（2026）晋01民初9号"
        litigation.filed_on = datetime.date(2026, 11, 3)
        litigation.judgment_number = "（2026）晋01民初9号判决"
        litigation.judgment_date = datetime.date(2026, 11, 10)
        litigation.effective_on = datetime.date(2026, 11, 12)
        litigation.save()
        for step in ("file", "judge", "take_effect"):
            litigation = services.advance_litigation(litigation, step, by=d.officer)
        confirmation = services.start_confirmation(Case.objects.get(pk=case.pk), by=d.officer)
        confirmation.court = "太原市中级人民法院"
        confirmation.applied_on = datetime.date(2026, 11, 13)
        confirmation.agreement_file = attach(confirmation, pdf("协议.pdf"), by=d.officer)
        confirmation.appraisal_report = attach(confirmation, pdf("报告.pdf"), by=d.officer)
        confirmation.save()
        confirmation = services.file_confirmation(confirmation, by=d.officer)
        client.force_login(d.officer)
        html = page(client.get(url("negotiation_detail", case.negotiations.get(round_number=2))))
        assert "第3轮" not in html
        response = client.post(url("confirmation_ruling", confirmation), {
            "result": "refused", "ruling_number": "（2026）晋01民特30号",
            "ruling_date": "2026-11-18", "refusal_reason": "仍不符合规定"}, follow=True)
    assert response.status_code == 200
    case = Case.objects.get(pk=case.pk)
    assert case.negotiations.count() == 2
    assert case.stage == Case.Stage.LITIGATING
    assert case.litigations.filter(
        origin=Litigation.Origin.CONFIRMATION_REFUSED_AGAIN).exists()
