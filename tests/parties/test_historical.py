"""历史记录 (parties/historical.py): an obligor's damage events and closed cases from before
the system, entered on a page or imported from Excel, so that the repeat exception of 显著轻微
(CQ 四(二); SX 第十一条(二)) sees them. Dated before the jurisdiction's first rule profile (SX:
2025-07-10), scoped like clues, audited, no deadlines."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from parties.imports import HistoricalImportResource
from parties.models import HistoricalImport, HistoricalRecord, Party
from rules.models import RuleSet
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import make_credit_code, make_id_number
from workflow.audit import history
from workflow.models import AuditEvent, Deadline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

CREATE = reverse("parties:historical_create")
UPLOAD = reverse("parties:historical_import_upload")
CODE = make_credit_code("30000001")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


def sx_department():
    return DepartmentFactory(jurisdiction=JurisdictionFactory(
        rule_set=RuleSet.objects.get(code="SX")))


@pytest.fixture
def officer(client):
    user = UserFactory(department=sx_department(), role=Role.OFFICER)
    client.force_login(user)
    return user


def form(**overrides):
    data = {"party_kind": "organisation", "party_name": "晋阳化工有限公司", "credit_code": CODE,
            "id_number": "", "kind": "damage_event", "event_date": "2025-03-01",
            "place": "清徐县徐沟镇", "document_number": "并环罚〔2025〕12号",
            "description": "暗管排放含重金属废水，已作行政处罚。"}
    data.update(overrides)
    return data


# --- the page ----------------------------------------------------------------------------------

def test_an_officer_records_a_historical_damage_event(client, officer):
    deadlines = Deadline.objects.count()
    response = client.post(CREATE, form())
    assert response.status_code == 302
    record = HistoricalRecord.objects.get()
    assert response.url == record.get_absolute_url()
    assert record.department == officer.department and record.created_by == officer
    assert record.party == Party.objects.get(credit_code=CODE)
    assert record.number.endswith("-2026-LS00001")
    assert history(record).filter(action=AuditEvent.Action.CREATE).exists()  # audited
    assert Deadline.objects.count() == deadlines  # no deadlines for history
    page = client.get(record.get_absolute_url()).content.decode()
    assert "历史损害事件" in page and "并环罚〔2025〕12号" in page
    party_page = client.get(reverse("parties:party_detail", args=[record.party.pk]))
    assert "历史记录（历史损害事件）" in party_page.content.decode()
    assert record.number in party_page.content.decode()


def test_a_natural_person_by_id_number(client, officer):
    response = client.post(CREATE, form(party_kind="person", party_name="张三", credit_code="",
                                        id_number=make_id_number(),
                                        kind="closed_case"))
    assert response.status_code == 302
    record = HistoricalRecord.objects.get()
    assert record.party.is_person and record.get_kind_display() == "历史已结案件"


def test_a_date_from_the_first_rule_profile_on_is_refused_next_to_the_field(client, officer):
    # SX 晋环规〔2025〕2号 in force from 2025-07-10: from then on damage is registered as a clue
    response = client.post(CREATE, form(event_date="2025-07-10"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "历史记录只登记" in errors["event_date"][0]
    assert "2025年7月10日" in errors["event_date"][0]
    assert 'id="id_event_date_error"' in response.content.decode()
    assert not HistoricalRecord.objects.exists() and not Party.objects.exists()
    assert client.post(CREATE, form(event_date="2025-07-09")).status_code == 302


def test_chinese_errors_for_missing_fields_and_a_wrong_code(client, officer):
    response = client.post(CREATE, form(credit_code="91140100ABCDEFGH12", place="",
                                        document_number=""))
    errors = response.context["form"].errors
    assert errors["place"] == ["请填写发生地点。"]
    assert errors["document_number"] == ["请填写文书文号。"]
    assert errors["credit_code"]
    assert not HistoricalRecord.objects.exists()


def test_the_same_record_twice_is_refused(client, officer):
    assert client.post(CREATE, form()).status_code == 302
    response = client.post(CREATE, form())
    assert response.status_code == 200
    assert "同一文号" in response.context["form"].errors["document_number"][0]
    assert HistoricalRecord.objects.count() == 1


def test_another_department_cannot_see_it(client, officer):
    client.post(CREATE, form())
    record = HistoricalRecord.objects.get()
    client.force_login(UserFactory(department=sx_department(), role=Role.OFFICER))
    assert client.get(record.get_absolute_url()).status_code == 404
    history = client.get(reverse("parties:party_detail", args=[record.party.pk])).content.decode()
    assert record.number not in history


def test_roles_without_the_permission_are_refused(client, officer):
    client.post(CREATE, form())
    record = HistoricalRecord.objects.get()
    head = UserFactory(department=officer.department, role=Role.DIVISION_HEAD)
    client.force_login(head)
    assert client.get(record.get_absolute_url()).status_code == 200  # reads it
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form(document_number="x")).status_code == 403
    assert client.get(UPLOAD).status_code == 403
    client.force_login(UserFactory(department=officer.department, role=Role.FINANCE))
    assert client.get(record.get_absolute_url()).status_code == 403


# --- the import --------------------------------------------------------------------------------

HEADERS = HistoricalImportResource.headers()


def row(**overrides):
    values = {"类型": "历史损害事件", "赔偿义务人": "晋阳化工有限公司", "义务人类型": "单位",
              "统一社会信用代码或身份证号码": CODE, "发生日期": date(2024, 5, 6),
              "发生地点": "清徐县", "文书文号": "并环罚〔2024〕31号",
              "情况描述": "超标排放废水。"}
    values.update(overrides)
    return values


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h) for h in HEADERS])
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("历史记录.xlsx", buffer.getvalue())


def upload(client, rows) -> HistoricalImport:
    response = client.post(UPLOAD, {"file": xlsx(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return HistoricalImport.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def preview(client, upload_):
    response = client.get(upload_.get_absolute_url())
    assert response.status_code == 200
    return response.context["report"], response.content.decode()


def confirm(client, upload_):
    return client.post(reverse("parties:historical_import_confirm", args=[upload_.pk]))


def test_the_template_has_the_columns(client, officer):
    response = client.get(reverse("parties:historical_import_template"))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert [c.value for c in book["历史记录"][1]] == HEADERS
    assert book["填写说明"]["A2"].value == "类型"


def test_the_dry_run_shows_rows_and_errors_and_saves_nothing(client, officer):
    imported = upload(client, [
        row(),
        row(**{"文书文号": "并环罚〔2025〕88号", "发生日期": date(2025, 8, 1)}),
        row(**{"文书文号": "并环罚〔2024〕32号", "统一社会信用代码或身份证号码": "123"}),
        row(**{"文书文号": "并环罚〔2024〕33号", "类型": "罚款"}),
    ])
    report, page = preview(client, imported)
    assert [(r.line, r.status) for r in report.rows] == [
        (2, "new"), (3, "invalid"), (4, "invalid"), (5, "invalid")]
    assert not report.can_confirm
    assert "发生日期：历史记录只登记" in page
    assert "统一社会信用代码或身份证号码：" in page
    assert "未知的类型“罚款”" in page
    assert not HistoricalRecord.objects.exists() and not Party.objects.exists()
    assert "确认导入" not in page


def test_confirm_creates_and_a_reimport_creates_nothing(client, officer):
    rows = [row(), row(**{"文书文号": "并环罚〔2023〕5号", "类型": "历史已结案件",
                          "发生日期": "2023年4月2日"}),
            row()]  # the first row again
    imported = upload(client, rows)
    report, page = preview(client, imported)
    assert [r.status for r in report.rows] == ["new", "new", "skipped"]
    assert "与本文件第2行重复" in page
    assert f'action="{reverse("parties:historical_import_confirm", args=[imported.pk])}"' in page
    assert "确认导入2条历史记录" in page
    assert not HistoricalRecord.objects.exists()
    response = confirm(client, imported)
    assert response.status_code == 302
    assert HistoricalRecord.objects.count() == 2
    assert {r.kind for r in HistoricalRecord.objects.all()} == {"damage_event", "closed_case"}
    assert Party.objects.count() == 1
    imported.refresh_from_db()
    assert imported.status == HistoricalImport.Status.IMPORTED and imported.rows_new == 2

    again = upload(client, rows)
    report, page = preview(client, again)
    assert [r.status for r in report.rows] == ["skipped"] * 3
    assert "本部门已登记该义务人同一文号的历史记录" in page
    assert not report.can_confirm
    confirm(client, again)
    assert HistoricalRecord.objects.count() == 2


def test_an_import_is_the_uploaders_own(client, officer):
    imported = upload(client, [row()])
    client.force_login(UserFactory(department=officer.department, role=Role.OFFICER))
    assert client.get(imported.get_absolute_url()).status_code == 404
    assert confirm(client, imported).status_code == 404


def test_the_party_page_offers_it_prefilled(client, officer):
    client.post(CREATE, form())
    party = Party.objects.get()
    page = client.get(reverse("parties:party_detail", args=[party.pk])).content.decode()
    assert f"{CREATE}?party={party.pk}" in page
    response = client.get(f"{CREATE}?party={party.pk}")
    assert response.context["form"].initial["credit_code"] == CODE
    assert client.get(f"{CREATE}?party=abc").status_code == 200


def test_the_dry_run_is_stored_and_a_big_file_runs_in_the_background(
        client, officer, settings, monkeypatch):
    # the shared machinery (workflow/excel_import.py) serves 历史记录 as it serves clues
    from workflow import excel_import

    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = 1
    imported = upload(client, [row(), row(**{"文书文号": "并环罚〔2024〕40号"})])
    progress = reverse("parties:historical_import_progress", args=[imported.pk])
    page = client.get(imported.get_absolute_url()).content.decode()
    assert f'hx-get="{progress}"' in page and "已处理0 / 2行" in page
    client.force_login(UserFactory(department=officer.department, role=Role.OFFICER))
    assert client.get(progress).status_code == 404  # the uploader's own
    client.force_login(officer)

    excel_import.run_job(HistoricalImport._meta.label, imported.pk)
    runs = []
    monkeypatch.setattr(excel_import, "run_import", lambda *a, **k: runs.append(1))
    report, page = preview(client, imported)
    assert [r.status for r in report.rows] == ["new", "new"] and not runs  # read back
    assert "确认导入2条历史记录" in page
    assert confirm(client, imported).url == imported.get_absolute_url()
    assert "正在后台导入" in client.get(imported.get_absolute_url()).content.decode()
    monkeypatch.undo()
    excel_import.run_job(HistoricalImport._meta.label, imported.pk)
    assert HistoricalRecord.objects.count() == 2


def test_an_unreadable_file_is_refused_on_the_upload_page(client, officer):
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("历史.xlsx", b"PK\x03\x04")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith("无法读取文件“历史.xlsx”")
    assert not HistoricalImport.objects.exists()
