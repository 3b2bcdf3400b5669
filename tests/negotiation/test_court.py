"""Judicial confirmation (form [6]), the once-only renegotiation after a refusal, litigation
and enforcement (form [7]) (CQ 八; NAT 七、十; SX 第二十一、二十二条)."""

import datetime

import pytest
import time_machine

from cases.closing import unperformed
from cases.models import Case
from negotiation import services
from negotiation.models import Enforcement, JudicialConfirmation, Litigation, Negotiation
from tests.negotiation.factories import complete_draft, desk, in_progress, meet, pdf, signed
from workflow.attachments import attach
from workflow.transitions import ConditionsNotMet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def d():
    return desk("SX")


def stage(record) -> str:
    return Case.objects.get(pk=record.case_id).stage


def filed(d, agreement=None, applied_on=datetime.date(2026, 11, 3)) -> JudicialConfirmation:
    agreement = agreement or signed(d)
    confirmation = services.start_confirmation(agreement.case, by=d.officer)
    confirmation.court = "太原市中级人民法院"
    confirmation.applied_on = applied_on
    confirmation.agreement_file = attach(confirmation, pdf("协议.pdf"), by=d.officer)
    confirmation.appraisal_report = attach(confirmation, pdf("报告.pdf"), by=d.officer)
    confirmation.save()
    return services.file_confirmation(confirmation, by=d.officer)


def refuse(confirmation, d, on=datetime.date(2026, 11, 10)):
    return services.record_ruling(confirmation, confirmed=False,
                                  ruling_number="（2026）晋01民特12号", ruling_date=on,
                                  refusal_reason="协议约定的修复目标不明确", by=d.officer)


def test_filing_is_refused_without_the_agreement_and_the_appraisal_report(d):
    agreement = signed(d)
    confirmation = services.start_confirmation(agreement.case, by=d.officer)
    assert confirmation.agreement == agreement
    with pytest.raises(ConditionsNotMet) as unmet:
        services.file_confirmation(confirmation, by=d.officer)
    message = str(unmet.value)
    assert "受理法院和申请日期" in message
    assert "须附赔偿协议文本" in message and "须附鉴定评估报告或专家意见" in message
    assert stage(agreement) == Case.Stage.PERFORMING
    with pytest.raises(services.NegotiationError, match="已申请司法确认"):
        services.start_confirmation(agreement.case, by=d.officer)


def test_a_confirmed_agreement_returns_the_case_to_performance(d):
    confirmation = filed(d)
    assert stage(confirmation) == Case.Stage.CONFIRMING
    with pytest.raises(services.NegotiationError, match="不能早于申请日期"):
        services.record_ruling(confirmation, confirmed=True, ruling_number="（2026）晋01民特1号",
                               ruling_date=datetime.date(2026, 11, 2), by=d.officer)
    services.record_ruling(confirmation, confirmed=True, ruling_number="（2026）晋01民特1号",
                           ruling_date=datetime.date(2026, 11, 10), by=d.officer)
    confirmation.refresh_from_db()
    assert confirmation.state == "confirmed"
    assert stage(confirmation) == Case.Stage.PERFORMING
    assert services.confirmed_agreement(confirmation.case) == confirmation


def test_a_refusal_opens_one_new_round_and_a_second_refusal_goes_to_litigation(d):
    first = filed(d)
    refuse(first, d)
    case = Case.objects.get(pk=first.case_id)
    assert case.stage == Case.Stage.NEGOTIATING
    renegotiation = case.negotiations.get(round_number=2)
    assert renegotiation.kind == Negotiation.Kind.RENEGOTIATION
    assert renegotiation.state == "preparing"
    with pytest.raises(services.NegotiationError, match="只能重新磋商一次"):
        services.open_round(case, by=d.officer, kind=Negotiation.Kind.RENEGOTIATION)
    # The renegotiated agreement is refused again: no third round, litigation instead.
    renegotiation = _bring_to_agreement(renegotiation, d)
    first.agreement.refresh_from_db()
    assert first.agreement.state == "superseded"  # the renegotiated agreement replaces it
    second = filed(d, agreement=services.current_agreement(case),
                   applied_on=datetime.date(2026, 11, 16))
    refuse(second, d, on=datetime.date(2026, 11, 18))
    case.refresh_from_db()
    assert case.stage == Case.Stage.LITIGATING
    assert case.negotiations.count() == 2
    assert case.litigations.get().origin == Litigation.Origin.CONFIRMATION_REFUSED_AGAIN


