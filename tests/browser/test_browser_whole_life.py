"""One case through its whole life in a real browser (issue 17): the clue registered and
verified by the 经办人, whose 启动索赔 opens the case, the case's 启动审批 (the one approval of
the start, NAT 三) by the 机构负责人 then the 部门负责人, the investigation and an entrusted appraisal, the conclusion, the
negotiation with the notice served and two meetings, a signed agreement, its judicial
confirmation, the restoration with its effect assessment, the payment into the treasury and the
closing approved by the 机构负责人. Each step is done through the pages by the role that does it
in the seeds (SX 第八、九条 clue screening; 第十三至十七条 start, investigation, appraisal and
conclusion; 第十八至二十一条 negotiation, agreement and judicial confirmation; 第二十三、二十六条
restoration and its assessment; NT 三(十一) payment into the treasury; see accounts/roles.py
and every app's permissions.py); the 系统管理员 keeps the appraisal-institution registry.

Time is frozen at a fixed Monday and travelled forward where a step needs days to pass (service
→ reply → meetings, the appraisal, the restoration period), so the test never depends on today.

A screenshot per stage is saved (JPEG): the page where the step happens at 1280 px, and the case
page (the clue page before the case exists) at 390 × 844. The folder is $ECOCLAIM_SCREENS_DIR or a
temporary one; the test prints it (`pytest -s` shows it)."""

import datetime
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.roles import Role
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.sections import open_section
from tests.parties.factories import make_credit_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime.date(2026, 3, 2)  # a Monday; every later date is START + n days
OBLIGOR = "太原某电镀有限公司"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def day(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


def iso(n: int) -> str:
    return day(n).isoformat()


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%test\n"}


class Life:
    """The people, the clock and the camera of one walk-through."""

    def __init__(self, browser, live_server, demo_org, password, traveller, folder: Path):
        self.browser, self.url, self.org = browser, live_server.url, demo_org
        self.password, self.traveller, self.folder = password, traveller, folder
        self.contexts, self.record_path, self.stage = [], None, 0
        self.phone_page, self.clue_number, self.case_number = None, None, None
        self.shots: list[str] = []

    def travel(self, n: int, hour: int = 9) -> None:
        self.traveller.move_to(datetime.datetime.combine(
            day(n), datetime.time(hour), tzinfo=SHANGHAI))

    def _context(self, viewport):
        context = self.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                           viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return context

    def log_in(self, role: Role, viewport=DESKTOP):
        """A fresh browser for `role`'s user, logged in through the login form (sessions end
        after 8 idle hours, and the walk-through skips days)."""
        page = self._context(viewport).new_page()
        page.goto(f"{self.url}/accounts/login/")
        self._sign_in(page, role)
        return page

    def _sign_in(self, page, role: Role) -> None:
        page.locator('input[name="username"]').fill(self.org.users[role].get_username())
        page.locator('input[name="password"]').fill(self.password)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.get_by_role("navigation", name="主导航")).to_be_visible()

    def open_record(self, page) -> None:
        """The phone's camera goes straight to the record's address."""
        page.goto(f"{self.url}{self.record_path}")

    def find_record(self, page) -> None:
        """As the user does: the top navigation, then the record in its list."""
        nav = page.get_by_role("navigation", name="主导航")
        if self.case_number:
            nav.get_by_role("link", name="索赔案件", exact=True).click()
            page.get_by_role("link", name=self.case_number, exact=True).click()
            expect(page.get_by_test_id("case-stage")).to_be_visible()
        else:
            nav.get_by_role("link", name="线索筛查", exact=True).click()
            page.get_by_role("link", name=self.clue_number, exact=True).click()
            expect(page.get_by_test_id("clue-state")).to_be_visible()

    def find_round(self, page) -> None:
        self.find_record(page)
        open_section(page, "磋商与司法")
        page.get_by_test_id("case-negotiation").get_by_role("link", name="第1轮磋商").click()

    def find_project(self, page) -> None:
        self.find_record(page)
        open_section(page, "生态修复与赔偿资金")
        page.get_by_test_id("restoration-panel").get_by_role(
            "link", name="修复项目1：沟渠底泥清淤").click()

    def desktop(self, name: str, page) -> None:
        """The page where the step happens, at 1280 px."""
        page.screenshot(path=self.folder / f"{self.stage + 1:02d}-{name}-desktop.jpg",
                        full_page=True, type="jpeg", quality=70)

    def phone(self, name: str) -> None:
        """The case page (the clue page before there is a case) at 390 × 844, in the
        经办人's phone browser, which logs in again when its session has lapsed."""
        self.stage += 1
        if self.phone_page is None:
            self.phone_page = self.browser.new_context(
                locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE).new_page()
            self.phone_page.set_default_timeout(TIMEOUT_MS)
        page = self.phone_page
        self.open_record(page)
        if "/accounts/login/" in page.url:
            self._sign_in(page, Role.OFFICER)  # back to the record through ?next=
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        stem = f"{self.stage:02d}-{name}"
        page.screenshot(path=self.folder / f"{stem}-case-390.jpg", full_page=True,
                        type="jpeg", quality=70)
        self.shots.append(stem)

    def shoot(self, name: str, page) -> None:
        self.desktop(name, page)
        self.phone(name)
        self.close()

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def approve(page, link_name: str, opinion: str, life=None, name: str = "") -> None:
    """The approver opens the request from the home page's list and agrees (the submit button;
    the page may also offer opinion presets). With `life`, the decision page is the stage's
    desktop screenshot."""
    page.get_by_role("link", name=link_name).click()
    page.get_by_label("审批意见").fill(opinion)
    if life is not None:
        life.desktop(name, page)
    page.get_by_role("button", name="同意", exact=True).and_(
        page.locator("[type=submit]")).click()
    expect(page.get_by_text(re.compile("^已(同意|批准)[。“]"))).to_be_visible()


