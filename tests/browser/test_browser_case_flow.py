"""A case from form [1] through both approvals, an appraisal and the conclusion, clicked
through in a real browser (issue 4)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from cases.models import AppraisalInstitution, Case, CaseObligor
from tests.browser.sections import open_section
from tests.parties.factories import OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def draft_case(demo_org):
    officer = demo_org.users[Role.OFFICER]
    department = officer.department
    case = Case.objects.create(
        number="140100-2026-SP0901", jurisdiction=department.jurisdiction,
        department=department,
        rule_profile=department.jurisdiction.rule_profile_on(datetime.date(2026, 10, 9)),
        source="日常监管、执法巡查发现的", cause="某洗煤厂煤泥水外排污染河道",
        summary="经核查造成河道底泥污染，应当启动索赔。", created_by=officer)
    CaseObligor.objects.create(case=case, party=OrganisationFactory(name="太原某洗煤有限公司"))
    AppraisalInstitution.objects.create(
        name="山西省环境损害司法鉴定中心",
        qualification=AppraisalInstitution.Qualification.JUDICIAL,
        qualification_number="140000ZJ2023001")
    return case


def test_a_case_goes_from_initiation_through_approvals_and_appraisal_to_conclusion(
    demo_org, draft_case, password, new_context, live_server, log_in
):
    officer = demo_org.users[Role.OFFICER]
    page = new_context().new_page()
    log_in(page, officer.get_username(), password)
    page.goto(f"{live_server.url}{draft_case.get_absolute_url()}")
    expect(page.get_by_test_id("case-stage")).to_have_text("索赔启动登记")
    page.get_by_role("button", name="提交启动审批").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("启动审批中")

    for role, opinion in [(Role.DIVISION_HEAD, "同意，报局领导审定。"),
                          (Role.DEPARTMENT_HEAD, "同意启动索赔。")]:
        head_page = new_context().new_page()
        log_in(head_page, demo_org.users[role].get_username(), password)
        head_page.get_by_role("link", name=f"索赔启动：{draft_case.number}").click()
        head_page.get_by_label("审批意见").fill(opinion)
        head_page.get_by_role("button", name="同意").click()
        expect(head_page.get_by_text("已同意。")).to_be_visible()

    page.reload()
    expect(page.get_by_test_id("case-stage")).to_have_text("调查中")
    page.get_by_test_id("next-appraisal-entrust").click()  # 下一步
    page.get_by_label("鉴定评估方式").select_option(label="委托鉴定评估机构")
    page.get_by_label("鉴定评估机构").select_option(
        label="山西省环境损害司法鉴定中心（环境损害司法鉴定机构（司法鉴定许可证））")
    page.get_by_label("委托日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="委托").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("鉴定评估中")

    page.get_by_role("link", name="录入结果").click()
    page.get_by_label("生态环境损害数额（元）").fill("256000")
    page.get_by_label("是否可以修复").select_option(label="可以修复")
    page.get_by_label("鉴定意见或报告编号").fill("晋环鉴〔2026〕第118号")
    page.get_by_label("完成日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="保存结果").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("调查中")

    page.get_by_role("link", name="填写调查情况登记表").click()  # 下一步
    page.get_by_label("损害事实").fill("2026年10月洗煤厂煤泥水外排，下游河道底泥受污染。")
    page.get_by_label("法律依据").fill("《中华人民共和国民法典》第一千二百三十四条")
    page.get_by_label("处理建议").fill("建议与赔偿义务人开展磋商。")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="调查结束，形成调查结论").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("调查结论")
    open_section(page, "审批")
    expect(page.get_by_role("region", name="审批")).to_contain_text("部门负责人意见：同意")
