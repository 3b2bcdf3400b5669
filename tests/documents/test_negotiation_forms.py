"""Forms [4]–[7] (NAT 示范文本; issue 7) rendered from a negotiation walked through the real
services (tests/negotiation/factories.py) and the court services (as tests/negotiation/
test_court.py), and read back from the PDF: the parties, the several obligors, amounts in
figures and capitals, dates, the agreement's version, the ruling number and the meeting count;
A4 and embedded fonts; per-obligor forms one document per obligor; a form whose records do not
exist yet answers 404."""

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from cases.models import CaseObligor
from documents import registry
from documents.rendering import render_html, render_pdf
from documents.services import build_data
from negotiation import services
from negotiation.models import Instalment, PaymentTerm
from tests.negotiation.factories import (
    complete_draft,
    concluded_case,
    desk,
    in_progress,
    meet,
    pdf,
    signed,
)
from tests.parties.factories import PersonFactory
from workflow.attachments import attach
from workflow.transitions import perform

from .pdf import A4, fonts, page_sizes, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]

RULING = "（2026）晋01民特1号"
COURT = "太原市中级人民法院"


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def d():
    return desk("SX")


def render(code, case, obligor=None):
    form = registry.get(code)
    data = build_data(form, case, obligor)
    result = render_pdf(form.template, data)
    out = os.environ.get("ECOCLAIM_FORMS_OUT")  # to look at the pages (docs/forms/)
    if out:
        suffix = f"_{obligor.pk}" if obligor is not None else ""
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / f"form_{code}{suffix}.pdf").write_bytes(result)
    return result, data


def assert_print_ready(document: bytes):
    for width, height in page_sizes(document):
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1
    used = fonts(document)
    assert used and all(used.values()), used
    assert any("NotoSerifCJK" in name.replace("-", "") for name in used), used


def assert_in(text: str, expected: list[str]):
    text = re.sub(r"—\d+—", "", text)  # a page number where a sentence crosses the page
    for value in expected:
        assert value.replace(" ", "") in text, value
    assert "None" not in text


def with_person(negotiation):
    """A natural person joins the obligors before the agreement is drafted."""
    person = PersonFactory(name="刘某某", work_unit="个体运输户", address="太原市迎泽区某街12号")
    CaseObligor.objects.create(case=negotiation.case, party=person, role="joint_several")
    return person


def agreed(d, *, person=False):
    """A signed agreement after two meetings, with instalments, a deposit and punitive damages;
    two organisations (and a natural person) as obligors."""
    negotiation = in_progress(d)
    if person:
        with_person(negotiation)
    meet(negotiation, d, datetime.date(2026, 10, 20))
    meet(negotiation, d, datetime.date(2026, 10, 22))
    agreement = complete_draft(negotiation, d)
    agreement.assessment_method = "委托第三方评估机构开展修复效果评估"
    agreement.assessment_due = datetime.date(2027, 9, 30)
    agreement.deposit_amount = Decimal("50000.00")
    agreement.punitive_claimed = True
    agreement.punitive_base = Decimal("123000.00")
    agreement.punitive_factors = ["malice", "duration"]
    agreement.other_terms = "本协议一式四份，双方各执两份。"
    agreement.save()
    second = agreement.obligors.order_by("id")[1]
    fees = PaymentTerm.objects.create(agreement=agreement, obligor=second, kind="fees",
                                      amount=Decimal("86000.00"), guarantee="由某担保公司提供连带责任保证")
    Instalment.objects.create(term=fees, sequence=1, amount=Decimal("50000.00"),
                              due_on=datetime.date(2026, 12, 31))
    Instalment.objects.create(term=fees, sequence=2, amount=Decimal("36000.00"),
                              due_on=datetime.date(2027, 3, 31))
    PaymentTerm.objects.create(agreement=agreement, obligor=second, kind="punitive",
                               amount=Decimal("24600.00"), due_on=datetime.date(2026, 12, 31))
    return services.sign_agreement(agreement, by=d.officer)


def filed(d, agreement, applied_on=datetime.date(2026, 11, 3)):
    confirmation = services.start_confirmation(agreement.case, by=d.officer)
    confirmation.court = COURT
    confirmation.applied_on = applied_on
    confirmation.agreement_file = attach(confirmation, pdf("协议.pdf"), by=d.officer)
    confirmation.appraisal_report = attach(confirmation, pdf("报告.pdf"), by=d.officer)
    confirmation.save()
    return services.file_confirmation(confirmation, by=d.officer)