def _bring_to_agreement(negotiation, d):
    for field, value in {
        "plan_feasibility": "可行", "plan_cost": "八十万元", "plan_obligor_capacity": "具备",
        "group_own": "法规科", "first_meeting_place": "会议室",
        "first_meeting_at": datetime.datetime(2026, 11, 12, 9, tzinfo=datetime.UTC),
        "reply_due": datetime.date(2026, 11, 16), "notice_issued_on": datetime.date(2026, 11, 11),
    }.items():
        setattr(negotiation, field, value)
    negotiation.save()
    negotiation = services.issue_notice(negotiation, by=d.officer)
    for obligor in negotiation.obligors():
        services.record_service(negotiation, obligor=obligor, method="direct",
                                attempted_on=datetime.date(2026, 11, 11), succeeded=True,
                                by=d.officer)
    negotiation = services.record_reply(Negotiation.objects.get(pk=negotiation.pk),
                                        reply="agreed", replied_on=datetime.date(2026, 11, 12),
                                        by=d.officer)
    meet(negotiation, d, datetime.date(2026, 11, 13))
    agreement = complete_draft(negotiation, d, signed_on=datetime.date(2026, 11, 14))
    services.sign_agreement(agreement, by=d.officer)
    return negotiation


def test_a_failed_renegotiation_goes_to_litigation(d):
    confirmation = filed(d)
    refuse(confirmation, d)
    case = Case.objects.get(pk=confirmation.case_id)
    renegotiation = case.negotiations.get(round_number=2)
    renegotiation.plan_feasibility = renegotiation.plan_cost = "已核实"
    renegotiation.plan_obligor_capacity = "具备"
    renegotiation.group_own, renegotiation.first_meeting_place = "法规科", "会议室"
    renegotiation.first_meeting_at = datetime.datetime(2026, 11, 18, 9, tzinfo=datetime.UTC)
    renegotiation.reply_due = datetime.date(2026, 11, 19)
    renegotiation.save()
    renegotiation = services.issue_notice(renegotiation, by=d.officer)
    services.fail_negotiation(renegotiation, reason="other", note="义务人拒不到场核实",
                              by=d.officer)
    case.refresh_from_db()
    assert case.stage == Case.Stage.LITIGATING
    assert case.litigations.get().origin == Litigation.Origin.RENEGOTIATION_FAILED


def test_litigation_from_filing_through_appeal_to_an_effective_judgment(d):
    negotiation = in_progress(d)
    litigation = services.fail_negotiation(negotiation, reason="other", note="义务人失联",
                                           by=d.officer)
    with pytest.raises(ConditionsNotMet, match="受理法院、立案日期和案号"):
        services.advance_litigation(litigation, "file", by=d.officer)
    litigation.court, litigation.filed_on = "太原市中级人民法院", datetime.date(2026, 11, 5)
    litigation.court_case_number = "（2026）晋01民初88号"
    litigation.procuratorate_support = True
    litigation.support_requested_on = datetime.date(2026, 11, 4)
    litigation.save()
    litigation = services.advance_litigation(litigation, "file", by=d.officer)
    with pytest.raises(ConditionsNotMet, match="判决书文号"):
        services.advance_litigation(litigation, "judge", by=d.officer)
    litigation.judgment_number, litigation.judgment_date = "（2026）晋01民初88号", \
        datetime.date(2026, 11, 15)
    litigation.save()
    litigation = services.advance_litigation(litigation, "judge", by=d.officer)
    with pytest.raises(ConditionsNotMet, match="上诉法院"):
        services.advance_litigation(litigation, "appeal", by=d.officer)
    litigation.appeal_court, litigation.appeal_case_number = "山西省高级人民法院", "（2026）晋民终9号"
    litigation.save()
    litigation = services.advance_litigation(litigation, "appeal", by=d.officer)
    assert stage(litigation) == Case.Stage.LITIGATING
    litigation.effective_on = datetime.date(2026, 11, 19)
    litigation.save()
    litigation = services.advance_litigation(litigation, "take_effect", by=d.officer)
    assert litigation.state == "effective"
    assert stage(litigation) == Case.Stage.PERFORMING
    assert unperformed(litigation.case) == []


