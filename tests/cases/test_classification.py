"""Case classification (cases.classification) under CQ, SX and NT at and around each threshold:
显著轻微 (CQ 四(一) 未超过2000元; SX 第十条 3000元以下), 简单 (CQ 九 不超过30万元; SX 第十五条
30万元以下 with consent; NT 三(六) 低于五十万元), fees never counted, the 重大 criteria of each
profile (CQ 十; SX 第十二条), history kept only on change, and the checklist on the case page."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from cases.classification import classify, evaluate, major_criteria, reclassify, save_checklist
from cases.models import Case, CaseClassification
from cases.views_ledger import ChecklistForm, classification_panel
from tests.factories import UserFactory
from workflow.audit import history

from .factories import case_under

pytestmark = pytest.mark.django_db

C = Case.Classification
SX_CONSENT = {"facts_simple": True, "no_dispute": True, "department_agrees": True,
              "obligor_consents": True}


def officer_of(case):
    return UserFactory(department=case.department, role=Role.OFFICER)


def result_of(case, **facts):
    if facts:
        return save_checklist(case, criteria=[], by=case.created_by, **facts)
    return classify(case, by=case.created_by)


def texts(row) -> str:
    return "\n".join(f"{r['text']}（{r['citation']}）" for r in row.reasons)


# --- amounts -------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "expected"), [
    ("2000.00", C.TRIVIAL),     # CQ 四(一) 未超过2000元: inclusive
    ("2000.01", C.SIMPLE),
    ("300000.00", C.SIMPLE),    # CQ 九 不超过30万元: inclusive
    ("300000.01", C.ORDINARY),
])
def test_cq_thresholds(amount, expected):
    case = case_under("CQ", amount)
    row = result_of(case)
    assert row.result == expected
    case.refresh_from_db()
    assert case.classification == expected


def test_cq_reasons_cite_the_articles():
    row = result_of(case_under("CQ", "300000.00"))
    assert row.reasons[0] == {
        "text": "估算损害数额 300,000.00 元，超过 CQ 四(一)规定的 2,000 元（“未超过”含本数），"
                "不属于显著轻微案件", "citation": "CQ 四(一)"}
    assert row.reasons[1] == {
        "text": "估算损害数额 300,000.00 元，不超过 CQ 九规定的 300,000 元（含本数），属于简单案件",
        "citation": "CQ 九"}
    over = result_of(case_under("CQ", "300000.01"))
    assert "超过 CQ 九规定的 300,000 元（“不超过”含本数），不属于简单案件，按一般案件" in texts(over)


@pytest.mark.parametrize(("amount", "facts", "expected"), [
    ("3000.00", {}, C.TRIVIAL),            # SX 第十条 3000元以下: inclusive
    ("3000.01", SX_CONSENT, C.SIMPLE),
    ("300000.00", SX_CONSENT, C.SIMPLE),   # SX 第十五条 30万元以下: inclusive
    ("300000.01", SX_CONSENT, C.ORDINARY),
    ("300000.00", {}, C.ORDINARY),         # no consent recorded
])
def test_sx_thresholds(amount, facts, expected):
    assert result_of(case_under("SX", amount), **facts).result == expected


def test_sx_without_the_obligors_consent_is_ordinary():
    case = case_under("SX", "120000.00")
    row = result_of(case, **{**SX_CONSENT, "obligor_consents": False})
    assert row.result == C.ORDINARY
    assert "在 SX 第十五条规定的 300,000 元以下（含本数），在简单案件数额范围内" in texts(row)
    assert "但未经义务人同意（未与赔偿义务人协商一致），不适用简单案件，按一般案件" in texts(row)
    assert row.inputs["obligor_consents"] is False

    row = result_of(case, obligor_consents=True)
    assert row.result == C.SIMPLE
    assert "且损害事实简单、责任认定无争议、经办案部门或机构同意、与赔偿义务人协商一致，属于简单案件" \
        in texts(row)


def test_sx_names_every_missing_condition():
    row = result_of(case_under("SX", "5000.00"))
    assert "但未确认损害事实简单；未确认责任认定无争议；未经办案部门或机构同意；未经义务人同意" \
        in texts(row)


@pytest.mark.parametrize(("amount", "expected"), [
    ("499999.99", C.SIMPLE),     # NT 三(六) 低于五十万元: exclusive
    ("500000.00", C.ORDINARY),
    ("1.00", C.SIMPLE),          # NT sets no 显著轻微 amount
])
def test_nt_thresholds(amount, expected):
    row = result_of(case_under("NT", amount))
    assert row.result == expected
    assert "适用规则（NT 第1版）未规定显著轻微案件的损害数额标准" in texts(row)


def test_nt_wording_is_exclusive():
    row = result_of(case_under("NT", "500000.00"))
    assert "不低于 NT 三(六)规定的 500,000 元（“低于”不含本数），不属于简单案件" in texts(row)


def test_fees_are_never_counted():
    # 290,000 damage + 20,000 appraisal fees: still simple (CQ 九 不含调查、鉴定评估等费用)
    case = case_under("CQ", "290000.00", fees="20000.00")
    row = result_of(case)
    assert row.result == C.SIMPLE
    assert row.reasons[-1] == {
        "text": "判定数额为估算损害数额 290,000.00 元，已登记的调查、鉴定评估等费用 20,000.00 元未计入",
        "citation": "CQ 四(一)；CQ 九"}
    assert row.inputs["amount"] == "290000.00" and row.inputs["fees"] == "20000.00"
    nt = result_of(case_under("NT", "499999.99", fees="1000.00"))
    assert nt.result == C.SIMPLE and nt.reasons[-1]["citation"] == "NT 三(六)"


def test_appraised_amount_wins_over_the_estimate():
    case = case_under("CQ", "100000.00", appraised="300000.01")
    row = result_of(case)
    assert row.result == C.ORDINARY
    assert row.inputs["amount_source"] == "appraised"
    assert "鉴定评估损害数额 300,000.01 元" in texts(row)


def test_unknown_amount_is_ordinary_pending():
    row = result_of(case_under("CQ", None))
    assert (row.result, row.pending, row.label) == (C.ORDINARY, True, "一般（待定）")
    assert "损害数额尚未确定" in row.reasons[0]["text"]


# --- 重大 -----------------------------------------------------------------------------------

CQ_CRITERIA = ["inspection", "major_emergency", "major_ecological_damage", "major_influence",
               "higher_level_decides"]
SX_CRITERIA = ["inspection", "major_emergency", "major_ecological_damage",
               "yellow_river_warning", "major_influence"]


@pytest.mark.parametrize(("code", "criterion", "article"), [
    *[("CQ", c, f"CQ 十（{'一二三四五'[i]}）") for i, c in enumerate(CQ_CRITERIA)],
    *[("SX", c, f"SX 第十二条（{'一二三四五'[i]}）") for i, c in enumerate(SX_CRITERIA)],
])
def test_each_major_criterion(code, criterion, article):
    case = case_under(code, "1000.00")  # an amount that alone would be 显著轻微
    row = save_checklist(case, criteria=[criterion], by=case.created_by)
    assert row.result == C.MAJOR
    assert len(row.reasons) == 1 and row.reasons[0]["citation"] == article
    assert row.reasons[0]["text"].startswith("具有重大案件情形：")
    ticked = case.major_criteria.get()
    assert (ticked.code, ticked.citation, ticked.ticked_by) == (criterion, article,
                                                                case.created_by)


def test_the_yellow_river_criterion_is_shanxis_only():
    assert "yellow_river_warning" in [c.code for c in major_criteria(case_under("SX", "1.00"))]
    cq = case_under("CQ", "1.00")
    assert "yellow_river_warning" not in [c.code for c in major_criteria(cq)]
    with pytest.raises(ValueError, match="yellow_river_warning"):
        save_checklist(cq, criteria=["yellow_river_warning"], by=cq.created_by)


def test_nt_has_no_major_criteria():
    case = case_under("NT", "600000.00")
    assert major_criteria(case) == []
    assert ChecklistForm(case=case).fields["major_criteria"].choices == []
    with pytest.raises(ValueError):
        save_checklist(case, criteria=["inspection"], by=case.created_by)


def test_unticking_the_criterion_reclassifies_by_amount():
    case = case_under("CQ", "2500.00")
    assert save_checklist(case, criteria=["major_emergency", "inspection"],
                          by=case.created_by).result == C.MAJOR
    row = save_checklist(case, criteria=[], by=case.created_by)
    assert row.result == C.SIMPLE
    assert not case.major_criteria.exists()


# --- history ---------------------------------------------------------------------------------

def test_history_only_when_result_or_reasons_change():
    case = case_under("CQ", "100000.00")
    first = classify(case, by=case.created_by)
    assert classify(case, by=case.created_by) == first
    assert reclassify(case, case.created_by) == first
    assert case.classifications.count() == 1

    # same class, another amount: the reasons change, so a row is kept
    case.estimated_amount = Decimal("150000.00")
    case.save()
    second = reclassify(case, case.created_by)
    assert second != first and second.result == C.SIMPLE
    # another class
    case.appraised_amount = Decimal("400000.00")
    case.save()
    third = reclassify(case, case.created_by)
    assert third.result == C.ORDINARY
    assert list(case.classifications.values_list("result", flat=True)) == [
        C.ORDINARY, C.SIMPLE, C.SIMPLE]
    assert third.inputs["amount"] == "400000.00"
    assert third.profile == case.rule_profile

    # the change of the case's class is in its audit trail, once
    changes = [e.changes["classification"] for e in history(case)
               if "classification" in e.changes]
    assert [(c["old"], c["new"]) for c in changes] == [("简单", "一般"), ("", "简单")]


def test_history_rows_cannot_be_changed():
    row = classify(case := case_under("CQ", "1.00"), by=case.created_by)
    row.result = C.MAJOR
    with pytest.raises(Exception, match="不得修改"):
        row.save()
    with pytest.raises(Exception, match="不得删除"):
        row.delete()


def test_evaluate_saves_nothing():
    case = case_under("SX", "1.00")
    assert evaluate(case).result == C.TRIVIAL
    assert not CaseClassification.objects.filter(case=case).exists()


# --- the checklist on the case page ---------------------------------------------------------

def url(case):
    return reverse("cases:case_classification", args=[case.pk])


def test_officer_ticks_a_criterion(client):
    case = case_under("SX", "1000.00")
    officer = officer_of(case)
    client.force_login(officer)
    response = client.post(url(case), {"major_criteria": ["yellow_river_warning"]}, follow=True)
    assert response.redirect_chain[-1][0].startswith(case.get_absolute_url())
    case.refresh_from_db()
    assert case.classification == C.MAJOR
    assert "已重新分类：重大。" in response.content.decode()
    assert case.classifications.get().by == officer


def test_sx_consent_through_the_form(client):
    case = case_under("SX", "200000.00")
    client.force_login(officer_of(case))
    client.post(url(case), {"facts_simple": "on", "no_dispute": "on", "department_agrees": "on"})
    case.refresh_from_db()
    assert case.classification == C.ORDINARY
    client.post(url(case), {"facts_simple": "on", "no_dispute": "on", "department_agrees": "on",
                            "obligor_consents": "on"})
    case.refresh_from_db()
    assert case.classification == C.SIMPLE
    assert case.classification_input.obligor_consents is True


def test_unknown_criterion_refused_in_chinese(client):
    case = case_under("CQ", "1000.00")
    client.force_login(officer_of(case))
    response = client.post(url(case), {"major_criteria": ["yellow_river_warning"]}, follow=True)
    assert "所选情形“yellow_river_warning”不属于适用规则列明的重大案件情形。" in \
        response.content.decode()
    assert not case.classifications.exists()


def test_only_the_handling_department_may_tick(client, demo_org):
    case = case_under("SX", "1000.00", department=demo_org.departments["小店区生态环境分局"])
    # the city's lead department sees the case but does not handle it: 404
    client.force_login(demo_org.by_username["jingban"])
    assert client.post(url(case), {"major_criteria": ["inspection"]}).status_code == 404
    # another department: 404
    client.force_login(demo_org.by_username["shuiwu"])
    assert client.post(url(case), {"major_criteria": ["inspection"]}).status_code == 404
    # a division head of the handling department has no such permission: 403
    head = UserFactory(department=case.department, role=Role.DIVISION_HEAD)
    client.force_login(head)
    assert client.post(url(case), {"major_criteria": ["inspection"]}).status_code == 403
    # the officer: a POST only
    client.force_login(demo_org.by_username["xiaodian"])
    assert client.get(url(case)).status_code == 405
    assert client.post(url(case), {"major_criteria": ["inspection"]}).status_code == 302
    case.refresh_from_db()
    assert case.classification == C.MAJOR


def test_the_include_renders_reasons_form_and_history():
    case = case_under("SX", "200000.00")
    officer = officer_of(case)
    classify(case, by=officer)
    save_checklist(case, criteria=[], by=officer, **SX_CONSENT)
    request = RequestFactory().get("/")
    request.user = officer
    html = render_to_string("cases/_classification.html", {
        "classification_panel": classification_panel(case, officer)}, request=request)
    assert 'data-testid="classification-result">简单<' in html
    assert "属于简单案件<span class=\"text-body-secondary\">（<abbr class=\"cite\"" in html
    assert "SX 第十五条</abbr>）" in html  # the document's name on hover
    assert "黄河流域生态环境警示片曝光的重要生态环境问题" in html     # the checklist
    assert "与赔偿义务人协商一致" in html                               # SX 第十五条 conditions
    assert "分类记录（2）" in html
    # a reader from elsewhere gets no form
    reader = UserFactory(role=Role.OFFICER)
    html = render_to_string("cases/_classification.html", {
        "classification_panel": classification_panel(case, reader)}, request=request)
    assert "保存并重新分类" not in html
