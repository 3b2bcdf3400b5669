"""Excel imports at volume (workflow/excel_import.py, issue 14 point 2): the preview is computed
once and stored; a file above ECOCLAIM_IMPORT_DIRECT_MAX_ROWS is previewed and confirmed by a
background job whose progress the page polls; files that would exhaust the worker (blank rows
by the million, zip bombs) or cannot be read are refused at upload, next to the file field."""

import zipfile
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from screening.models import Clue, ClueImport
from tests.factories import UserFactory
from tests.screening.test_import import HEADERS, UPLOAD, confirm, row, upload, xlsx
from workflow import excel_import
from workflow.excel_import import run_job
from workflow.tasks import run_excel_import_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]


@pytest.fixture
def today():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


@pytest.fixture
def officer(demo_org, client):
    user = demo_org.by_username["jingban"]
    client.force_login(user)
    return user


def rows(n):
    return [row(**{"来源文号": f"并环罚〔2026〕{900 + i}号"}) for i in range(n)]


# --- the preview is computed once -------------------------------------------------------------

def test_the_preview_is_computed_once_and_stored(client, officer, monkeypatch,
                                                 django_assert_max_num_queries):
    clue_import = upload(client, rows(2))
    runs = []
    real = excel_import.run_import
    monkeypatch.setattr(excel_import, "run_import",
                        lambda *a, **k: runs.append(1) or real(*a, **k))
    first = client.get(clue_import.get_absolute_url()).content.decode()
    assert "新增2条，重复跳过0条，有错误0条" in first and len(runs) == 1
    clue_import.refresh_from_db()
    assert clue_import.preview is not None
    assert (clue_import.rows_total, clue_import.rows_new) == (2, 2)
    with django_assert_max_num_queries(12):  # session, user, the upload: no import
        again = client.get(clue_import.get_absolute_url()).content.decode()
    assert len(runs) == 1
    assert "新增2条，重复跳过0条，有错误0条" in again and "确认导入2条线索" in again
    # the stored rows read like the computed ones: line, result, reference, notes
    assert 'data-line="3"' in again and "新登记当事人“晋阳化工有限公司”" in again
    assert confirm(client, clue_import).status_code == 302
    assert Clue.objects.count() == 2


# --- big files: the background job ------------------------------------------------------------

