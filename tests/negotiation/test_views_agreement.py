"""The agreement pages (form [5]): the draft's editor with its inline restoration terms,
payment terms and instalments, the sign button with what is still missing, the read-only text
with its versions, and the correction as a new version with a reason."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case
from negotiation.models import Agreement, Instalment, PaymentTerm, RestorationTerm
from tests.factories import UserFactory
from tests.negotiation.factories import complete_draft, desk, in_progress, signed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def d():
    return desk("SX")


def url(name, obj):
    return reverse(f"negotiation:{name}", args=[obj.pk])


def page(response) -> str:
    return response.content.decode()


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def post_data(context) -> dict:
    """What the editor's forms would submit unchanged (initial values, management forms)."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None or value is False or value == "":
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif isinstance(value, datetime.date):
                data[field.html_name] = value.isoformat()
            else:
                data[field.html_name] = str(value)

    add(context["form"])
    for formset in [context["restoration"], context["payments"],
                    *[formset for _, formset in context["instalments"]]]:
        add(formset.management_form)
        for form in formset:
            add(form)
    return data


@pytest.fixture
def draft(client, d):
    negotiation = in_progress(d)
    client.force_login(d.officer)
    client.post(url("negotiation_draft_agreement", negotiation))
    return negotiation.agreements.get()


def editor(client, agreement) -> dict:
    response = client.get(url("agreement_edit", agreement))
    assert response.status_code == 200
    return post_data(response.context)


def completed(data, agreement) -> dict:
    first = agreement.obligors.order_by("id").first()
    return {**data,
            "evidence": "1. 监测报告", "liability": "义务人承担全部赔偿责任",
            "performance": "修复并缴纳服务功能损失", "breach_liability": "逾期按日加收万分之五",
            "signed_on": "2026-11-02", "signed_place": "太原市",
            "restoration-0-item": "河段底泥清淤", "restoration-0-mode": "third_party",
            "restoration-0-target": "水质恢复至III类", "restoration-0-estimated_cost": "800000",
            "restoration-0-start_by": "2026-12-01", "restoration-0-finish_by": "2027-06-30",
            "payment-0-obligor": str(first.pk), "payment-0-kind": "service_loss",
            "payment-0-amount": "123000.00", "payment-0-due_on": "2026-12-31"}


def test_the_editor_is_prefilled_and_offers_only_the_case_obligors(client, d, draft):
    response = client.get(url("agreement_edit", draft))
    html = page(response)
    assert "排污致河段水生态受损" in html  # facts from the investigation
    assert 'data-testid="sign-panel"' in html and "相关证据" in html  # missing contents
    case_obligors = set(draft.case.obligor_links.values_list("pk", flat=True))
    form = response.context["form"]
    assert {c.value for c, _ in form.fields["obligors"].choices} == case_obligors
    term_form = response.context["payments"].forms[0]
    assert {c.value for c, _ in term_form.fields["obligor"].choices if c} == case_obligors


def test_the_editor_saves_the_contents_and_terms_and_the_agreement_can_be_signed(
        client, d, draft):
    data = completed(editor(client, draft), draft)
    response = client.post(url("agreement_edit", draft), data, follow=True)
    assert "赔偿协议草稿已保存。" in shown(response)
    draft = reload(draft)
    assert draft.liability == "义务人承担全部赔偿责任" and draft.signed_place == "太原市"
    term = RestorationTerm.objects.get(agreement=draft)
    assert (term.item, term.estimated_cost) == ("河段底泥清淤", Decimal("800000.00"))
    payment = PaymentTerm.objects.get(agreement=draft)
    assert payment.amount == Decimal("123000.00")
    html = page(response)
    assert 'data-testid="missing-contents"' not in html
    assert "分期缴纳：服务功能损失 123,000.00 元" in html  # instalments offered once saved
    response = client.post(url("agreement_sign", draft), {"seen_state": "draft"}, follow=True)
    assert "赔偿协议已签署，本轮磋商达成协议，案件进入履行阶段。" in shown(response)
    assert reload(draft).state == "signed"
    assert reload(draft.negotiation).state == "agreed"
    assert Case.objects.get(pk=draft.case_id).stage == Case.Stage.PERFORMING
    assert 'data-testid="agreement-state">已签署<' in page(response)


def test_invalid_terms_are_shown_next_to_the_fields_and_nothing_is_saved(client, d, draft):
    data = completed(editor(client, draft), draft)
    other = in_progress(desk("SX")).case.obligor_links.first()
    response = client.post(url("agreement_edit", draft), {
        **data, "payment-0-amount": "-5", "restoration-0-estimated_cost": "-1",
        "restoration-0-finish_by": "2026-11-30", "restoration-0-obligor": str(other.pk)})
    assert response.status_code == 200
    restoration = response.context["restoration"].forms[0].errors
    assert restoration["estimated_cost"] == ["金额不能为负数。"]
    assert restoration["obligor"] == ["请从列表中选择。"]
    assert response.context["payments"].forms[0].errors["amount"] == ["金额须大于零。"]
    assert 'id="id_payment-0-amount_error"' in page(response)
    assert "请修改下列标红的内容后再保存" in page(response)
    assert reload(draft).liability == ""  # nothing half-saved
    assert not draft.restoration_terms.exists() and not draft.payment_terms.exists()
    response = client.post(url("agreement_edit", draft), {
        **data, "restoration-0-finish_by": "2026-11-30", "payment-0-amount": "12x",
        "deposit_amount": "0"})
    assert "deposit_amount" not in response.context["form"].errors  # may be zero
    assert response.context["restoration"].forms[0].errors["finish_by"] == [
        "完成期限不能早于开工期限。"]
    assert response.context["payments"].forms[0].errors["amount"] == [
        "请填写金额（元），最多两位小数。"]
    response = client.post(url("agreement_edit", draft), {**data, "signed_on": "2026-11-03"})
    assert response.context["form"].errors["signed_on"] == ["签订时间不能晚于今天。"]
    assert not draft.payment_terms.exists()