def enforced(d, agreement):
    confirmation = filed(d, agreement)
    services.record_ruling(confirmation, confirmed=True, ruling_number=RULING,
                           ruling_date=datetime.date(2026, 11, 10), by=d.officer)
    enforcement = services.start_enforcement(agreement.case, by=d.officer)
    enforcement.applied_on = datetime.date(2026, 11, 18)
    enforcement.non_performance = "义务人逾期未缴纳服务功能损失123000元"
    enforcement.agent = "陈某，生态环境局法规科科长"
    enforcement.contact = "0351-1234567"
    enforcement.save()
    return services.apply_enforcement(enforcement, by=d.officer)


def obligors_of(case):
    return [link.party for link in case.obligor_links.select_related("party").order_by("id")]


# --- [4] ------------------------------------------------------------------------------------

def test_form_4_one_notice_per_obligor(d):
    negotiation = in_progress(d)
    negotiation.group_invited = "市人民检察院、生态环境领域专家"
    negotiation.other_matters = "请携带营业执照复印件及授权委托书参加磋商。"
    negotiation.save()
    case = negotiation.case
    parties = obligors_of(case)
    assert len(parties) == 2
    texts = []
    for party in parties:
        document, data = render("4", case, party)
        text = text_of(document)
        assert_in(text, [
            "生态环境损害赔偿磋商告知书", "告知人（赔偿权利人或其指定的部门、机构）：",
            case.department.name, case.jurisdiction.name,
            f"被告知人（赔偿义务人）：{party.name}", f"法定代表人/企业负责人：{party.legal_representative}",
            f"统一社会信用代码：{party.credit_code}", f"地址：{party.address}",
            "一、生态环境损害赔偿事由", case.cause, "二、生态环境损害调查情况",
            "排污致河段水生态受损。", "三、磋商小组人员组成", "（一）赔偿权利人或其指定的部门或机构：",
            "生态环境局法规科", "（二）受邀参与磋商的单位或部门：市人民检察院、生态环境领域专家",
            "四、磋商会议时间和地点", "2026年10月20日17时30分", "生态环境局三楼会议室",
            "五、其他事项", "请于2026年10月15日前", "请携带营业执照复印件",
            "2026年9月28日", "（赔偿权利人或其指定的部门、机构印章）"])
        assert "草稿" not in text
        other = next(p for p in parties if p != party)
        assert other.name not in text  # addressed to this obligor only
        assert data["addressee"]["id"] == party.pk
        texts.append(text)
        assert_print_ready(document)
    assert texts[0] != texts[1]


def test_form_4_in_preparation_is_a_draft_with_blanks(d):
    case = perform(concluded_case(d), "start_negotiation", by=d.officer)
    party = obligors_of(case)[0]
    form = registry.get("4")
    data = build_data(form, case, party)
    html = render_html(form.template, data)
    assert "None" not in html and html.count('class="blank"') >= 3  # meeting, place, invited
    text = text_of(render_pdf(form.template, data))
    assert_in(text, ["草稿（告知书尚未制发，供核对）", party.name, "年月日前"])


# --- [5] ------------------------------------------------------------------------------------