def test_a_big_file_is_previewed_and_confirmed_in_the_background(
        client, officer, settings, django_capture_on_commit_callbacks):
    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = 2
    clue_import = upload(client, rows(3))
    assert clue_import.rows_total == 3 and clue_import.in_background
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = client.get(clue_import.get_absolute_url()).content.decode()
    assert len(callbacks) == 1  # enqueued once the request commits
    progress_url = reverse("screening:import_progress", args=[clue_import.pk])
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 2s"' in page
    assert "正在后台检查（排队中）：已处理0 / 3行（0%）" in page and "<progress" in page
    assert "确认导入" not in page
    # a reload does not queue it again, and shows the same progress
    with django_capture_on_commit_callbacks(execute=False) as again:
        page = client.get(clue_import.get_absolute_url()).content.decode()
    assert not again and "已处理0 / 3行" in page

    run_excel_import_task(ClueImport._meta.label, clue_import.pk)  # the task body, directly
    clue_import.refresh_from_db()
    assert (clue_import.job_status, clue_import.rows_done) == ("done", 3)
    fragment = client.get(progress_url, headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true" and "hx-trigger" not in fragment.content.decode()
    page = client.get(clue_import.get_absolute_url()).content.decode()
    assert "新增3条，重复跳过0条，有错误0条" in page and "确认导入3条线索" in page
    assert not Clue.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = confirm(client, clue_import)
    assert response.status_code == 302 and response.url == clue_import.get_absolute_url()
    assert len(callbacks) == 1 and not Clue.objects.exists()
    page = client.get(response.url).content.decode()
    assert "正在后台导入" in page and "已处理0 / 3行" in page
    assert run_job(ClueImport._meta.label, clue_import.pk).status == ClueImport.Status.IMPORTED
    assert run_job(ClueImport._meta.label, clue_import.pk) is None  # delivered twice: once
    assert Clue.objects.count() == 3
    page = client.get(response.url).content.decode()
    assert "该文件已导入" in page and "新增3条" in page


def test_a_file_discarded_while_its_confirmation_waits_imports_nothing(client, officer,
                                                                       settings):
    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = 1
    clue_import = upload(client, rows(2))
    client.get(clue_import.get_absolute_url())
    run_job(ClueImport._meta.label, clue_import.pk)
    clue_import.refresh_from_db()
    assert excel_import.request_job(clue_import, ClueImport.Job.CONFIRM)
    assert not excel_import.request_job(clue_import, ClueImport.Job.CONFIRM)  # queued once
    client.post(reverse("screening:import_discard", args=[clue_import.pk]))
    done = run_job(ClueImport._meta.label, clue_import.pk)
    assert done.job_status == "failed" and "已放弃" in done.job_error
    assert "已放弃" in client.get(clue_import.get_absolute_url()).content.decode()
    assert not Clue.objects.exists()


def test_a_lost_job_is_taken_over_once_stale(client, officer, settings):
    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = 1
    clue_import = upload(client, rows(2))
    client.get(clue_import.get_absolute_url())
    now = timezone.now()
    lost = ClueImport.objects.filter(pk=clue_import.pk)
    lost.update(job_status="running", job_attempts=1, job_started_at=now - timedelta(hours=2),
                job_heartbeat_at=now - timedelta(minutes=10))
    # a heartbeat ten minutes ago: still running somewhere, a redelivery does nothing
    assert run_job(ClueImport._meta.label, clue_import.pk) is None
    assert lost.get().job_attempts == 1
    lost.update(job_heartbeat_at=now - timedelta(
        seconds=settings.ECOCLAIM_IMPORT_STALE_SECONDS + 1))
    done = run_job(ClueImport._meta.label, clue_import.pk)
    assert (done.job_status, done.job_attempts) == ("done", 2)


def test_a_job_silent_on_its_last_run_fails_in_chinese(client, officer, settings):
    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = 1
    settings.ECOCLAIM_JOB_MAX_ATTEMPTS = 2
    clue_import = upload(client, rows(2))
    client.get(clue_import.get_absolute_url())
    lost = ClueImport.objects.filter(pk=clue_import.pk)
    silent = timezone.now() - timedelta(seconds=settings.ECOCLAIM_IMPORT_STALE_SECONDS + 1)
    lost.update(job_status="running", job_attempts=2, job_started_at=silent,
                job_heartbeat_at=silent)
    assert run_job(ClueImport._meta.label, clue_import.pk) is None
    failed = lost.get()
    assert failed.job_status == "failed" and "后台处理已中断2次" in failed.job_error
    assert "后台处理已中断2次" in client.get(clue_import.get_absolute_url()).content.decode()


def test_with_the_broker_down_the_job_waits_queued_and_the_sweep_sends_it(
        client, officer, settings, dead_broker, django_capture_on_commit_callbacks):
    """Issue 14.3: the send lost at commit leaves the job 排队中; the sweep queues it again,
    and a stale running job too (the redelivered task takes it over)."""
    from workflow.jobs import sweep

    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = 2
    clue_import = upload(client, rows(3))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(clue_import.get_absolute_url())  # the send fails here
    assert page.status_code == 200
    assert "正在后台检查（排队中）：已处理0 / 3行（0%）" in page.content.decode()

    dead_broker.conf.task_always_eager = True  # the broker is back (the task runs here)
    assert sweep()["imports"] == 0  # just requested
    later = timezone.now() + timedelta(seconds=settings.ECOCLAIM_JOB_REQUEUE_AFTER_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert sweep()["imports"] == 1
        clue_import.refresh_from_db()
        assert (clue_import.job_status, clue_import.rows_done) == ("done", 3)
        assert "确认导入3条线索" in client.get(clue_import.get_absolute_url()).content.decode()

        # the confirmation's worker killed mid-job: running, silent
        ClueImport.objects.filter(pk=clue_import.pk).update(
            job=ClueImport.Job.CONFIRM, job_status="running", job_attempts=1,
            job_started_at=timezone.now(), job_heartbeat_at=timezone.now())
        assert sweep()["imports"] == 0
    stale = later + timedelta(seconds=settings.ECOCLAIM_IMPORT_STALE_SECONDS + 1)
    with time_machine.travel(stale, tick=False):
        assert sweep()["imports"] == 1
    clue_import.refresh_from_db()
    assert clue_import.status == ClueImport.Status.IMPORTED and Clue.objects.count() == 3


def test_an_upload_left_unconfirmed_expires_with_its_file(client, officer, settings):
    """Retention: ECOCLAIM_IMPORT_RETENTION_DAYS after upload, an unconfirmed file goes."""
    from workflow.jobs import expire_files

    clue_import = upload(client, rows(2))
    storage, name = clue_import.file.storage, clue_import.file.name
    assert storage.exists(name)
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        assert expire_files()["imports"] == 0
    with time_machine.travel(timezone.now() + timedelta(
            days=settings.ECOCLAIM_IMPORT_RETENTION_DAYS, seconds=1), tick=False):
        assert expire_files()["imports"] == 1
    clue_import.refresh_from_db()
    assert clue_import.status == ClueImport.Status.DISCARDED and not clue_import.file
    assert not storage.exists(name)
    page = client.get(clue_import.get_absolute_url()).content.decode()
    assert "文件已过期删除" in page and "确认导入2条线索" not in page
    assert confirm(client, clue_import).status_code in (200, 302)
    assert not Clue.objects.exists()


# --- files refused at upload --------------------------------------------------------------------

SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def hand_made_xlsx(sheet_xml: str) -> bytes:
    """The smallest .xlsx around `sheet_xml`, written with zipfile (no openpyxl)."""
    buffer = BytesIO()
    main = "http://schemas.openxmlformats.org/"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}spreadsheetml/2006/'
            f'main" xmlns:r="{main}officeDocument/2006/relationships"><sheets>'
            '<sheet name="线索" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def header_row() -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADERS)
    return f'<row r="1">{cells}</row>'


def blank_rows(count: int, dimension: str | None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(f'<row r="{n}"/>' for n in range(2, count + 2))
    return hand_made_xlsx(f"{SHEET_HEAD}{dim}<sheetData>{header_row()}{body}</sheetData>"
                          "</worksheet>")


def refused(client, content: bytes, name="执法系统导出.xlsx"):
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200  # the upload page again, with the message
    assert not ClueImport.objects.exists()  # nothing saved, not even the file's row
    form = response.context["form"]
    assert list(form.errors) == ["file"]  # next to the file field
    return form.errors["file"][0]


def test_the_hand_made_file_is_readable(client, officer):
    body = ('<row r="2"><c t="inlineStr"><is><t>X-1</t></is></c></row>')
    content = hand_made_xlsx(f"{SHEET_HEAD}<sheetData>{header_row()}{body}</sheetData>"
                             "</worksheet>")
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("a.xlsx", content)})
    assert response.status_code == 302 and ClueImport.objects.get().rows_total == 1


