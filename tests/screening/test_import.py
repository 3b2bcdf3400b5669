"""Importing clues from Excel (django-import-export): the template, a dry-run preview that shows
every row's result and saves nothing, one Chinese message per problem, the confirmation that
registers the clues through register_clue, and re-imports that do not duplicate."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from parties.models import Party
from screening.imports import ClueImportResource
from screening.models import Clue, ClueImport
from tests.factories import UserFactory
from tests.parties.factories import OrganisationFactory, make_credit_code
from workflow.deadlines import deadlines_of
from workflow.models import AuditEvent, Deadline, DeadlineKind, NumberSequence

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("today")]

UPLOAD = reverse("screening:import_upload")
HEADERS = ClueImportResource.headers()
CODE_A = make_credit_code("20000001")
CODE_B = make_credit_code("20000002")


@pytest.fixture
def today():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


def row(**overrides):
    values = {
        "来源文号": "并环罚〔2026〕101号",
        "线索渠道": "发生生态环境损害的资源与环境行政处罚案件",
        "发现日期": date(2026, 9, 1),
        "登记日期": date(2026, 9, 3),
        "来源单位": "太原市生态环境综合行政执法队",
        "线索概要": "某化工企业通过暗管排放含重金属废水。",
        "发生地（区县）": "小店区",
        "具体地点": "北格镇",
        "损害类型": "水污染",
        "估算损害数额（元）": 12345.6,
        "位于生态保护红线或自然保护地": "否",
        "整改情况": "未完成整改",
        "涉嫌赔偿义务人": "晋阳化工有限公司",
        "统一社会信用代码": CODE_A,
    }
    values.update(overrides)
    return values


def xlsx(rows, headers=HEADERS, name="执法系统导出.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/vnd.ms-excel")


@pytest.fixture
def officer(demo_org, client):
    user = demo_org.by_username["jingban"]
    client.force_login(user)
    return user


def upload(client, rows, **kwargs):
    response = client.post(UPLOAD, {"file": xlsx(rows, **kwargs)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ClueImport.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def preview(client, clue_import):
    response = client.get(clue_import.get_absolute_url())
    assert response.status_code == 200
    return response.context["report"], response.content.decode()


def confirm(client, clue_import):
    return client.post(reverse("screening:import_confirm", args=[clue_import.pk]))


def counts():
    return (Clue.objects.count(), Party.objects.count(), AuditEvent.objects.count(),
            Deadline.objects.count(), list(NumberSequence.objects.values_list("scope", "last")))


# --- the template ------------------------------------------------------------------------------

def test_the_template_has_chinese_headers_lists_and_instructions(client, officer):
    response = client.get(reverse("screening:import_template"))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    ws = book["线索"]
    assert [c.value for c in ws[1]] == HEADERS
    assert HEADERS[:3] == ["来源文号", "线索渠道", "发现日期"]
    assert ws.freeze_panes == "A2"
    validated = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validated["B2:B1001"].startswith("代码表!")
    codes = [c.value for c in book["代码表"]["A"]][1:]
    assert "检察机关移送的" in codes and "发生生态环境损害的资源与环境行政处罚案件" in codes
    assert book["填写说明"]["A2"].value == "来源文号"


# --- preview: a dry run --------------------------------------------------------------------------

def test_preview_shows_every_row_and_saves_nothing(client, officer):
    clue_import = upload(client, [row(), row(**{"来源文号": "并环罚〔2026〕102号",
                                                "涉嫌赔偿义务人": "", "统一社会信用代码": ""})])
    before = counts()
    report, page = preview(client, clue_import)
    assert [(r.line, r.status) for r in report.rows] == [(2, "new"), (3, "new")]
    assert report.can_confirm
    assert "新增2条，重复跳过0条，有错误0条" in page and "尚未登记任何线索" in page
    assert "新登记当事人“晋阳化工有限公司”" in page
    assert counts() == before  # clues, parties, audit rows, deadlines, numbers: all rolled back
    assert ClueImport.objects.get().status == ClueImport.Status.PREVIEWED


@pytest.mark.parametrize(("overrides", "message"), [
    ({"统一社会信用代码": CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1")},
     f"涉嫌赔偿义务人：“晋阳化工有限公司”的统一社会信用代码第18位（校验码）应为“{CODE_A[17]}”"),
    ({"统一社会信用代码": "91140100MA0KXXXX"},
     "涉嫌赔偿义务人：“晋阳化工有限公司”的统一社会信用代码应为18位，实为16位。"),
    ({"涉嫌赔偿义务人": "甲公司；乙公司"},
     "涉嫌赔偿义务人：涉嫌赔偿义务人有2个名称、1个统一社会信用代码，应一一对应"),
    ({"线索渠道": "卫星遥感"},
     "线索渠道：未知的线索渠道“卫星遥感”，请按模板“代码表”填写渠道名称。"),
    ({"发现日期": "2026-02-30"}, "发现日期：日期“2026-02-30”不存在。"),
    ({"发现日期": "九月一日"}, "发现日期：“九月一日”不是日期"),
    ({"发现日期": date(2026, 9, 5)},
     "发现日期：发现日期2026年9月5日晚于登记日期2026年9月3日，线索应先发现后登记。"),
    ({"发现日期": date(2026, 12, 1), "登记日期": None},
     "发现日期：发现日期2026年12月1日晚于今天，不可能。"),
    ({"登记日期": date(2026, 11, 25)}, "登记日期：登记日期2026年11月25日晚于今天，不可能。"),
    ({"发现日期": date(2025, 1, 5), "登记日期": date(2025, 1, 6)},
     "发现日期：山西省（SX）在2025年1月5日没有生效的规则配置版本。"),
    ({"损害类型": "噪声"}, "损害类型：未知的损害类型“噪声”，可填：水污染、大气污染"),
    ({"估算损害数额（元）": -5}, "估算损害数额（元）：金额不能为负数。"),
    ({"估算损害数额（元）": "12.345"}, "估算损害数额（元）：金额“12.345”最多保留两位小数。"),
    ({"发生地（区县）": "晋源区"}, "发生地（区县）：本辖区内没有名为“晋源区”的区县。"),
    ({"位于生态保护红线或自然保护地": "不清楚"},
     "位于生态保护红线或自然保护地：“不清楚”应填“是”或“否”。"),
    ({"线索概要": ""}, "线索概要：请填写线索概要。"),
    ({"来源文号": ""}, "来源文号：请填写来源文号。"),
    ({"来源单位": "某" * 101}, "来源单位：确保该变量包含不超过 100 字符"),
])
def test_each_row_error_has_its_chinese_message(client, officer, overrides, message):
    good = row(**{"来源文号": "并环罚〔2026〕200号"})
    clue_import = upload(client, [good, row(**overrides)])
    before = counts()
    report, page = preview(client, clue_import)
    assert [r.status for r in report.rows] == ["new", "invalid"]
    assert any(m.startswith(message) for m in report.rows[1].messages), report.rows[1].messages
    assert report.rows[1].line == 3 and not report.can_confirm
    assert "有错误1条" in page and "确认导入" not in page
    # confirming anyway saves nothing, not even the good row
    response = confirm(client, clue_import)
    assert response.status_code == 400
    assert "未导入任何线索" in response.content.decode()
    assert counts() == before
    assert ClueImport.objects.get().status == ClueImport.Status.PREVIEWED


def test_file_level_problems(client, officer):
    # the file is read whole at upload: what cannot be imported is refused on the upload page
    headers = [h for h in HEADERS if h != "来源文号"]
    response = client.post(UPLOAD, {"file": xlsx([row()], headers=headers)})
    assert response.status_code == 200
    assert "缺少必填列：来源文号。请使用导入模板的列名。" in response.content.decode()
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("clues.csv", b"a,b\n1,2\n")})
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("broken.xlsx", b"not a zip")})
    assert "无法读取文件“broken.xlsx”" in response.content.decode()
    assert not ClueImport.objects.exists()


def test_enforcement_system_quirks_are_accepted(client, officer):
    quirky = row(**{"来源文号": 2026101, "发现日期": "2026年9月1日", "登记日期": "2026/9/3",
                    "损害类型": "water", "线索渠道": "penalty_case", "发生地（区县）": "140105",
                    "估算损害数额（元）": "¥12,345.60", "位于生态保护红线或自然保护地": "是",
                    "统一社会信用代码": CODE_A.lower()})
    headers = [*HEADERS, "执法人员"]  # a column of the enforcement system we do not import
    clue_import = upload(client, [quirky, {}], headers=headers)  # and a blank line
    report, _page = preview(client, clue_import)
    assert [r.status for r in report.rows] == ["new"], report.rows[0].messages
    assert report.ignored_columns == ["执法人员"]
    confirm(client, clue_import)
    clue = Clue.objects.get()
    assert clue.source_reference == "2026101"
    assert (clue.found_on, clue.registered_on) == (date(2026, 9, 1), date(2026, 9, 3))
    assert clue.estimated_amount == Decimal("12345.60") and clue.in_protected_area
    assert clue.place.code == "140105"


# --- confirm -----------------------------------------------------------------------------------------

def test_confirm_registers_the_clues_through_register_clue(client, officer, demo_org):
    known = OrganisationFactory(name="汾河造纸厂", credit_code=CODE_B)
    rows = [row(),
            row(**{"来源文号": "并环罚〔2026〕102号", "涉嫌赔偿义务人": "汾河造纸厂；晋阳化工有限公司",
                   "统一社会信用代码": f"{CODE_B}；{CODE_A}", "损害类型": "土壤污染",
                   "估算损害数额（元）": None, "登记日期": None})]
    clue_import = upload(client, rows)
    response = confirm(client, clue_import)
    assert response.status_code == 302 and response.url == reverse("screening:clue_list")
    first, second = Clue.objects.order_by("id")
    assert first.number == "140100-2026-XS00001" and second.number == "140100-2026-XS00002"
    assert first.department == officer.department and first.registered_by == officer
    assert first.rule_profile.rule_set.code == "SX"
    assert first.channel.code == "penalty_case" and first.damage_type == Clue.DamageType.WATER
    assert first.estimated_amount == Decimal("12345.60")
    assert first.rectification == Clue.Rectification.NOT_DONE
    assert second.registered_on == date(2026, 11, 24)  # blank: the day of the import
    assert second.estimated_amount is None and second.damage_type == Clue.DamageType.SOIL
    # obligors found or created by credit code: the same code is the same party
    created = Party.objects.get(credit_code=CODE_A)
    assert list(first.suspected_obligors.all()) == [created]
    assert set(second.suspected_obligors.all()) == {known, created}
    # the verification deadline (SX 第九条) and the audit trail, as for a clue typed in
    assert deadlines_of(first).get(kind=DeadlineKind.VERIFICATION).start_date == date(2026, 9, 1)
    assert AuditEvent.objects.filter(object_id=str(first.pk), action="create").exists()
    clue_import.refresh_from_db()
    assert (clue_import.status, clue_import.rows_new, clue_import.rows_skipped) == (
        ClueImport.Status.IMPORTED, 2, 0)
    page = client.get(response.url).content.decode()
    assert "已导入2条线索。" in page


def test_reimporting_the_same_file_does_not_duplicate(client, officer):
    rows = [row(), row(**{"来源文号": "并环罚〔2026〕102号"})]
    confirm(client, upload(client, rows))
    assert Clue.objects.count() == 2
    again = upload(client, rows)
    report, page = preview(client, again)
    assert [r.status for r in report.rows] == ["skipped", "skipped"]
    assert "本部门已登记来源文号相同的线索 140100-2026-XS00001，重复，跳过。" in report.rows[0].messages
    assert not report.can_confirm and "没有需要导入的新线索" in page
    # one more row in a later export: only that one is new
    third = upload(client, [*rows, row(**{"来源文号": "并环罚〔2026〕103号"})])
    response = confirm(client, third)
    assert response.status_code == 302
    assert Clue.objects.count() == 3
    assert "已导入1条线索，2条与已登记线索重复，已跳过。" in client.get(response.url).content.decode()


def test_a_reference_repeated_inside_the_file_is_imported_once(client, officer):
    clue_import = upload(client, [row(), row(**{"线索概要": "同一案件的第二行"})])
    report, _page = preview(client, clue_import)
    assert [r.status for r in report.rows] == ["new", "skipped"]
    assert report.rows[1].messages == ["与本文件第2行的来源文号相同，重复，跳过。"]
    confirm(client, clue_import)
    assert Clue.objects.count() == 1


def test_duplicates_are_per_department(client, officer, demo_org):
    confirm(client, upload(client, [row()]))
    water = demo_org.by_username["shuiwu"]
    client.force_login(water)
    clue_import = upload(client, [row()])
    assert [r.status for r in preview(client, clue_import)[0].rows] == ["new"]
    confirm(client, clue_import)
    assert Clue.objects.filter(department=water.department).count() == 1


def test_confirm_twice_or_after_discard_imports_once(client, officer):
    clue_import = upload(client, [row()])
    confirm(client, clue_import)
    response = confirm(client, clue_import)
    assert response.status_code == 302
    assert "该文件已导入，不能再次导入。" in client.get(response.url).content.decode()
    assert Clue.objects.count() == 1

    discarded = upload(client, [row(**{"来源文号": "X-2"})])
    client.post(reverse("screening:import_discard", args=[discarded.pk]))
    discarded.refresh_from_db()
    assert discarded.status == ClueImport.Status.DISCARDED and not discarded.file
    confirm(client, discarded)
    assert Clue.objects.count() == 1


def test_officers_only_and_only_their_own_upload(client, officer, demo_org):
    clue_import = upload(client, [row()])
    for user in (demo_org.by_username["chuzhang"], demo_org.by_username["jiancha"]):
        client.force_login(user)
        assert client.get(UPLOAD).status_code == 403
        assert client.get(clue_import.get_absolute_url()).status_code == 403
    colleague = UserFactory(department=officer.department, role=Role.OFFICER)
    client.force_login(colleague)
    assert client.get(clue_import.get_absolute_url()).status_code == 404
    assert confirm(client, clue_import).status_code == 404
    assert not Clue.objects.exists()


def test_the_upload_page(client, officer):
    page = client.get(UPLOAD).content.decode()
    assert "从 Excel 导入线索" in page and reverse("screening:import_template") in page
    response = client.post(UPLOAD, {})
    assert "请选择要导入的 Excel 文件。" in response.content.decode()