def test_form_5_cover_every_obligor_and_the_terms(d):
    agreement = agreed(d, person=True)
    case = agreement.case
    document, data = render("5", case)
    text = text_of(document)
    parties = obligors_of(case)
    assert len(parties) == 3 and len(data["obligors"]) == 3
    cover = text_of_page(document, 0)
    assert_in(cover, ["生态环境损害赔偿协议", "赔偿权利人或其指定的部门、机构：", case.department.name,
                      "签订时间：2026年10月25日", "签订地点：太原市"] + [p.name for p in parties])
    assert "一、生态环境损害事实" not in cover and "—" not in cover  # alone, unnumbered
    assert text_of_page(document, 1).endswith("—1—")  # the agreement counts from its first page
    assert_in(text, [
        "某企业超标排放废水致下游河段生态环境损害赔偿协议",
        "一、生态环境损害事实、相关证据和法律依据", "（一）事实情况", "排污致河段水生态受损。",
        "（二）相关证据", "1.监测报告", "（三）相关法律依据及规定", "《中华人民共和国民法典》第一千二百三十四条",
        "二、生态环境损害责任认定", "义务人承担全部赔偿责任",
        "三、生态环境损害责任承担、履行方式和期限", "修复并缴纳服务功能损失",
        "河段底泥清淤", "委托第三方修复", "水质恢复至III类", "2027年6月30日前完成",
        "服务功能损失123,000.00元（人民币壹拾贰万叁仟元整）", "于2026年12月31日前一次缴清",
        "调查、鉴定评估等费用86,000.00元（人民币捌万陆仟元整），分2期缴纳",
        "第1期", "50,000.00元", "人民币伍万元整", "第2期", "人民币叁万陆仟元整", "2027年3月31日前",
        "担保：由某担保公司提供连带责任保证",
        "以上合计233,600.00元（人民币贰拾叁万叁仟陆佰元整）",
        "修复保证金50,000.00元（人民币伍万元整）",
        "（四）惩罚性赔偿", "计算基数", "侵权人的恶意程度、侵权行为持续时间",
        "惩罚性赔偿金24,600.00元（人民币贰万肆仟陆佰元整）",
        "（五）修复效果评估的方式及期限", "委托第三方评估机构开展修复效果评估", "2027年9月30日前",
        "（六）违约责任", "逾期按日加收万分之五违约金",
        "四、其他约定", "本协议一式四份", "赔偿权利人或其指定部门、机构（盖章）", "赔偿义务人（盖章）",
        "赔偿义务人（签字）", "法定代表人（签字）"])
    for party in parties:
        assert party.name in text and party.code in text
    assert "版（更正）" not in text and "草稿" not in text
    assert len(page_sizes(document)) >= 3 and "—2—" in text
    assert_print_ready(document)


def text_of_page(document: bytes, index: int) -> str:
    from .pdf import reader

    return "".join((reader(document).pages[index].extract_text() or "").split())


def test_form_5_a_draft_and_a_correction_show_their_version(d):
    negotiation = in_progress(d)
    meet(negotiation, d, datetime.date(2026, 10, 20))
    draft = complete_draft(negotiation, d)
    case = draft.case
    text = text_of(render("5", case)[0])
    assert_in(text, ["草稿（协议尚未签署，供核对）", "人民币壹拾贰万叁仟元整"])
    services.sign_agreement(draft, by=d.officer)
    services.correct_agreement(draft, reason="修复目标表述不准确，更正为地表水III类标准", by=d.officer)
    document, data = render("5", case)
    text = text_of(document)
    assert data["version"] == 2
    assert_in(text, ["第2版（更正）", "更正理由：修复目标表述不准确，更正为地表水III类标准", "草稿"])


# --- [6] ------------------------------------------------------------------------------------

def test_form_6_organisation_and_natural_person_variants(d):
    agreement = agreed(d, person=True)
    case = agreement.case
    filed(d, agreement)
    organisation, _, person = obligors_of(case)
    assert person.is_person and not organisation.is_person
    common = ["司法确认申请书", "（确认赔偿协议效力）", "申请人（赔偿权利人或其指定的部门、机构）：",
              case.department.name, "请求事项：", "于2026年10月25日达成的",
              "某企业超标排放废水致下游河段生态环境损害赔偿协议有效。", "事实和理由：",
              "2026年10月25日，申请人", "经磋商，达成了如下协议：", "义务人承担全部赔偿责任",
              "以委托第三方修复方式履行“河段底泥清淤”修复义务",
              "缴纳服务功能损失123,000.00元（人民币壹拾贰万叁仟元整），于2026年12月31日前缴纳",
              "分2期缴纳，最后一期于2027年3月31日前缴清",
              "申请人根据《生态环境损害赔偿制度改革方案》和", case.rule_profile.source_document,
              "没有恶意串通、规避法律的行为。", "此致", COURT, "附：赔偿协议及证明等材料",
              "申请人（签名或者盖章）", "2026年11月3日"]
    document, _ = render("6", case, organisation)
    text = text_of(document)
    assert_in(text, common + [
        f"申请人（赔偿义务人）：{organisation.name}", f"统一社会信用代码：{organisation.credit_code}",
        f"法定代表人（负责人）：{organisation.legal_representative}",
        f"地址（联系方式）：{organisation.address}",
        f"确认申请人{case.department.name}与{organisation.name}于"])
    assert "身份证号码" not in text and person.name not in text  # (the terms name organisations)
    assert_print_ready(document)

    document, _ = render("6", case, person)
    text = text_of(document)
    assert_in(text, common + [
        f"申请人（赔偿义务人）：{person.name}", f"身份证号码：{person.id_number}",
        "工作单位或职业：个体运输户", "住址（联系方式）：太原市迎泽区某街12号"])
    assert "法定代表人（负责人）" not in text and "统一社会信用代码：9" not in text
    assert f"申请人（赔偿义务人）：{organisation.name}" not in text
    assert_print_ready(document)


