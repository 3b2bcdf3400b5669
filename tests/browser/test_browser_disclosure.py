"""Information disclosure in a real browser (issue 16; SX 第三十八条; NT 三(十二)): the officer
prepares the agreement from the case page and checks the masking side by side, the 机构负责人
approves from the home page, and a visitor who is not logged in finds it on /public/, masked,
with its masked PDF."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from cases.models import CaseObligor
from tests.browser.sections import open_section
from tests.cases.factories import CaseFactory
from tests.parties.factories import OrganisationFactory, PersonFactory, make_id_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PERSON = "韩立新"
ID_NUMBER = make_id_number(region="140105", born="19790612", seq="335")
TITLE = "汾河某段生态环境损害赔偿协议"


@pytest.fixture
def case(demo_org):
    officer = demo_org.users[Role.OFFICER]
    case = CaseFactory(department=officer.department, created_by=officer, stage="performing",
                       number="140100-2026-SP0901", cause="某洗煤厂煤泥水外排污染河道")
    CaseObligor.objects.create(case=case, party=OrganisationFactory(name="太原某洗煤有限公司"))
    CaseObligor.objects.create(case=case, role=CaseObligor.Role.JOINT, party=PersonFactory(
        name=PERSON, id_number=ID_NUMBER, address="太原市小店区某村5号"))
    return case


def test_an_agreement_published_with_approval_is_on_the_public_site(
        demo_org, case, password, new_context, live_server, log_in):
    officer = new_context().new_page()
    log_in(officer, demo_org.users[Role.OFFICER].get_username(), password)
    officer.goto(f"{live_server.url}{case.get_absolute_url()}")
    open_section(officer, "信息公开")
    officer.get_by_test_id("prepare-publication").click()
    officer.get_by_label("公开类别").select_option("agreement")
    officer.get_by_label("标题").fill(TITLE)
    officer.get_by_label("年度").fill("2026")
    officer.get_by_label("原文").fill(
        f"赔偿义务人二：{PERSON}，公民身份号码{ID_NUMBER}，住太原市小店区某村5号，"
        "联系电话13800138000。\n赔偿义务人一：太原某洗煤有限公司，承担清淤修复责任。")
    officer.get_by_role("button", name="保存并脱敏").click()
    expect(officer.get_by_test_id("original-text")).to_contain_text(PERSON)
    masked = officer.get_by_test_id("masked-text")
    expect(masked).to_contain_text("赔偿义务人二：韩某，公民身份号码" + "×" * 18)
    expect(masked).to_contain_text("太原某洗煤有限公司")
    expect(masked).not_to_contain_text(PERSON)
    officer.get_by_label("申请理由").fill("协议已签署，依 SX 第三十八条公开。")
    officer.get_by_role("button", name="提交机构负责人审批发布").click()
    expect(officer.get_by_test_id("publication-state")).to_have_text("待审批")

    head = new_context().new_page()
    log_in(head, demo_org.users[Role.DIVISION_HEAD].get_username(), password)
    head.get_by_role("link", name=f"信息公开发布：赔偿协议或协议摘要：{TITLE}").click()
    head.get_by_label("审批意见").fill("同意公开。")
    head.get_by_role("button", name="同意").click()
    expect(head.get_by_text("已同意。")).to_be_visible()

    officer.reload()
    expect(officer.get_by_test_id("publication-state")).to_have_text("已发布")

    visitor = new_context().new_page()  # no login
    visitor.goto(f"{live_server.url}/public/")
    visitor.get_by_role("link", name=TITLE).click()
    text = visitor.get_by_test_id("public-text")
    expect(text).to_contain_text("赔偿义务人二：韩某")
    expect(text).not_to_contain_text(PERSON)
    expect(text).not_to_contain_text(ID_NUMBER)
    expect(text).not_to_contain_text("13800138000")
    pdf_url = visitor.get_by_test_id("public-pdf").get_attribute("href")
    response = visitor.request.get(f"{live_server.url}{pdf_url}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert "public" in response.headers["cache-control"]
    assert visitor.context.cookies() == []