def test_a_million_blank_rows_declared_in_the_dimension_are_refused(client, officer):
    content = blank_rows(1_000_000, "A1:N1000001")
    assert len(content) < 4 * 1024 * 1024  # small on the wire, 17 MB of XML
    message = refused(client, content)
    assert message == ("文件“执法系统导出.xlsx”的工作表超过30000行（含空行），"
                       "请删除多余的空行或分批导入。")


def test_blank_rows_count_as_read_when_the_sheet_hides_its_size(client, officer, settings):
    settings.ECOCLAIM_IMPORT_MAX_SHEET_ROWS = 500
    message = refused(client, blank_rows(200_000, "A1"))  # a lying dimension, then no limit
    assert "超过500行（含空行）" in message
    message = refused(client, blank_rows(200_000, None))  # no dimension at all
    assert "超过500行（含空行）" in message


def test_a_zip_bomb_is_refused_before_parsing(client, officer, settings):
    settings.ECOCLAIM_IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    content = blank_rows(100_000, None)
    assert "解压后超过1MB" in refused(client, content)
    settings.ECOCLAIM_IMPORT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
    settings.ECOCLAIM_IMPORT_MAX_ZIP_RATIO = 5
    assert "压缩比异常" in refused(client, content)


def test_a_malformed_sheet_is_refused_naming_the_file(client, officer):
    content = hand_made_xlsx(f"{SHEET_HEAD}<sheetData>{header_row()}<row r=\"2\"><c>")
    message = refused(client, content, name="坏文件.xlsx")
    assert message.startswith("文件“坏文件.xlsx”的内容已损坏，无法读取。")


def test_not_an_xlsx_encrypted_and_empty_files_are_refused(client, officer):
    assert refused(client, b"PK\x03\x04 not really", name="假.xlsx").startswith(
        "无法读取文件“假.xlsx”")
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600  # how Excel stores a password
    assert "设有打开密码" in refused(client, encrypted, name="加密.xlsx")
    empty = hand_made_xlsx(f"{SHEET_HEAD}<sheetData/></worksheet>")
    assert refused(client, empty, name="空.xlsx") == \
        "文件“空.xlsx”是空的，没有任何内容。请使用导入模板填写。"
    only_header = xlsx([], name="只有列名.xlsx")
    response = client.post(UPLOAD, {"file": only_header})
    assert "文件中没有数据行。" in response.content.decode()


# --- scoping -------------------------------------------------------------------------------------

def test_another_users_import_and_its_progress_are_404(client, officer, settings):
    settings.ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = 1
    clue_import = upload(client, rows(2))
    progress_url = reverse("screening:import_progress", args=[clue_import.pk])
    colleague = UserFactory(department=officer.department, role=Role.OFFICER)
    client.force_login(colleague)
    assert client.get(clue_import.get_absolute_url()).status_code == 404
    assert client.get(progress_url).status_code == 404
    assert confirm(client, clue_import).status_code == 404
    clue_import.refresh_from_db()
    assert clue_import.job_status == "" and clue_import.preview is None  # nothing queued


# --- the cost of a row ----------------------------------------------------------------------------

def test_a_rows_queries_do_not_include_per_file_lookups(client, officer):
    """Duplicates, parties met before in the file, the rule profile, related records' names in
    the audit: read once per file, not per row (bench/clue_import.py has the timings)."""
    def per_row_queries(n):
        clue_import = upload(client, rows(n))
        with CaptureQueriesContext(connection) as queries:
            client.get(clue_import.get_absolute_url())
        return len(queries)

    small, big = per_row_queries(5), per_row_queries(25)
    per_row = (big - small) / 20
    assert per_row <= 20  # 36 before (19 now: the savepoints, number, insert, audit, deadline)