def test_form_6_before_an_application_leaves_the_court_blank(d):
    case = signed(d).case
    form = registry.get("6")
    html = render_html(form.template, build_data(form, case, obligors_of(case)[0]))
    assert "None" not in html
    # the department's credit code, legal representative, address; the court; the date
    assert html.count('class="blank"') >= 4
    assert "年　　月　　日" in html


# --- [7] ------------------------------------------------------------------------------------

def test_form_7_narrative_from_the_records(d):
    agreement = agreed(d)
    case = agreement.case
    enforced(d, agreement)
    case.refresh_from_db()
    document, data = render("7", case)
    text = text_of(document)
    parties = obligors_of(case)
    assert len(data["respondents"]) == 2
    assert_in(text, [
        "强制执行申请书", "（经司法确认的赔偿协议）", f"申请人名称：{case.department.name}",
        "委托代理人（姓名、工作单位及职务）：陈某，生态环境局法规科科长", "联系方式：0351-1234567",
        "对某企业超标排放废水致下游河段生态环境损害赔偿一案", "开展生态环境损害调查，查明事实：排污致河段水生态受损",
        "2026年9月28日，我单位通知赔偿义务人进行磋商",
        "2026年10月20日至2026年10月22日经过2次磋商",
        "双方协商一致达成某企业超标排放废水致下游河段生态环境损害赔偿协议（2026年10月25日签订）",
        f"并于2026年11月3日向{COURT}申请司法确认", f"予以司法确认（司法确认文书号{RULING}）",
        "义务人逾期未缴纳服务功能损失123000元",
        f"因此申请法院强制执行已生效的{RULING}司法确认文书", "此致", "附：司法确认赔偿协议",
        "赔偿权利人指定的部门或机构（盖章）", "2026年11月18日"])
    assert f"{RULING}号" not in text  # the 文号 already ends in 号
    for party in parties:
        assert f"被申请人名称或姓名：{party.name}" in text
        assert f"法定代表人（负责人）：{party.legal_representative}" in text
    assert_print_ready(document)


def test_form_7_investigation_date(d):
    agreement = agreed(d)
    case = agreement.case
    case.investigation_started_on = datetime.date(2026, 9, 1)
    case.save(update_fields=["investigation_started_on"])
    enforced(d, agreement)
    text = text_of(render("7", case)[0])
    assert "我单位2026年9月1日开展生态环境损害调查" in text


# --- availability ---------------------------------------------------------------------------

def preview(client, case, code, obligor=None):
    url = reverse("documents:form_preview", args=[case.pk, code])
    return client.get(url, {"obligor": obligor.pk} if obligor else {}).status_code


def test_forms_are_offered_once_their_records_exist(client, d):
    client.force_login(d.officer)
    concluded = concluded_case(d)
    assert preview(client, concluded, "4", obligors_of(concluded)[0]) == 404

    negotiation = in_progress(d)
    case = negotiation.case
    party = obligors_of(case)[0]
    assert preview(client, case, "4", party) == 200
    assert preview(client, case, "4") == 404  # per obligor: which one
    for code in ("5", "6", "7"):
        assert preview(client, case, code, party if code == "6" else None) == 404, code

    meet(negotiation, d, datetime.date(2026, 10, 20))
    draft = complete_draft(negotiation, d)
    assert preview(client, case, "5") == 200
    assert preview(client, case, "6", party) == 404

    services.sign_agreement(draft, by=d.officer)
    assert preview(client, case, "6", party) == 200
    assert preview(client, case, "7") == 404

    confirmation = filed(d, draft)
    services.record_ruling(confirmation, confirmed=True, ruling_number=RULING,
                           ruling_date=datetime.date(2026, 11, 10), by=d.officer)
    assert preview(client, case, "7") == 200
    codes = [f.code for f in registry.available_for(case)]
    assert {"4", "5", "6", "7"} <= set(codes)
