"""A negotiation from the 磋商告知书 and its service through two meetings to a signed agreement,
then judicial confirmation with its materials uploaded and a confirmed ruling, clicked through
in a real browser (issue 6)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.browser.sections import open_section
from tests.negotiation.factories import Desk, concluded_case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%test\n"}


@pytest.fixture
def concluded(demo_org):
    officer = demo_org.users[Role.OFFICER]
    d = Desk(officer=officer, division_head=demo_org.users[Role.DIVISION_HEAD],
             department_head=demo_org.users[Role.DEPARTMENT_HEAD],
             department=officer.department)
    case = concluded_case(d, obligors=1)
    return case, case.obligor_links.get().party.name


def test_a_negotiation_is_served_met_twice_agreed_signed_and_confirmed(
    demo_org, concluded, password, new_context, live_server, log_in
):
    case, obligor = concluded
    today = timezone.localdate()
    later = today + datetime.timedelta(days=14)
    officer = demo_org.users[Role.OFFICER]
    page = new_context().new_page()
    log_in(page, officer.get_username(), password)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_test_id("case-stage")).to_have_text("调查结论")
    page.get_by_role("button", name="启动磋商").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("磋商")
    open_section(page, "磋商与司法")
    page.get_by_test_id("case-negotiation").get_by_role("link", name="第1轮磋商").click()
    expect(page.get_by_test_id("negotiation-state")).to_have_text("准备磋商")
    expect(page.get_by_test_id("unmet-issue_notice")).to_contain_text("须填写磋商方案")

    # the plan and the 磋商告知书, then issue it
    page.get_by_role("link", name="编辑磋商方案和告知书").click()
    page.get_by_label("修复方案技术可行性").fill("底泥清淤后原位修复，技术可行。")
    page.get_by_label("经济可达性及修复费用").fill("修复费用约八十万元。")
    page.get_by_label("赔偿义务人赔偿能力").fill("义务人经营正常，具备赔偿能力。")
    page.get_by_label("首次磋商会议时间").fill(f"{later.isoformat()}T09:30")
    page.get_by_label("首次磋商会议地点").fill("市生态环境局三楼会议室")
    page.get_by_label("答复期限").fill((today + datetime.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("磋商方案和磋商告知书已保存。")).to_be_visible()
    page.get_by_role("button", name="制发磋商告知书").click()
    expect(page.get_by_test_id("negotiation-state")).to_have_text("送达告知书")

    # service of the notice starts the 90 days
    page.get_by_role("link", name="登记送达").click()
    page.get_by_label("受送达人").select_option(label=f"{obligor}（赔偿义务人）")
    page.get_by_label("送达方式").select_option(label="直接送达")
    page.get_by_label("送达日期").fill(today.isoformat())
    page.get_by_label("送达成功").check()
    page.get_by_label("签收人").fill("张某")
    page.get_by_label("送达回证等证明").set_input_files(pdf("送达回证.pdf"))
    page.get_by_role("button", name="登记送达").click()
    expect(page.get_by_test_id("negotiation-state")).to_have_text("待答复")
    expect(page.get_by_test_id("record-deadlines")).to_contain_text("磋商期限")
    expect(page.get_by_test_id("service")).to_contain_text("已送达")

    # the obligor agrees
    page.get_by_role("link", name="登记答复意见").click()
    page.get_by_label("同意磋商").check()
    page.get_by_label("答复日期").fill(today.isoformat())
    page.get_by_role("button", name="登记答复").click()
    expect(page.get_by_test_id("negotiation-state")).to_have_text("磋商中")

    # two meetings
    for minutes in ("就修复方案交换意见。", "就赔偿金额和履行期限达成一致。"):
        page.get_by_role("link", name="登记磋商会议").click()
        page.get_by_label("会议日期").fill(today.isoformat())
        page.get_by_label("会议地点").fill("市生态环境局三楼会议室")
        page.get_by_label("参加人员").fill("法规与标准处、市检察院")
        page.get_by_label("本人或法定代表人出席").check()
        page.locator("#id_minutes").fill(minutes)
        page.get_by_role("button", name="登记会议").click()
        expect(page.get_by_text("磋商会议已登记。")).to_be_visible()
    expect(page.get_by_test_id("meetings")).to_contain_text("已计入2次，上限3次")

    # the agreement with one restoration term and one payment term, signed
    page.get_by_role("button", name="起草赔偿协议").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("草稿")
    expect(page.get_by_test_id("missing-contents")).to_contain_text("违约责任")
    page.get_by_label("相关证据", exact=True).fill("1. 监测报告\n2. 鉴定评估报告")
    page.get_by_label("生态环境损害责任认定").fill("义务人承担全部赔偿责任。")
    page.get_by_label("责任承担、履行方式和期限").fill("委托第三方修复并缴纳服务功能损失。")
    page.get_by_label("违约责任").fill("逾期按日加收万分之五违约金。")
    page.get_by_label("签订时间").fill(today.isoformat())
    page.get_by_label("签订地点").fill("太原市")
    page.locator("#id_restoration-0-item").fill("河段底泥清淤")
    page.locator("#id_restoration-0-mode").select_option(label="委托第三方修复")
    page.locator("#id_restoration-0-target").fill("水质恢复至III类")
    page.locator("#id_restoration-0-finish_by").fill((today + datetime.timedelta(days=200)).isoformat())
    page.locator("#id_payment-0-obligor").select_option(label=f"{obligor}（赔偿义务人）")
    page.locator("#id_payment-0-kind").select_option(label="服务功能损失")
    page.locator("#id_payment-0-amount").fill("123000")
    page.locator("#id_payment-0-due_on").fill((today + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("赔偿协议草稿已保存。")).to_be_visible()
    expect(page.get_by_test_id("missing-contents")).to_have_count(0)
    page.get_by_role("button", name="签署赔偿协议").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("已签署")
    expect(page.get_by_test_id("agreement-text")).to_contain_text("河段底泥清淤")

    # judicial confirmation with the agreement and the appraisal report attached
    page.get_by_role("link", name=f"案件 {case.number}").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("履行")
    open_section(page, "磋商与司法")
    expect(page.get_by_test_id("case-agreement")).to_contain_text("第1版")
    page.get_by_test_id("next-steps").get_by_role("button", name="申请司法确认").click()
    page.get_by_label("受理法院").fill("太原市中级人民法院")
    page.get_by_label("申请日期").fill(today.isoformat())
    page.get_by_label("赔偿协议（签章文本）").set_input_files(pdf("赔偿协议签章本.pdf"))
    page.get_by_label("上传鉴定评估报告或专家意见").set_input_files(pdf("鉴定评估报告.pdf"))
    page.get_by_role("button", name="保存申请材料").click()
    expect(page.get_by_test_id("confirmation-state")).to_have_text("准备申请")
    page.get_by_role("button", name="提交司法确认申请").click()
    expect(page.get_by_test_id("confirmation-state")).to_have_text("已申请")
    page.get_by_role("link", name="登记法院裁定").click()
    page.get_by_label("裁定确认协议有效").check()
    page.get_by_label("裁定书文号").fill("（2026）晋01民特12号")
    page.get_by_label("裁定日期").fill(today.isoformat())
    page.get_by_role("button", name="登记裁定").click()
    expect(page.get_by_test_id("confirmation-state")).to_have_text("已确认")
    expect(page.get_by_test_id("ruling")).to_contain_text("（2026）晋01民特12号")

    page.get_by_role("link", name=f"案件 {case.number}").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("履行")
    open_section(page, "磋商与司法")
    expect(page.get_by_test_id("case-negotiation")).to_contain_text("已确认")
    expect(page.get_by_test_id("next-steps").get_by_role("button", name="申请强制执行")) \
        .to_be_visible()
