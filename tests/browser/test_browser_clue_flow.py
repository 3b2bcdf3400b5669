"""A clue from registration through verification to the case its 启动索赔 opens (the start
is approved once, on the case: NAT 三), then the quarterly screening list downloaded, in a real
browser (issue 3)."""


import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.roles import Role


def nav(page):
    """The top navigation: the home page's panels link to 线索筛查 too (the quarter-end warning
    "本季度尚未开展线索筛查" in a quarter's last month)."""
    return page.get_by_role("navigation", name="主导航")


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_clue_is_registered_verified_and_opens_a_case(
    demo_org, password, new_context, live_server, log_in, tmp_path
):
    officer = demo_org.users[Role.OFFICER]
    page = new_context().new_page()
    log_in(page, officer.get_username(), password)

    nav(page).get_by_role("link", name="线索筛查", exact=True).click()
    page.get_by_role("link", name="登记线索", exact=True).click()
    page.get_by_label("线索渠道").select_option(label="日常监管、执法巡查、各项资源与环境专项行动发现的")
    page.get_by_label("发现日期").fill("2026-11-02")
    page.get_by_label("登记日期").fill("2026-11-03")
    page.get_by_label("线索概要").fill("某电镀厂暗管排放含铬废水，下游沟渠底泥受污染。")
    page.get_by_label("损害类型").select_option(label="水污染")
    page.get_by_label("估算损害数额（元）").fill("86000")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_test_id("clue-state")).to_have_text("已登记")
    number = page.get_by_role("heading", level=1).inner_text().split()[1]
    expect(page.get_by_test_id("record-deadlines")).to_contain_text("初步核查")
    page.get_by_role("button", name="开始初步核查").click()
    expect(page.get_by_test_id("clue-state")).to_have_text("初步核查中")
    expect(page.get_by_test_id("trivial-suggestion")).to_contain_text("应当启动索赔")

    page.get_by_role("link", name="启动索赔", exact=True).click()
    page.get_by_label("案情简介及启动索赔理由").fill("经核查造成沟渠底泥污染，应当启动索赔。")
    page.get_by_role("button", name="提交").click()
    # the decision opens the case; its 启动审批 is the one approval of the start (NAT 三)
    expect(page.get_by_test_id("case-stage")).to_have_text("索赔启动登记")
    expect(page.get_by_text("请完善索赔启动登记表后提交启动审批")).to_be_visible()
    page.get_by_role("link", name=number, exact=True).first.click()
    expect(page.get_by_test_id("clue-state")).to_have_text("待审批")
    expect(page.get_by_role("region", name="索赔案件")).to_contain_text("索赔启动登记")

    # the quarterly screening list (线索筛查清单) lists the new clue
    nav(page).get_by_role("link", name="线索筛查", exact=True).click()
    page.get_by_role("link", name="季度筛查清单", exact=True).click()
    page.get_by_label("年度").fill("2026")
    page.get_by_label("季度").select_option(value="4")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="生成并下载 Excel").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.suffix == ".xlsx"
    sheet = load_workbook(path, read_only=True).worksheets[0]
    cells = {value for row in sheet.iter_rows(values_only=True) for value in row}
    assert number in cells