def test_instalments_are_edited_per_payment_term_and_checked_before_signing(client, d, draft):
    client.post(url("agreement_edit", draft), completed(editor(client, draft), draft))
    payment = PaymentTerm.objects.get(agreement=draft)
    prefix = f"instalment-{payment.pk}"
    data = editor(client, draft)
    data.update({f"{prefix}-0-sequence": "1", f"{prefix}-0-amount": "60000",
                 f"{prefix}-0-due_on": "2026-12-31"})
    response = client.post(url("agreement_edit", draft), data, follow=True)
    assert "赔偿协议草稿已保存。" in shown(response)
    assert Instalment.objects.get(term=payment).amount == Decimal("60000.00")
    html = page(response)
    assert "服务功能损失 123,000.00 元：各期金额之和不等于该项金额" in html
    assert "服务功能损失 123,000.00 元：分期缴纳须有担保（NT 三(九)）" in html
    assert 'data-testid="unmet-sign"' in html
    response = client.post(url("agreement_sign", draft), {"seen_state": "draft"}, follow=True)
    assert any("分期赔付的" in m for m in shown(response))
    assert reload(draft).state == "draft"


def test_signing_is_refused_with_what_is_missing(client, d, draft):
    response = client.post(url("agreement_sign", draft), {"seen_state": "draft"}, follow=True)
    messages = shown(response)
    assert "须填写协议的必备内容（CQ 七(二)；SX 第二十条）" in messages
    assert "须填写签订日期和签订地点" in messages
    html = page(response)
    assert 'data-testid="missing-contents"' in html and "违约责任" in html
    assert reload(draft).state == "draft"


def test_only_an_officer_signs_and_a_stale_state_is_reported(client, d):
    negotiation = in_progress(d)
    agreement = complete_draft(negotiation, d)
    for head in (d.division_head, d.department_head):
        client.force_login(head)
        assert client.post(url("agreement_sign", agreement),
                           {"seen_state": "draft"}).status_code == 403
        assert client.get(url("agreement_edit", agreement)).status_code == 403
        html = page(client.get(url("agreement_detail", agreement)))
        assert 'data-testid="sign-panel"' not in html
    client.force_login(d.officer)
    client.post(url("agreement_sign", agreement), {"seen_state": "draft"})
    response = client.post(url("agreement_sign", agreement), {"seen_state": "draft"},
                           follow=True)
    assert any(m.startswith("该记录已被他人处理，当前状态为“已签署”") for m in shown(response))
    client.force_login(desk("SX").officer)
    assert client.get(url("agreement_detail", agreement)).status_code == 404
    assert client.post(url("agreement_sign", agreement)).status_code == 404


def test_a_signed_agreement_cannot_be_edited_and_is_corrected_by_a_new_version(client, d):
    agreement = signed(d)
    client.force_login(d.officer)
    response = client.get(url("agreement_edit", agreement), follow=True)
    assert "赔偿协议处于“已签署”状态，不能办理此事项。" in shown(response)
    response = client.post(url("agreement_edit", agreement), {"facts": "改写"}, follow=True)
    assert reload(agreement).facts != "改写"
    detail = page(client.get(url("agreement_detail", agreement)))
    assert "生态环境损害赔偿协议" in detail and "河段底泥清淤" in detail
    assert "123,000.00" in detail and "2026年10月25日" in detail
    assert 'data-testid="correction-form"' in detail
    response = client.post(url("agreement_correct", agreement), {"reason": " "})
    assert response.status_code == 200
    assert response.context["correction_form"].errors["reason"] == ["请填写更正理由。"]
    assert agreement.case.agreements.count() == 1
    response = client.post(url("agreement_correct", agreement), {"reason": "义务人名称笔误"},
                           follow=True)
    correction = Agreement.objects.get(previous=agreement)
    assert response.redirect_chain[-1][0] == url("agreement_edit", correction)
    assert "已制作更正版本（第2版），签署后取代第1版。" in shown(response)
    assert correction.restoration_terms.count() == 1
    detail = page(client.get(url("agreement_detail", agreement)))
    assert "本版本已有更正版本" in detail and 'data-testid="correction-form"' not in detail
    response = client.post(url("agreement_correct", agreement), {"reason": "再改"}, follow=True)
    assert "该协议已有更正版本。" in page(response)
    data = editor(client, correction)
    data.update({"signed_on": "2026-11-02", "signed_place": "太原市"})
    client.post(url("agreement_edit", correction), data)
    response = client.post(url("agreement_sign", correction), {"seen_state": "draft"},
                           follow=True)
    assert "更正后的第2版已签署，第1版已被取代。" in shown(response)
    assert reload(agreement).state == "superseded"
    versions = page(response)
    assert "更正理由：义务人名称笔误" in versions and "已被更正版本取代" in versions


def test_finance_reads_the_agreement_but_not_the_round(client, d):
    agreement = signed(d)
    finance = UserFactory(department=d.department, role=Role.FINANCE)
    client.force_login(finance)
    response = client.get(url("agreement_detail", agreement))
    assert response.status_code == 200 and 'data-testid="correction-form"' not in page(response)
    assert client.get(url("negotiation_detail", agreement.negotiation)).status_code == 403
    assert client.post(url("agreement_correct", agreement), {"reason": "x"}).status_code == 403