def test_an_unconfirmed_agreement_not_performed_is_sued_a_confirmed_one_enforced(d):
    agreement = signed(d)
    case = agreement.case
    with pytest.raises(services.NegotiationError, match="没有经司法确认"):
        services.start_enforcement(case, by=d.officer)
    with pytest.raises(services.NegotiationError, match="未履行"):
        services.sue_for_nonperformance(case, note="", by=d.officer)
    litigation = services.sue_for_nonperformance(case, note="逾期未缴纳服务功能损失",
                                                 by=d.officer)
    assert litigation.origin == Litigation.Origin.NOT_PERFORMED
    assert stage(agreement) == Case.Stage.LITIGATING

    other = filed(desk("SX"))
    services.record_ruling(other, confirmed=True, ruling_number="（2026）晋01民特2号",
                           ruling_date=datetime.date(2026, 11, 10), by=other.created_by)
    with pytest.raises(services.NegotiationError, match="应当申请强制执行"):
        services.sue_for_nonperformance(other.case, note="未缴纳", by=other.created_by)


def test_enforcement_of_a_confirmed_agreement_with_defaulter_listing(d):
    confirmation = filed(d)
    services.record_ruling(confirmation, confirmed=True, ruling_number="（2026）晋01民特3号",
                           ruling_date=datetime.date(2026, 11, 10), by=d.officer)
    enforcement = services.start_enforcement(confirmation.case, by=d.officer)
    assert enforcement.basis == Enforcement.Basis.CONFIRMED_AGREEMENT
    assert enforcement.confirmation == confirmation
    assert enforcement.court == "太原市中级人民法院"
    assert enforcement.respondents.count() == 2
    with pytest.raises(ConditionsNotMet, match="执行法院、申请日期和未履行情况"):
        services.apply_enforcement(enforcement, by=d.officer)
    enforcement.applied_on = datetime.date(2026, 11, 18)
    enforcement.non_performance = "义务人逾期未缴纳服务功能损失123000元"
    enforcement.save()
    enforcement = services.apply_enforcement(enforcement, by=d.officer)
    assert stage(enforcement) == Case.Stage.ENFORCING
    with pytest.raises(services.NegotiationError, match="只有在履行阶段"):
        services.start_enforcement(enforcement.case, by=d.officer)
    enforcement.defaulter_listed_on = datetime.date(2026, 11, 19)
    enforcement.defaulter_court = "太原市中级人民法院"
    enforcement.credit_reported_on = datetime.date(2026, 11, 20)
    enforcement.save()
    with pytest.raises(ConditionsNotMet, match="执行结果"):
        services.conclude_enforcement(enforcement, by=d.officer)
    enforcement.result, enforcement.concluded_on = "执行到位", datetime.date(2026, 11, 20)
    enforcement.save()
    services.conclude_enforcement(enforcement, by=d.officer)
    assert stage(enforcement) == Case.Stage.PERFORMING


def test_enforcement_of_an_effective_judgment_names_it(d):
    negotiation = in_progress(d)
    litigation = services.fail_negotiation(negotiation, reason="other", note="失联",
                                           by=d.officer)
    Litigation.objects.filter(pk=litigation.pk).update(
        court="太原市中级人民法院", filed_on=datetime.date(2026, 11, 5),
        court_case_number="（2026）晋01民初9号", judgment_number="（2026）晋01民初9号",
        judgment_date=datetime.date(2026, 11, 10), effective_on=datetime.date(2026, 11, 19))
    for step in ("file", "judge", "take_effect"):
        litigation = services.advance_litigation(Litigation.objects.get(pk=litigation.pk), step,
                                                 by=d.officer)
    enforcement = services.start_enforcement(litigation.case, by=d.officer)
    assert enforcement.basis == Enforcement.Basis.JUDGMENT
    assert enforcement.litigation == litigation


def test_closing_needs_an_agreement_or_a_judgment(d):
    negotiation = in_progress(d)
    assert unperformed(negotiation.case) == ["没有已签署的赔偿协议或生效判决。"]
    agreement = signed(d)
    assert "没有已签署的赔偿协议或生效判决。" not in unperformed(agreement.case)