@pytest.fixture
def life(browser, live_server, demo_org, password, settings, tmp_path):
    # The browser keeps real time while the server travels: the CSRF cookie must not carry
    # an expiry computed on the server's clock.
    settings.CSRF_COOKIE_AGE = None
    folder = Path(os.environ.get("ECOCLAIM_SCREENS_DIR") or tmp_path / "whole-life")
    folder.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(datetime.datetime.combine(START, datetime.time(9),
                                                       tzinfo=SHANGHAI), tick=True) as traveller:
        walk = Life(browser, live_server, demo_org, password, traveller, folder)
        yield walk
        walk.close()
        if walk.phone_page is not None:
            walk.phone_page.context.close()
    print(f"\n整个生命周期截图目录：{folder}")
    for stem in walk.shots:
        print(f"  {stem}-desktop.jpg  {stem}-case-390.jpg")


def test_one_case_lives_from_clue_to_closing(life):
    # --- 0. the 系统管理员 registers the appraisal institution (Django admin) --------------
    admin = life.log_in(Role.ADMIN)
    admin.get_by_role("navigation", name="主导航").get_by_role("link", name="系统配置").click()
    admin.get_by_role("row", name="鉴定评估机构").get_by_role("link", name="增加").click()
    admin.get_by_label("机构名称").fill("山西省环境损害司法鉴定中心")
    admin.get_by_label("统一社会信用代码").fill(make_credit_code("00007001", "12140000"))
    admin.get_by_label("资质类型").select_option(label="环境损害司法鉴定机构（司法鉴定许可证）")
    admin.get_by_label("资质证号或推荐文件").fill("140000ZJ2023001")
    admin.get_by_role("button", name="保存", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("山西省环境损害司法鉴定中心")
    life.close()

    # --- 1. clue registration (经办人) ------------------------------------------------------
    page = life.log_in(Role.OFFICER)
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="当事人", exact=True).click()
    page.get_by_role("link", name="登记当事人").click()
    page.get_by_label("当事人类型").select_option(label="单位")
    page.get_by_label("名称或姓名").fill(OBLIGOR)
    code = make_credit_code("00007002")
    page.get_by_label("统一社会信用代码").fill(code)
    page.get_by_label("法定代表人（负责人）").fill("王某")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OBLIGOR)

    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="线索筛查", exact=True).click()
    page.get_by_role("link", name="登记线索", exact=True).click()
    page.get_by_label("线索渠道").select_option(label="日常监管、执法巡查、各项资源与环境专项行动发现的")
    page.get_by_label("发现日期").fill(iso(-3))
    page.get_by_label("登记日期").fill(iso(0))
    page.get_by_label("线索概要").fill("某电镀厂暗管排放含铬废水，下游沟渠底泥受污染。")
    page.get_by_label("损害类型").select_option(label="水污染")
    page.get_by_label("估算损害数额（元）").fill("86000")
    page.get_by_label("涉嫌赔偿义务人").fill(code)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("clue-state")).to_have_text("已登记")
    number = life.clue_number = page.get_by_role("heading", level=1).inner_text().split()[1]
    life.record_path = page.url.removeprefix(life.url)
    life.shoot("clue-registered", page)

    # --- 2. verification (经办人) -----------------------------------------------------------
    life.travel(2)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    page.get_by_role("button", name="开始初步核查").click()
    expect(page.get_by_test_id("clue-state")).to_have_text("初步核查中")
    expect(page.get_by_test_id("trivial-suggestion")).to_contain_text("应当启动索赔")
    page.get_by_role("link", name="启动索赔", exact=True).click()
    expect(page.locator("[data-decision-note]")).to_contain_text("启动索赔只审批一次")
    page.get_by_label("案情简介及启动索赔理由").fill("经核查造成沟渠底泥污染，应当启动索赔。")
    page.get_by_role("button", name="提交").click()
    # the decision opens the case; its start is approved once, on form [1] (NAT 三; issue 17)
    expect(page.get_by_test_id("case-stage")).to_have_text("索赔启动登记")
    life.record_path = page.url.removeprefix(life.url)
    case_number = life.case_number = page.get_by_role("heading", level=1).inner_text().split()[1]
    life.shoot("clue-verified", page)

    # --- 3. start approval: the case's 启动审批, the one approval of the start (机构负责人,
    # then 部门负责人; NAT 三, 示范文本[1]) --------------------------------------------------
    life.travel(3)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    expect(page.get_by_role("region", name="赔偿义务人")).to_contain_text(OBLIGOR)
    page.get_by_role("button", name="提交启动审批").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("启动审批中")
    life.travel(4)
    head = life.log_in(Role.DIVISION_HEAD)
    head.get_by_role("link", name=f"索赔启动：{case_number}").click()
    expect(head.locator("[data-approval-note]")).to_contain_text("启动索赔只审批一次")
    expect(head.get_by_text(f"来源线索 {number}")).to_be_visible()
    head.go_back()
    approve(head, f"索赔启动：{case_number}", "同意，报局领导审定。")
    life.travel(5)
    head = life.log_in(Role.DEPARTMENT_HEAD)
    approve(head, f"索赔启动：{case_number}", "同意启动索赔。", life, "start-approved")
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    page.get_by_role("link", name=number, exact=True).first.click()
    expect(page.get_by_test_id("clue-state")).to_have_text("已启动索赔")
    life.phone("start-approved")

    # --- 4. investigation (经办人) ----------------------------------------------------------
    life.travel(6)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    expect(page.get_by_test_id("case-stage")).to_have_text("调查中")
    page.get_by_role("link", name="填写调查情况登记表").click()  # 下一步
    page.get_by_label("损害事实").fill("2026年2月电镀厂暗管排放含铬废水，下游沟渠底泥受污染。")
    page.get_by_label("法律依据").fill("《中华人民共和国民法典》第一千二百三十四条")
    page.get_by_label("处理建议").fill("建议与赔偿义务人开展磋商。")
    page.get_by_role("button", name="保存").click()
    open_section(page, "损害调查与证据")
    expect(page.get_by_role("region", name="损害调查")).to_contain_text("暗管排放含铬废水")
    life.shoot("investigation", page)

    # --- 5. appraisal entrusted, its result a month later (经办人) --------------------------
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    page.get_by_test_id("next-appraisal-entrust").click()  # 下一步
    page.get_by_label("鉴定评估方式").select_option(label="委托鉴定评估机构")
    page.get_by_label("鉴定评估机构").select_option(
        label="山西省环境损害司法鉴定中心（环境损害司法鉴定机构（司法鉴定许可证））")
    page.get_by_label("委托日期").fill(iso(6))
    page.get_by_role("button", name="委托").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("鉴定评估中")
    life.travel(36)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    page.get_by_role("link", name="录入结果").click()
    page.get_by_label("生态环境损害数额（元）").fill("256000")
    page.get_by_label("是否可以修复").select_option(label="可以修复")
    page.get_by_label("鉴定意见或报告编号").fill("晋环鉴〔2026〕第118号")
    page.get_by_label("完成日期").fill(iso(36))
    page.get_by_role("button", name="保存结果").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("调查中")
    life.shoot("appraisal", page)

    # --- 6. conclusion (经办人) -------------------------------------------------------------
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    page.get_by_role("button", name="调查结束，形成调查结论").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("调查结论")
    life.shoot("conclusion", page)

    # --- 7. negotiation: plan, notice, service, reply, two meetings (经办人) -----------------
    life.travel(37)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    page.get_by_role("button", name="启动磋商").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("磋商")
    open_section(page, "磋商与司法")
    page.get_by_test_id("case-negotiation").get_by_role("link", name="第1轮磋商").click()
    page.get_by_role("link", name="编辑磋商方案和告知书").click()
    page.get_by_label("修复方案技术可行性").fill("底泥清淤后原位修复，技术可行。")
    page.get_by_label("经济可达性及修复费用").fill("修复费用约八十万元。")
    page.get_by_label("赔偿义务人赔偿能力").fill("义务人经营正常，具备赔偿能力。")
    page.get_by_label("首次磋商会议时间").fill(f"{iso(52)}T09:30")
    page.get_by_label("首次磋商会议地点").fill("市生态环境局三楼会议室")
    page.get_by_label("答复期限").fill(iso(47))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("磋商方案和磋商告知书已保存。")).to_be_visible()
    page.get_by_role("button", name="制发磋商告知书").click()
    expect(page.get_by_test_id("negotiation-state")).to_have_text("送达告知书")

    life.travel(39)
    page = life.log_in(Role.OFFICER)
    life.find_round(page)
    page.get_by_role("link", name="登记送达").click()
    page.get_by_label("受送达人").select_option(label=f"{OBLIGOR}（赔偿义务人）")
    page.get_by_label("送达方式").select_option(label="直接送达")
    page.get_by_label("送达日期").fill(iso(39))
    page.get_by_label("送达成功").check()
    page.get_by_label("签收人").fill("张某")
    page.get_by_label("送达回证等证明").set_input_files(pdf("送达回证.pdf"))
    page.get_by_role("button", name="登记送达").click()
    expect(page.get_by_test_id("negotiation-state")).to_have_text("待答复")
    expect(page.get_by_test_id("service")).to_contain_text("已送达")

    life.travel(44)
    page = life.log_in(Role.OFFICER)
    life.find_round(page)
    page.get_by_role("link", name="登记答复意见").click()
    page.get_by_label("同意磋商").check()
    page.get_by_label("答复日期").fill(iso(44))
    page.get_by_role("button", name="登记答复").click()
    expect(page.get_by_test_id("negotiation-state")).to_have_text("磋商中")

    for n, minutes in ((52, "就修复方案交换意见。"), (59, "就赔偿金额和履行期限达成一致。")):
        life.travel(n, hour=15)
        page = life.log_in(Role.OFFICER)
        life.find_round(page)
        page.get_by_role("link", name="登记磋商会议").click()
        page.get_by_label("会议日期").fill(iso(n))
        page.get_by_label("会议地点").fill("市生态环境局三楼会议室")
        page.get_by_label("参加人员").fill("法规与标准处、市检察院")
        page.get_by_label("本人或法定代表人出席").check()
        page.locator("#id_minutes").fill(minutes)
        page.get_by_role("button", name="登记会议").click()
        expect(page.get_by_text("磋商会议已登记。")).to_be_visible()
    expect(page.get_by_test_id("meetings")).to_contain_text("已计入2次，上限3次")
    life.shoot("negotiation", page)

    # --- 8. a signed agreement (经办人) -----------------------------------------------------
    life.travel(62)
    page = life.log_in(Role.OFFICER)
    life.find_round(page)
    page.get_by_role("button", name="起草赔偿协议").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("草稿")
    page.get_by_label("相关证据", exact=True).fill("1. 监测报告\n2. 鉴定评估报告")
    page.get_by_label("生态环境损害责任认定").fill("义务人承担全部赔偿责任。")
    page.get_by_label("责任承担、履行方式和期限").fill("委托第三方修复并缴纳服务功能损失。")
    page.get_by_label("违约责任").fill("逾期按日加收万分之五违约金。")
    page.get_by_label("签订时间").fill(iso(62))
    page.get_by_label("签订地点").fill("太原市")
    page.locator("#id_restoration-0-item").fill("沟渠底泥清淤")
    page.locator("#id_restoration-0-mode").select_option(label="委托第三方修复")
    page.locator("#id_restoration-0-target").fill("底泥总铬含量恢复至基线水平")
    page.locator("#id_restoration-0-finish_by").fill(iso(200))
    page.locator("#id_payment-0-obligor").select_option(label=f"{OBLIGOR}（赔偿义务人）")
    page.locator("#id_payment-0-kind").select_option(label="服务功能损失")
    page.locator("#id_payment-0-amount").fill("123000")
    page.locator("#id_payment-0-due_on").fill(iso(220))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("赔偿协议草稿已保存。")).to_be_visible()
    expect(page.get_by_test_id("missing-contents")).to_have_count(0)
    page.get_by_role("button", name="签署赔偿协议").click()
    expect(page.get_by_test_id("agreement-state")).to_have_text("已签署")
    life.shoot("agreement-signed", page)

    # --- 9. judicial confirmation (经办人 applies and records the ruling) --------------------
    life.travel(65)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    expect(page.get_by_test_id("case-stage")).to_have_text("履行")
    page.get_by_role("button", name="申请司法确认").click()
    page.get_by_label("受理法院").fill("太原市中级人民法院")
    page.get_by_label("申请日期").fill(iso(65))
    page.get_by_label("赔偿协议（签章文本）").set_input_files(pdf("赔偿协议签章本.pdf"))
    page.get_by_label("上传鉴定评估报告或专家意见").set_input_files(pdf("鉴定评估报告.pdf"))
    page.get_by_role("button", name="保存申请材料").click()
    page.get_by_role("button", name="提交司法确认申请").click()
    expect(page.get_by_test_id("confirmation-state")).to_have_text("已申请")
    life.travel(85)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    open_section(page, "磋商与司法")
    page.get_by_test_id("case-negotiation").get_by_role("link", name="司法确认（协议第1版）").click()
    page.get_by_role("link", name="登记法院裁定").click()
    page.get_by_label("裁定确认协议有效").check()
    page.get_by_label("裁定书文号").fill("（2026）晋01民特12号")
    page.get_by_label("裁定日期").fill(iso(85))
    page.get_by_role("button", name="登记裁定").click()
    expect(page.get_by_test_id("confirmation-state")).to_have_text("已确认")
    life.shoot("judicial-confirmation", page)

    # --- 10. restoration and its effect assessment (经办人) ---------------------------------
    life.travel(90)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    open_section(page, "生态修复与赔偿资金")
    page.get_by_test_id("restoration-panel").get_by_role(
        "link", name="修复项目1：沟渠底泥清淤").click()
    state = page.get_by_test_id("project-state")
    page.get_by_test_id("step-executor").click()  # 委托第三方修复 (CQ 十三)
    page.get_by_label("受委托第三方机构名称").fill("山西某环境修复有限公司")
    page.get_by_label("统一社会信用代码").fill(make_credit_code("00007003"))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("山西某环境修复有限公司").first).to_be_visible()
    page.get_by_test_id("step-plan").click()
    page.get_by_label("修复方案概要").fill("分段围堰清淤，底泥脱水后安全处置。")
    page.locator('input[name="plan_file"]').set_input_files(pdf("修复方案.pdf"))
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

    life.travel(130)
    page = life.log_in(Role.OFFICER)
    life.find_project(page)
    page.get_by_test_id("step-visit").click()
    page.get_by_label("检查人员").fill("张明、市检察院陈静")
    page.get_by_label("检查情况").fill("围堰完成，清淤过半，未发现二次污染。")
    page.get_by_label("现场核实进度（%）").fill("50")
    page.locator('input[name="photos"]').set_input_files(
        {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0test"})
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("project-progress")).to_have_text("50%")

    life.travel(190)
    page = life.log_in(Role.OFFICER)
    life.find_project(page)
    state = page.get_by_test_id("project-state")
    page.get_by_test_id("step-completion").click()
    page.get_by_label("完成情况").fill("清淤完成，底泥已安全处置。")
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("已通报完成")
    page.get_by_test_id("step-assessment").click()
    page.get_by_label("评估单位").fill("山西省生态环境科学研究院")
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("效果评估中")
    life.travel(215)
    page = life.log_in(Role.OFFICER)
    life.find_project(page)
    state = page.get_by_test_id("project-state")
    page.get_by_test_id("step-conclusion").click()
    page.get_by_label("评估结论").select_option(label="达到修复目标")
    page.get_by_label("评估意见").fill("底泥各项指标达到修复目标。")
    page.locator('input[name="report"]').set_input_files(pdf("效果评估报告.pdf"))
    page.get_by_role("button", name="保存").click()
    expect(state).to_have_text("效果评估通过")
    life.shoot("restoration-assessed", page)

    # --- 11. payment into the treasury (经办人 of the designated department records the 非税收入
    # receipt, NT 三(十一) 各自负责收缴; 财政 reads its ledger) --------------------------------
    life.travel(216)
    page = life.log_in(Role.OFFICER)
    life.find_project(page)
    page.get_by_role("link", name="赔偿资金台账").first.click()
    expect(page.get_by_test_id("outstanding")).to_have_text("123,000.00")
    page.get_by_role("link", name="登记缴款").click()
    page.get_by_label("缴款金额（元）").fill("123000")
    page.get_by_label("非税收入缴款票据号").fill("FS2026-000101")
    page.get_by_role("button", name="保存").click()
    totals = page.get_by_test_id("ledger-totals")
    expect(totals.get_by_test_id("paid")).to_have_text("123,000.00")
    expect(totals.get_by_test_id("outstanding")).to_have_text("0.00")
    life.shoot("paid-to-treasury", page)
    # 财政 reads the receipt in its treasury's ledger (NT 三(十一))
    finance = life.log_in(Role.FINANCE)
    finance.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="修复与资金", exact=True).click()
    finance.get_by_role("link", name="赔偿资金台账").click()
    row = finance.get_by_test_id("case-row").filter(has_text=case_number)
    expect(row).to_contain_text("123,000.00")
    life.close()

    # --- 12. closing: the 经办人 applies, the 机构负责人 approves ---------------------------
    life.travel(218)
    page = life.log_in(Role.OFFICER)
    life.find_record(page)
    page.get_by_role("link", name="申请结案").click()
    page.get_by_label("结案说明").fill("修复经效果评估达到修复目标，赔偿资金已全部缴入国库。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("结案审批中")
    life.travel(219)
    head = life.log_in(Role.DIVISION_HEAD)
    approve(head, f"结案：{case_number}", "同意结案。", life, "closed")
    life.phone("closed")
    expect(life.phone_page.get_by_test_id("case-stage")).to_have_text("结案")
