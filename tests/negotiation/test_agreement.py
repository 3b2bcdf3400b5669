"""The 赔偿协议 (form [5]; CQ 七(二); SX 第二十条): what it must contain before signing, its
schedules, punitive damages (NT 三(八)), early restoration (CQ 十三; SX 第三十条), and that a
signed agreement never changes: a correction is a new version with a reason."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from cases.models import Case
from negotiation import services
from negotiation.models import (
    Agreement,
    AgreementLocked,
    Instalment,
    PaymentTerm,
    RestorationTerm,
)
from tests.negotiation.factories import complete_draft, desk, in_progress, meet, pdf, signed
from workflow.audit import history
from workflow.deadlines import deadlines_of
from workflow.transitions import ConditionsNotMet

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("november")]


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def d():
    return desk("SX")


def sign_refused(agreement) -> str:
    with pytest.raises(ConditionsNotMet) as unmet:
        services.sign_agreement(agreement, by=agreement.drafted_by)
    return str(unmet.value)


def test_the_draft_is_prefilled_and_lists_every_obligor(d):
    negotiation = in_progress(d, obligors=3)
    agreement = services.draft_agreement(negotiation, by=d.officer)
    assert agreement.obligors.count() == 3
    assert "排污致河段水生态受损" in agreement.facts
    assert services.draft_agreement(negotiation, by=d.officer) == agreement  # one draft


def test_signing_needs_the_required_contents_and_a_date_after_service(d):
    negotiation = in_progress(d)
    agreement = services.draft_agreement(negotiation, by=d.officer)
    message = sign_refused(agreement)
    assert "必备内容" in message and "签订日期和签订地点" in message
    assert set(agreement.missing_contents()) == {"相关证据", "生态环境损害责任认定",
                                                 "责任承担、履行方式和期限", "违约责任"}
    agreement = complete_draft(negotiation, d, signed_on=datetime.date(2026, 9, 29))
    assert "不能早于磋商告知书送达之日" in sign_refused(agreement)


def test_instalments_must_add_up_and_need_a_guarantee(d):
    negotiation = in_progress(d)
    agreement = complete_draft(negotiation, d)
    term = agreement.payment_terms.get()
    Instalment.objects.create(term=term, sequence=1, amount=Decimal("60000"),
                              due_on=datetime.date(2026, 12, 31))
    Instalment.objects.create(term=term, sequence=2, amount=Decimal("60000"),
                              due_on=datetime.date(2027, 6, 30))
    assert term.schedule_problems() == ["服务功能损失 123,000.00 元：各期金额之和不等于该项金额",
                                        "服务功能损失 123,000.00 元：分期缴纳须有担保（NT 三(九)）"]
    assert "分期赔付" in sign_refused(agreement)
    Instalment.objects.filter(term=term, sequence=2).update(amount=Decimal("63000"))
    term.guarantee = "由某担保公司提供连带责任保证"
    term.save()
    assert term.schedule_problems() == []
    assert services.sign_agreement(agreement, by=d.officer).state == "signed"


def test_punitive_damages_need_the_base_the_factors_and_the_amount(d):
    negotiation = in_progress(d)
    agreement = complete_draft(negotiation, d)
    agreement.punitive_claimed = True
    agreement.save()
    assert "惩罚性赔偿" in sign_refused(agreement)
    agreement.punitive_base = Decimal("1230000")
    agreement.punitive_factors = ["malice", "duration"]
    agreement.save()
    PaymentTerm.objects.create(agreement=agreement, obligor=agreement.obligors.first(),
                               kind="punitive", amount=Decimal("246000"),
                               due_on=datetime.date(2027, 3, 31))
    signed_agreement = services.sign_agreement(agreement, by=d.officer)
    assert signed_agreement.total_payments() == Decimal("369000.00")


def test_early_restoration_needs_the_written_confirmation_and_then_restoration_terms(d):
    negotiation = in_progress(d)
    with pytest.raises(services.NegotiationError, match="书面确认损害事实"):
        services.allow_early_restoration(negotiation, requested_on=datetime.date(2026, 10, 9),
                                         confirmation=None, by=d.officer)
    negotiation = services.allow_early_restoration(
        negotiation, requested_on=datetime.date(2026, 10, 9),
        confirmation=pdf("损害事实确认书.pdf"), by=d.officer)
    assert negotiation.early_restoration_allowed
    agreement = complete_draft(negotiation, d)
    agreement.restoration_terms.all().delete()
    assert "协议须包含修复要求" in sign_refused(agreement)


def test_signing_ends_the_negotiation_and_moves_the_case_to_performance(d):
    agreement = signed(d)
    negotiation = agreement.negotiation
    negotiation.refresh_from_db()
    assert negotiation.state == "agreed" and negotiation.ended_on == datetime.date(2026, 11, 2)
    assert Case.objects.get(pk=agreement.case_id).stage == Case.Stage.PERFORMING
    assert not deadlines_of(negotiation).filter(status__in=["open", "overdue"]).exists()
    events = [e.transition for e in history(agreement)]
    assert "签署赔偿协议" in events


def test_a_signed_agreement_cannot_change_in_any_way(d):
    agreement = signed(d)
    agreement = Agreement.objects.get(pk=agreement.pk)
    agreement.facts = "改写事实"
    with pytest.raises(AgreementLocked):
        agreement.save()
    with pytest.raises(AgreementLocked):
        RestorationTerm.objects.create(agreement=agreement, item="追加", mode="self",
                                       target="x", finish_by=datetime.date(2027, 1, 1))
    term = agreement.payment_terms.get()
    term.amount = Decimal("1")
    with pytest.raises(AgreementLocked):
        term.save()
    with pytest.raises(AgreementLocked):
        term.delete()
    with pytest.raises(AgreementLocked), transaction.atomic():
        agreement.obligors.clear()
    with pytest.raises(AgreementLocked):
        Agreement.objects.get(pk=agreement.pk).delete()
    fresh = Agreement.objects.get(pk=agreement.pk)
    assert fresh.facts != "改写事实" and fresh.obligors.count() == 2
    assert fresh.payment_terms.get().amount == Decimal("123000.00")


def test_a_correction_is_a_new_version_that_supersedes_the_old_one_when_signed(d):
    original = signed(d)
    with pytest.raises(services.NegotiationError, match="更正理由"):
        services.correct_agreement(original, reason=" ", by=d.officer)
    draft = services.correct_agreement(original, reason="义务人名称笔误", by=d.officer)
    assert (draft.version, draft.state, draft.previous_id) == (2, "draft", original.pk)
    assert draft.correction_reason == "义务人名称笔误"
    assert draft.restoration_terms.count() == 1 and draft.payment_terms.count() == 1
    assert draft.obligors.count() == 2 and draft.signed_on is None
    with pytest.raises(services.NegotiationError, match="已有更正版本"):
        services.correct_agreement(original, reason="再次", by=d.officer)
    draft.signed_on, draft.signed_place = datetime.date(2026, 11, 2), "太原市"
    draft.save()
    services.sign_agreement(draft, by=d.officer)
    original.refresh_from_db()
    assert original.state == "superseded"
    assert services.current_agreement(original.case) == draft
    assert Case.objects.get(pk=original.case_id).stage == Case.Stage.PERFORMING
    with pytest.raises(services.NegotiationError, match="现行有效"):
        services.correct_agreement(original, reason="改旧版", by=d.officer)


def test_drafting_is_refused_before_the_obligor_agreed(d):
    negotiation = in_progress(d)
    meet(negotiation, d, datetime.date(2026, 10, 12))
    services.fail_negotiation(negotiation, reason="other",
                              note="义务人注销", by=d.officer)
    with pytest.raises(services.NegotiationError, match="只有磋商中"):
        services.draft_agreement(negotiation, by=d.officer)
