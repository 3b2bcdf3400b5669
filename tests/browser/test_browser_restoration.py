"""One case from a signed agreement to a passed effect assessment and a fully paid ledger,
clicked through in a real browser (issue 8): the restoration plan, expert review, filing,
start, a site visit with a photo, the completion notice, the effect assessment, the payment
into the treasury, and the closing approved by the division head."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from cases.models import CaseObligor, Investigation
from negotiation import services as negotiation_services
from negotiation.models import PaymentTerm, RestorationTerm
from tests.browser.sections import open_section
from tests.cases.factories import CaseFactory
from tests.parties.factories import OrganisationFactory
from workflow.transitions import perform

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def day(offset: int) -> datetime.date:
    return timezone.localdate() + timedelta(days=offset)


@pytest.fixture
def signed_case(demo_org):
    """A case of 市生态环境局 with an agreement signed five days ago, through the negotiation
    services: one restoration term (self-restoration) and one payment term."""
    officer = demo_org.users[Role.OFFICER]
    case = CaseFactory(department=officer.department, created_by=officer, stage="concluded",
                       number="140100-2026-SP0801", opened_on=day(-60),
                       cause="某洗煤厂煤泥水外排污染河道")
    CaseObligor.objects.create(case=case, party=OrganisationFactory(name="太原某洗煤有限公司"))
    Investigation.objects.create(case=case, damage_facts="煤泥水外排致下游河道底泥受污染。",
                                 legal_basis="《中华人民共和国民法典》第一千二百三十四条",
                                 suggestion="开展磋商")
    case = perform(case, "start_negotiation", by=officer)
    negotiation = case.negotiations.get()
    negotiation.plan_feasibility = "原位清淤可行"
    negotiation.plan_cost = "约三十万元"
    negotiation.plan_obligor_capacity = "具备赔偿能力"
    negotiation.group_own = "法规与标准处：张明"
    negotiation.notice_issued_on = day(-20)
    negotiation.first_meeting_at = timezone.make_aware(
        datetime.datetime.combine(day(-10), datetime.time(9, 30)))
    negotiation.first_meeting_place = "市生态环境局三楼会议室"
    negotiation.reply_due = day(-12)
    negotiation.save()
    negotiation = negotiation_services.issue_notice(negotiation, by=officer)
    for obligor in negotiation.obligors():
        negotiation_services.record_service(negotiation, obligor=obligor, method="direct",
                                            attempted_on=day(-18), succeeded=True,
                                            recipient="办公室", by=officer)
    negotiation = negotiation_services.record_reply(
        negotiation.__class__.objects.get(pk=negotiation.pk), reply="agreed",
        replied_on=day(-15), by=officer)
    negotiation_services.record_meeting(negotiation, held_on=day(-10), place="会议室",
                                        attendees="法规与标准处、市检察院", minutes="达成一致。",
                                        obligor_attendance="in_person", by=officer)
    agreement = negotiation_services.draft_agreement(negotiation, by=officer)
    agreement.evidence, agreement.liability = "1. 监测报告", "义务人承担全部责任"
    agreement.performance = "清淤修复并缴纳服务功能损失"
    agreement.breach_liability = "逾期按日万分之五支付违约金"
    agreement.signed_on, agreement.signed_place = day(-5), "太原市"
    agreement.save()
    obligor = agreement.obligors.get()
    RestorationTerm.objects.create(agreement=agreement, obligor=obligor, item="河道底泥清淤",
                                   mode="self", target="底泥重金属含量恢复至基线水平",
                                   start_by=day(30), finish_by=day(180),
                                   assessment_by=day(240))
    PaymentTerm.objects.create(agreement=agreement, obligor=obligor, kind="service_loss",
                               amount=Decimal("128600.50"), due_on=day(60))
    negotiation_services.sign_agreement(agreement, by=officer)
    return case


def test_restoration_to_a_passed_assessment_and_a_fully_paid_ledger(
    demo_org, signed_case, password, new_context, live_server, log_in, tmp_path
):
    officer = demo_org.users[Role.OFFICER]
    attachment = tmp_path / "修复方案.pdf"
    attachment.write_bytes(b"%PDF-1.4\n%browser test\n")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0browser test")
    page = new_context().new_page()
    log_in(page, officer.get_username(), password)
    page.goto(f"{live_server.url}{signed_case.get_absolute_url()}")
    open_section(page, "生态修复与赔偿资金")
    panel = page.get_by_test_id("restoration-panel")
    expect(panel).to_contain_text("待编制方案")
    expect(panel.get_by_test_id("owed")).to_have_text("128,600.50")
    panel.get_by_role("link", name="修复项目1：河道底泥清淤").click()
    state = page.get_by_test_id("project-state")
    expect(state).to_have_text("待编制方案")

    page.get_by_test_id("step-plan").click()
    page.get_by_label("修复方案概要").fill("分段围堰清淤，底泥脱水后安全处置，恢复水生植物。")
    page.locator('input[name="plan_file"]').set_input_files(str(attachment))
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("方案已编制")

    page.get_by_test_id("step-review").click()
    page.get_by_label("论证专家").fill("省环科院张某、太原理工大学李某、市水务局王某")
    page.get_by_role("textbox", name="专家论证意见").fill("方案可行，同意实施。")
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("方案经专家论证")

    page.get_by_test_id("step-filing").click()
    page.get_by_label("备案编号").fill("并环修备〔2026〕21号")
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("方案已备案")

    page.get_by_test_id("step-start").click()
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("修复实施中")

    page.get_by_test_id("step-visit").click()
    page.get_by_label("检查人员").fill("张明、市检察院陈静")
    page.get_by_label("检查情况").fill("围堰完成，清淤过半，未发现二次污染。")
    page.get_by_label("现场核实进度（%）").fill("50")
    page.locator('input[name="photos"]').set_input_files(str(photo))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("site-visit")).to_contain_text("现场照片.jpg")
    expect(page.get_by_test_id("project-progress")).to_have_text("50%")

    page.get_by_test_id("step-completion").click()
    page.get_by_label("完成情况").fill("清淤完成，水生植物栽种完毕。")
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("已通报完成")

    page.get_by_test_id("step-assessment").click()
    page.get_by_label("评估单位").fill("山西省生态环境科学研究院")
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("效果评估中")

    page.get_by_test_id("step-conclusion").click()
    page.get_by_label("评估结论").select_option(label="达到修复目标")
    page.get_by_label("评估意见").fill("底泥各项指标达到修复目标。")
    page.locator('input[name="report"]').set_input_files(str(attachment))
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("效果评估通过")
    expect(page.get_by_test_id("assessment")).to_contain_text("达到修复目标")

    page.get_by_role("link", name="赔偿资金台账").first.click()
    expect(page.get_by_test_id("outstanding")).to_have_text("128,600.50")
    page.get_by_role("link", name="登记缴款").click()
    page.get_by_label("缴款金额（元）").fill("28600.50")
    page.get_by_label("非税收入缴款票据号").fill("FS2026-000101")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("outstanding")).to_have_text("100,000.00")
    page.get_by_role("link", name="登记缴款").click()
    page.get_by_label("缴款金额（元）").fill("100000.01")
    page.get_by_label("非税收入缴款票据号").fill("FS2026-000102")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("超过欠缴金额")
    page.get_by_label("缴款金额（元）").fill("100000.00")
    page.get_by_role("button", name="保存").click()
    totals = page.get_by_test_id("ledger-totals")
    expect(totals.get_by_test_id("owed")).to_have_text("128,600.50")
    expect(totals.get_by_test_id("paid")).to_have_text("128,600.50")
    expect(totals.get_by_test_id("outstanding")).to_have_text("0.00")
    expect(totals.get_by_test_id("received")).to_have_text("128,600.50")
    expect(totals.get_by_test_id("balance")).to_have_text("128,600.50")
    expect(page.get_by_test_id("payment")).to_have_count(2)

    page.goto(f"{live_server.url}{signed_case.get_absolute_url()}")
    page.get_by_role("link", name="申请结案").click()
    page.get_by_label("结案说明").fill("修复经效果评估达到修复目标，赔偿资金已全部缴入国库。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("结案审批中")

    head = new_context().new_page()
    log_in(head, demo_org.users[Role.DIVISION_HEAD].get_username(), password)
    head.get_by_role("link", name=f"结案：{signed_case.number}").click()
    head.get_by_label("审批意见").fill("同意结案。")
    head.get_by_role("button", name="同意").click()
    expect(head.get_by_text("已同意。")).to_be_visible()

    page.reload()
    expect(page.get_by_test_id("case-stage")).to_have_text("结案")
    open_section(page, "生态修复与赔偿资金")
    expect(page.get_by_test_id("restoration-panel")).to_contain_text("效果评估通过")
    expect(page.get_by_role("link", name="申请结案")).to_have_count(0)
