"""The quarterly screening list (线索筛查清单, CQ 二) read back from the .xlsx: headers, a row's
values and formats, the frozen header and widths, the summary sheet; its scope (own
department; the lead department's coordinator the jurisdiction and below); the background
path (a Celery task enqueued on commit, progress, download) and the download's denials; the
half-year aggregation per system (CQ 二)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from cases.models import CaseObligor
from cases.services import open_case_from_clue
from config.celery import app as celery_app
from screening import reports
from screening.models import Clue, ReportExport, ScreeningRound, SourceChannel
from screening.reports import ReportScope, build_export, write_quarterly_report
from screening.rounds import record_round
from screening.services import refer_clue, register_clue
from screening.tasks import build_report_export_task
from tests.factories import ClueFactory, DepartmentFactory, UserFactory
from tests.parties.factories import OrganisationFactory
from tests.xlsx import CMD, HYPERLINK, assert_literal_text
from workflow import approvals, transitions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

QUARTERLY = reverse("screening:report_quarterly")
HALF_YEAR = reverse("screening:report_half_year")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
AMOUNT_FORMAT = '#,##0.00'
HEADERS = ["序号", "线索编号", "线索渠道", "发现日期", "登记日期", "线索概要", "涉嫌赔偿义务人",
           "发生地", "损害类型", "估算损害数额（元）", "初步核查结果", "是否启动索赔",
           "启动或不启动理由", "移送情况", "办理部门", "备注"]


@pytest.fixture
def today():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def clue(department, by, registered_on, **fields):
    fields.setdefault("found_on", registered_on)
    return ClueFactory(department=department, registered_by=by, registered_on=registered_on,
                       **fields)


def opened(clue_, officer, note):
    """启动索赔 approved once, with the case's start (NAT 三; cases/services.py)."""
    clue_ = transitions.perform(clue_, "start_verification", by=officer)
    case = open_case_from_clue(clue_, by=officer, note=note)
    CaseObligor.objects.create(case=case, party=OrganisationFactory())
    request = approvals.request_approval(case, "case_initiation", by=officer, summary=note)
    for role in (Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD):
        head = UserFactory(department=case.department, role=role)
        approvals.decide(request.steps.get(role=role), by=head, approve=True, opinion="同意")
    return Clue.objects.get(pk=clue_.pk)


def decide(clue_, code, officer, head, **kwargs):
    clue_ = transitions.perform(clue_, "start_verification", by=officer)
    request = approvals.request_approval(clue_, code, by=officer, summary=kwargs.pop("summary"),
                                         **kwargs)
    approvals.decide(request.steps.get(), by=head, approve=True, opinion="同意")
    return Clue.objects.get(pk=clue_.pk)


@pytest.fixture
def data(demo_org):
    """Q3 2026 in the city's lead department (市生态环境局), one clue per outcome, plus clues
    of other departments and of Q4 that its own list must leave out."""
    d, u = demo_org.departments, demo_org.by_username
    officer, head = u["jingban"], u["chuzhang"]
    own = d["市生态环境局"]
    party = OrganisationFactory(name="晋阳化工有限公司")
    open_clue = clue(own, officer, date(2026, 7, 10), found_on=date(2026, 7, 8),
                     estimated_amount=Decimal("2800.00"), in_protected_area=True,
                     source_organisation="太原市生态环境综合行政执法队",
                     source_reference="并环罚〔2026〕101号", place=demo_org.districts[0],
                     place_detail="北格镇")
    open_clue.suspected_obligors.add(party)
    not_started = decide(clue(own, officer, date(2026, 8, 1), estimated_amount=Decimal("1500")),
                         "clue_not_start", officer, head, summary="现场核查未发现损害。",
                         decision_reason=Clue.NotStartReason.NO_DAMAGE)
    started = opened(clue(own, officer, date(2026, 8, 20), estimated_amount=Decimal("450000")),
                     officer, "造成地下水损害，应当启动索赔。")
    referred = clue(own, officer, date(2026, 9, 30),
                    channel=SourceChannel.objects.get(code="complaint"), estimated_amount=None)
    refer_clue(referred, to_department=d["市水务局"], note="属水务职责", by=officer,
               copy_to=d["市检察院"])
    later = clue(own, officer, date(2026, 10, 1))  # Q4
    water = clue(d["市水务局"], u["shuiwu"], date(2026, 8, 5), estimated_amount=Decimal("100"))
    district = clue(d["小店区生态环境分局"], u["xiaodian"], date(2026, 9, 1),
                    estimated_amount=Decimal("200.50"))
    record_round(ScreeningRound(department=own, year=2026, quarter=3,
                                screened_on=date(2026, 9, 25), scope="第三季度例行筛查"),
                 by=officer, channels=SourceChannel.objects.filter(code="supervision"))
    return {"open": open_clue, "not_started": not_started, "opened": started,
            "referred": Clue.objects.get(pk=referred.pk), "later": later, "water": water,
            "district": district}


def book_of(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def export(client, user, **data):
    client.force_login(user)
    return client.post(QUARTERLY, {"year": "2026", "quarter": "3", **data})


def numbers(book) -> list[str]:
    return [r[1] for r in book["线索筛查清单"].iter_rows(min_row=2, values_only=True)]


def row_of(book, number):
    ws = book["线索筛查清单"]
    for cells in ws.iter_rows(min_row=2):
        if cells[1].value == number:
            return {h: c for h, c in zip(HEADERS, cells, strict=True)}
    raise AssertionError(number)


def summary_value(book, label):
    for cells in book["汇总"].iter_rows(values_only=True):
        if cells[0] == label:
            return cells
    raise AssertionError(label)


# --- the file ---------------------------------------------------------------------------------

def test_the_list_read_back_headers_values_and_formats(client, demo_org, data):
    book = book_of(export(client, demo_org.by_username["jingban"]))
    assert book.sheetnames == ["线索筛查清单", "汇总"]
    ws = book["线索筛查清单"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:P5"
    assert ws.column_dimensions["F"].width == 48 and ws.column_dimensions["B"].width == 20
    assert numbers(book) == [data[k].number for k in ("open", "not_started", "opened", "referred")]

    row = row_of(book, data["open"].number)
    assert row["序号"].value == 1
    assert row["线索渠道"].value == "日常监管、执法巡查、各项资源与环境专项行动发现的"
    assert row["发现日期"].value.date() == date(2026, 7, 8)
    assert row["发现日期"].number_format == DATE_FORMAT
    assert row["登记日期"].value.date() == date(2026, 7, 10)
    assert row["涉嫌赔偿义务人"].value == "晋阳化工有限公司"
    assert row["发生地"].value == "小店区人民政府 北格镇"
    assert row["损害类型"].value == "水污染"
    assert row["估算损害数额（元）"].value == 2800
    assert row["估算损害数额（元）"].number_format == AMOUNT_FORMAT
    assert row["初步核查结果"].value == "已登记"
    assert row["是否启动索赔"].value is None
    assert row["办理部门"].value == "太原市生态环境局"
    assert row["备注"].value == ("位于生态保护红线或自然保护地；"
                               "来源：太原市生态环境综合行政执法队 并环罚〔2026〕101号")

    row = row_of(book, data["not_started"].number)
    assert row["初步核查结果"].value == "决定不启动"
    assert row["是否启动索赔"].value == "不启动索赔"
    assert row["启动或不启动理由"].value == "经初步核查未造成生态环境损害（SX 第九条）；现场核查未发现损害。"
    row = row_of(book, data["opened"].number)
    assert (row["是否启动索赔"].value, row["启动或不启动理由"].value) == (
        "启动索赔", "造成地下水损害，应当启动索赔。")
    row = row_of(book, data["referred"].number)
    assert row["移送情况"].value == "2026年11月24日移送太原市水务局，抄送太原市人民检察院"
    assert row["估算损害数额（元）"].value is None


def test_the_list_reads_back_the_same_whatever_the_writer_flushes(demo_org, data, monkeypatch):
    from workflow import spreadsheets

    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)

    def cells():
        target = BytesIO()
        assert write_quarterly_report(scope, target) == 4
        book = load_workbook(BytesIO(target.getvalue()))
        return {ws.title: [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
                for ws in book}

    whole = cells()
    monkeypatch.setattr(spreadsheets, "_FLUSH_EVERY", 1)  # every row its own flush
    assert cells() == whole
    assert [r[1][0] for r in whole["线索筛查清单"][1:]] == [
        data[k].number for k in ("open", "not_started", "opened", "referred")]
    found_on, number_format = whole["线索筛查清单"][1][3]
    assert found_on.date() == date(2026, 7, 8) and number_format == DATE_FORMAT


def test_the_summary_sheet(client, demo_org, data):
    book = book_of(export(client, demo_org.by_username["jingban"]))
    ws = book["汇总"]
    assert ws["A1"].value == "2026年第三季度线索筛查清单汇总"
    assert summary_value(book, "范围")[1] == "太原市生态环境局"
    assert summary_value(book, "线索总数")[1] == 4
    assert summary_value(book, "筛查批次")[1] == 1
    total = summary_value(book, "估算损害数额合计（元）")
    assert total[1] == 454300 and ws["B7"].number_format == AMOUNT_FORMAT
    assert summary_value(book, "信访投诉、举报和媒体曝光涉及的")[1:3] == (1, 0)
    assert summary_value(book, "日常监管、执法巡查、各项资源与环境专项行动发现的")[1:3] == (3, 454300)
    for label, count in (("初步核查中", 1), ("启动索赔", 1), ("不启动索赔", 1), ("移送", 1),
                         ("不纳入筛查", 0)):
        assert summary_value(book, label)[1] == count, label
    # by department: rounds, clues, each outcome, amount
    assert summary_value(book, "太原市生态环境局")[:9] == (
        "太原市生态环境局", 1, 4, 1, 1, 1, 1, 0, 454300)


def test_the_lead_coordinator_gets_the_whole_jurisdiction(client, demo_org, data):
    book = book_of(export(client, demo_org.by_username["qiantou"], department=""))
    assert set(numbers(book)) == {data[k].number for k in (
        "open", "not_started", "opened", "referred", "water", "district")}
    assert summary_value(book, "范围")[1] == "太原市人民政府（本级及下级各部门）"
    departments = {r[0] for r in book["汇总"].iter_rows(values_only=True)}
    assert {"太原市水务局", "太原市生态环境局小店分局"} <= departments
    # or one department of it
    book = book_of(export(client, demo_org.by_username["qiantou"],
                          department=demo_org.departments["小店区生态环境分局"].pk))
    assert numbers(book) == [data["district"].number]


def test_a_department_cannot_export_anothers(client, demo_org, data):
    water = demo_org.departments["市水务局"]
    # the officer of the lead department has no jurisdiction permission: own department only,
    # whatever is posted
    book = book_of(export(client, demo_org.by_username["jingban"], department=water.pk))
    assert data["water"].number not in numbers(book) and len(numbers(book)) == 4
    book = book_of(export(client, demo_org.by_username["shuiwu"]))
    assert numbers(book) == [data["water"].number]
    # the coordinator cannot reach outside the jurisdiction
    elsewhere = DepartmentFactory()
    response = export(client, demo_org.by_username["qiantou"], department=elsewhere.pk)
    assert response.status_code == 200
    assert "所选部门不在本行政区及下级范围内。" in response.content.decode()
    for username in ("jiancha", "caizheng"):
        assert export(client, demo_org.by_username[username]).status_code == 403
    assert not ReportExport.objects.filter(requested_by__username="qiantou").exists()


def test_a_quarter_not_yet_begun_is_refused(client, demo_org):
    response = export(client, demo_org.by_username["jingban"], year="2027", quarter="1")
    assert "2027年第一季度尚未开始。" in response.content.decode()
    assert not ReportExport.objects.exists()


def test_queries_do_not_grow_with_rows(demo_org, data):
    department = demo_org.departments["市生态环境局"]
    officer = demo_org.by_username["jingban"]
    scope = ReportScope(department, 2026, 3)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            write_quarterly_report(scope, BytesIO())
        return len(ctx.captured_queries)

    few = queries()
    party = OrganisationFactory()
    for i in range(12):
        c = clue(department, officer, date(2026, 7, 1 + i))
        c.suspected_obligors.add(party)
    assert queries() == few


# --- formula injection (OWASP; issue 14.1) ------------------------------------------------------

def test_formula_like_text_is_exported_as_text(client, demo_org):
    u = demo_org.by_username
    officer = u["jingban"]
    own = demo_org.departments["市生态环境局"]
    first = clue(own, officer, date(2026, 7, 1), summary=HYPERLINK, place=None,
                 place_detail="+1+1")
    first.suspected_obligors.add(OrganisationFactory(name=CMD))
    others = {text: clue(own, officer, date(2026, 7, 2 + i), summary=text, place=None,
                         place_detail=text)
              for i, text in enumerate(("@SUM(1)", "-2+3", "\t=1"))}
    started = opened(clue(own, officer, date(2026, 7, 9)), officer, "=1+1")
    book = book_of(export(client, officer))
    row = row_of(book, first.number)
    assert_literal_text(row["线索概要"], HYPERLINK)
    assert_literal_text(row["涉嫌赔偿义务人"], CMD)
    assert_literal_text(row["发生地"], "+1+1")
    for text, c in others.items():
        row = row_of(book, c.number)
        assert_literal_text(row["线索概要"], text)
        assert_literal_text(row["发生地"], text)
    assert_literal_text(row_of(book, started.number)["启动或不启动理由"], "=1+1")
    # an ordinary text has no quote prefix
    assert not row_of(book, started.number)["线索概要"].quotePrefix


def test_formula_like_names_in_the_jurisdiction_list_and_summaries(client, demo_org, data):
    water = demo_org.departments["市水务局"]
    type(water).objects.filter(pk=water.pk).update(name="-2+3")
    district = demo_org.districts[0]
    type(district).objects.filter(pk=district.pk).update(name="@SUM(1)")
    client.force_login(demo_org.by_username["qiantou"])
    book = book_of(client.post(QUARTERLY, {"year": "2026", "quarter": "3", "department": ""}))
    assert_literal_text(row_of(book, data["water"].number)["办理部门"], "-2+3")
    cells = next(r for r in book["汇总"].iter_rows() if r[0].value == "-2+3")
    assert_literal_text(cells[0], "-2+3")

    xlsx = client.get(HALF_YEAR, {"year": "2026", "half": "2", "format": "xlsx"})
    ws = load_workbook(BytesIO(xlsx.content))["按行政区"]
    cells = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "@SUM(1)")
    assert_literal_text(cells[0], "@SUM(1)")


def test_the_list_loads_no_clue_instances(demo_org, data, monkeypatch):
    # a read-only export must not pay the audit snapshot of every loaded clue (issue 14.1)
    def loaded(*args, **kwargs):
        raise AssertionError("a Clue instance was loaded")

    monkeypatch.setattr(Clue, "from_db", classmethod(loaded))
    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)
    assert write_quarterly_report(scope, BytesIO()) == 4


def test_obligor_names_in_the_order_added_with_or_without_string_agg(demo_org, data,
                                                                      monkeypatch):
    first, second = OrganisationFactory(name="乙公司"), OrganisationFactory(name="甲公司")
    data["opened"].suspected_obligors.add(first)
    data["opened"].suspected_obligors.add(second)
    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)

    def names():
        return {row[1]: row[6] for row in reports.iter_list_rows(reports.report_queryset(scope),
                                                                 chunk_size=3)}

    aggregated = names()
    assert aggregated[data["opened"].number] == "乙公司、甲公司"
    assert aggregated[data["open"].number] == "晋阳化工有限公司"
    monkeypatch.setattr(connection, "vendor", "sqlite")  # names read per chunk instead
    assert names() == aggregated


# --- the background path --------------------------------------------------------------------

def test_a_big_list_is_enqueued_after_commit_and_built_by_the_task(
        client, demo_org, data, settings, eager_celery, django_capture_on_commit_callbacks):
    settings.ECOCLAIM_REPORT_DIRECT_MAX_ROWS = 3
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = export(client, demo_org.by_username["jingban"])
    export_ = ReportExport.objects.get()
    assert response.status_code == 302 and response.url == export_.get_absolute_url()
    assert len(callbacks) == 1  # enqueued only once the row is committed
    assert (export_.status, export_.rows_total) == (ReportExport.Status.PENDING, 4)
    page = client.get(response.url).content.decode()
    assert "清单共4条线索，正在后台生成" in page
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    assert f'hx-get="{reverse("screening:report_export_progress", args=[export_.pk])}"' in page

    callbacks[0]()  # the broker delivers: the task runs (eagerly here)
    export_.refresh_from_db()
    assert (export_.status, export_.rows_done) == (ReportExport.Status.DONE, 4)
    fragment = client.get(reverse("screening:report_export_progress", args=[export_.pk]),
                          headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "下载 Excel" in fragment
    book = book_of(client.get(reverse("screening:report_export_download", args=[export_.pk])))
    assert len(numbers(book)) == 4


def test_the_task_builds_once_and_reports_progress(demo_org, data, settings):
    settings.ECOCLAIM_REPORT_PROGRESS_EVERY = 2
    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)
    seen = []
    assert write_quarterly_report(scope, BytesIO(), progress=seen.append) == 4
    assert seen == [2, 4]

    export_ = reports.create_export(scope, by=demo_org.by_username["jingban"], rows_total=4)
    build_report_export_task(export_.pk)  # the task body, called directly
    export_.refresh_from_db()
    assert (export_.status, export_.rows_done, export_.percent) == (
        ReportExport.Status.DONE, 4, 100)
    assert export_.finished_at and export_.file
    assert export_.filename == "线索筛查清单_太原市生态环境局_2026年第三季度.xlsx"
    name = export_.file.name
    assert build_export(export_.pk) is None  # delivered twice: built once
    export_.refresh_from_db()
    assert export_.file.name == name


def test_a_lost_run_is_taken_over_once_stale(demo_org, data):
    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)
    export_ = reports.create_export(scope, by=demo_org.by_username["jingban"], rows_total=4)
    started = datetime(2026, 11, 24, 7, tzinfo=ZoneInfo("Asia/Shanghai"))
    ReportExport.objects.filter(pk=export_.pk).update(
        status=ReportExport.Status.RUNNING, attempts=1, started_at=started,
        heartbeat_at=datetime(2026, 11, 24, 9, 50, tzinfo=ZoneInfo("Asia/Shanghai")))
    # its last heartbeat ten minutes ago: still running somewhere, a redelivery does nothing
    assert build_export(export_.pk) is None
    export_.refresh_from_db()
    assert (export_.status, export_.attempts) == (ReportExport.Status.RUNNING, 1)
    ReportExport.objects.filter(pk=export_.pk).update(
        heartbeat_at=datetime(2026, 11, 24, 8, tzinfo=ZoneInfo("Asia/Shanghai")))
    built = build_export(export_.pk)
    assert (built.status, built.attempts) == (ReportExport.Status.DONE, 2)


def test_a_failure_is_recorded_in_chinese(client, demo_org, data, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(reports, "write_quarterly_report", broken)
    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)
    export_ = reports.create_export(scope, by=demo_org.by_username["jingban"], rows_total=4)
    assert build_export(export_.pk).status == ReportExport.Status.FAILED
    client.force_login(demo_org.by_username["jingban"])
    page = client.get(export_.get_absolute_url()).content.decode()
    assert "生成报表时发生错误" in page and "hx-trigger" not in page
    url = reverse("screening:report_export_download", args=[export_.pk])
    assert client.get(url).status_code == 404


# --- the download's denials ----------------------------------------------------------------------

@pytest.fixture
def built(demo_org, data):
    def make(username, department=None, whole=False):
        user = demo_org.by_username[username]
        scope = ReportScope(department or user.department, 2026, 3, whole_jurisdiction=whole)
        e = reports.create_export(scope, by=user, rows_total=0)
        return build_export(e.pk)
    return make


def status(client, user, export_) -> int:
    client.force_login(user)
    return client.get(reverse("screening:report_export_download", args=[export_.pk])).status_code


def test_only_the_requester_and_those_who_see_the_scope_download(client, demo_org, built):
    u = demo_org.by_username
    own = built("jingban")
    assert status(client, u["jingban"], own) == 200
    assert status(client, u["qiantou"], own) == 200  # the lead coordinates the jurisdiction
    assert status(client, u["chuzhang"], own) == 200  # same department
    assert status(client, u["shuiwu"], own) == 404  # another department
    assert status(client, u["xiaodian"], own) == 404  # a district below
    assert status(client, u["jiancha"], own) == 403  # no export permission at all
    for name in ("report_export", "report_export_progress"):
        client.force_login(u["shuiwu"])
        assert client.get(reverse(f"screening:{name}", args=[own.pk])).status_code == 404

    whole = built("qiantou", whole=True)
    assert status(client, u["qiantou"], whole) == 200
    assert status(client, u["jingban"], whole) == 404  # same department, no jurisdiction right
    assert status(client, u["shuiwu"], whole) == 404

    water = built("shuiwu")
    assert status(client, u["shuiwu"], water) == 200
    assert status(client, u["jingban"], water) == 200  # lead department: its jurisdiction
    assert status(client, u["xiaodian"], water) == 404


def test_the_download_is_private(client, demo_org, built):
    own = built("jingban")
    client.force_login(demo_org.by_username["jingban"])
    response = client.get(reverse("screening:report_export_download", args=[own.pk]))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert not own.file.name.endswith(own.filename)  # stored under a random name


def test_a_pending_export_has_nothing_to_download(client, demo_org, data):
    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)
    export_ = reports.create_export(scope, by=demo_org.by_username["jingban"], rows_total=4)
    assert status(client, demo_org.by_username["jingban"], export_) == 404


# --- the half-year aggregation (CQ 二) ---------------------------------------------------------

def test_half_year_aggregation_per_system_for_the_lead(client, demo_org, data):
    officer = UserFactory(department=demo_org.departments["小店区水利局"], role=Role.OFFICER)
    record_round(ScreeningRound(department=officer.department, year=2026, quarter=4,
                                screened_on=date(2026, 10, 9), scope="例行"),
                 by=officer, channels=SourceChannel.objects.filter(code="supervision"))
    register_clue(Clue(department=officer.department, jurisdiction=officer.department.jurisdiction,
                       channel=SourceChannel.objects.get(code="supervision"),
                       found_on=date(2026, 10, 2), registered_on=date(2026, 10, 3),
                       summary="河道非法采砂", damage_type=Clue.DamageType.ECOLOGY,
                       estimated_amount=Decimal("9000")), by=officer)
    client.force_login(demo_org.by_username["qiantou"])
    response = client.get(HALF_YEAR, {"year": "2026", "half": "2"})
    assert response.status_code == 200
    agg = response.context["aggregation"]
    kinds = {r.label: r for r in agg.by_kind}
    ecology, water = kinds["生态环境"], kinds["水利"]
    assert (ecology.departments, ecology.screened_departments, ecology.rounds) == (3, 1, 1)
    assert ecology.clues == 6  # Q3 four + Q4 one in the city, one in 小店区
    assert ecology.outcomes == {"open": 3, "case_opened": 1, "not_started": 1, "referred": 1,
                                "excluded": 0}
    assert (water.rounds, water.clues, water.amount) == (1, 2, Decimal("9100.00"))
    assert agg.total.clues == 8
    by_place = {r.label: r.clues for r in agg.by_jurisdiction}
    # a district that screened nothing is listed with zeros
    assert by_place == {"太原市人民政府": 6, "小店区人民政府": 2, "迎泽区人民政府": 0}
    page = response.content.decode()
    assert "2026年下半年" in page and "按系统（部门类别）" in page

    xlsx = client.get(HALF_YEAR, {"year": "2026", "half": "2", "format": "xlsx"})
    book = load_workbook(BytesIO(xlsx.content))
    ws = book["按系统"]
    assert ws["A1"].value == "太原市人民政府2026年下半年线索筛查情况汇总（按系统）"
    assert [c.value for c in ws[2]][:5] == ["系统（部门类别）", "部门数", "开展筛查的部门数",
                                           "筛查批次", "线索数"]
    assert ws.freeze_panes == "A3"
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["合计"][4] == 8
    assert ws.cell(row=3, column=11).number_format == AMOUNT_FORMAT


def test_half_year_is_for_the_lead_coordinator_only(client, demo_org):
    for username, code in (("jingban", 403), ("xiaodian", 403), ("shuiwu", 403),
                           ("jiancha", 403)):
        client.force_login(demo_org.by_username[username])
        assert client.get(HALF_YEAR).status_code == code, username
    # a coordinator of a department that is not the lead
    coordinator = UserFactory(department=demo_org.departments["市水务局"], role=Role.COORDINATOR)
    client.force_login(coordinator)
    assert client.get(HALF_YEAR).status_code == 403


def test_the_pages_render_in_chinese(client, demo_org, built):
    built("jingban")
    client.force_login(demo_org.by_username["jingban"])
    page = client.get(QUARTERLY).content.decode()
    assert "季度线索筛查清单" in page and "我最近的导出" in page
    assert "线索筛查清单_太原市生态环境局_2026年第三季度.xlsx" in page
    assert 'name="department"' not in page  # own department only
    assert "半年筛查汇总" not in page
    client.force_login(demo_org.by_username["qiantou"])
    page = client.get(QUARTERLY).content.decode()
    assert "本行政区及下级全部部门" in page and "半年筛查汇总" in page
    page = client.get(HALF_YEAR).content.decode()  # the current half-year by default
    assert "2026年下半年" in page


def test_the_clue_list_offers_the_screening_pages(client, demo_org):
    client.force_login(demo_org.by_username["jingban"])
    page = client.get(reverse("screening:clue_list")).content.decode()
    for url in (reverse("screening:round_list"), QUARTERLY, reverse("screening:import_upload")):
        assert f'href="{url}"' in page
    client.force_login(demo_org.by_username["chuzhang"])
    page = client.get(reverse("screening:clue_list")).content.decode()
    assert f'href="{QUARTERLY}"' in page
    assert f'href="{reverse("screening:import_upload")}"' not in page
    client.force_login(demo_org.by_username["jiancha"])
    page = client.get(reverse("screening:clue_list")).content.decode()
    assert f'href="{QUARTERLY}"' not in page and "筛查批次" not in page


def test_with_the_broker_down_the_export_waits_queued_and_the_sweep_sends_it(
        client, demo_org, data, settings, dead_broker, django_capture_on_commit_callbacks):
    """Issue 14.3: a send lost at commit leaves the export 排队中; the sweep queues it again."""
    from workflow.jobs import sweep

    settings.ECOCLAIM_REPORT_DIRECT_MAX_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, demo_org.by_username["jingban"])  # the send fails here
    export_ = ReportExport.objects.get()
    assert response.status_code == 302 and response.url == export_.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "排队中：已写入0 / 4条" in page

    dead_broker.conf.task_always_eager = True  # the broker is back (the task runs here)
    assert sweep()["exports"] == 0  # just requested: its send may still be on its way
    later = datetime(2026, 11, 24, 10, 6, tzinfo=ZoneInfo("Asia/Shanghai"))  # > 300 s
    with time_machine.travel(later, tick=False):
        assert sweep()["exports"] == 1
        assert sweep()["exports"] == 0  # built: nothing left to send
    export_.refresh_from_db()
    assert (export_.status, export_.rows_done) == (ReportExport.Status.DONE, 4)
    assert "下载 Excel" in client.get(response.url).content.decode()


def test_the_sweep_sends_a_stale_running_export_which_is_taken_over(demo_org, data, settings,
                                                                      eager_celery):
    """A pool process killed mid-export (生成中 23% for good): the sweep queues it again once
    stale and the redelivered task takes it over (the claim accepts a stale RUNNING)."""
    from workflow.jobs import sweep

    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)
    export_ = reports.create_export(scope, by=demo_org.by_username["jingban"], rows_total=4)
    ReportExport.objects.filter(pk=export_.pk).update(
        status=ReportExport.Status.RUNNING, rows_done=1, attempts=1,
        started_at=datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        heartbeat_at=datetime(2026, 11, 24, 9, 50, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert sweep()["exports"] == 0  # a heartbeat ten minutes ago: still running somewhere
    ReportExport.objects.filter(pk=export_.pk).update(
        heartbeat_at=datetime(2026, 11, 24, 8, 59, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert sweep()["exports"] == 1
    export_.refresh_from_db()
    assert (export_.status, export_.rows_done) == (ReportExport.Status.DONE, 4)


def test_an_export_whose_worker_keeps_dying_is_failed_in_chinese(client, demo_org, data,
                                                                 settings, eager_celery,
                                                                 monkeypatch):
    """Each run taken over counts; a run silent on its last allowed one
    (ECOCLAIM_JOB_MAX_ATTEMPTS) fails with the reason on its page (not 生成中 for good)."""
    from workflow.jobs import sweep

    settings.ECOCLAIM_JOB_MAX_ATTEMPTS = 2
    scope = ReportScope(demo_org.departments["市生态环境局"], 2026, 3)
    export_ = reports.create_export(scope, by=demo_org.by_username["jingban"], rows_total=4)
    lost = datetime(2026, 11, 24, 8, 59, tzinfo=ZoneInfo("Asia/Shanghai"))  # > stale
    ReportExport.objects.filter(pk=export_.pk).update(status=ReportExport.Status.RUNNING,
                                                      attempts=1, started_at=lost,
                                                      heartbeat_at=lost)
    # its worker dies again, right after claiming the run
    monkeypatch.setattr(reports, "build_export", lambda pk: reports.claim_export(pk))
    assert sweep()["exports"] == 1
    export_.refresh_from_db()
    assert export_.attempts == 2 and export_.status == ReportExport.Status.RUNNING
    assert sweep()["exports"] == 0  # the second run's heartbeat is fresh
    ReportExport.objects.filter(pk=export_.pk).update(heartbeat_at=lost)
    assert sweep() == {"exports": 0, "imports": 0, "emails": 0, "failed": 1}
    export_.refresh_from_db()
    assert export_.status == ReportExport.Status.FAILED and export_.finished_at
    client.force_login(demo_org.by_username["jingban"])
    page = client.get(export_.get_absolute_url()).content.decode()
    assert "报表生成已中断2次，系统已停止重试" in page and "hx-trigger" not in page


def test_an_old_export_file_is_deleted_and_its_page_reads_expired(client, demo_org, built,
                                                                  settings):
    """Retention: ECOCLAIM_EXPORT_RETENTION_DAYS after it was built, the file goes."""
    from workflow.jobs import expire_files

    built = built("jingban")
    storage, name = built.file.storage, built.file.name
    assert storage.exists(name)
    client.force_login(demo_org.by_username["jingban"])
    download = reverse("screening:report_export_download", args=[built.pk])
    with time_machine.travel(built.finished_at + timedelta(days=29), tick=False):
        assert expire_files()["exports"] == 0
    with time_machine.travel(built.finished_at + timedelta(
            days=settings.ECOCLAIM_EXPORT_RETENTION_DAYS, seconds=1), tick=False):
        assert expire_files()["exports"] == 1
        assert expire_files()["exports"] == 0
    assert not storage.exists(name)
    page = client.get(built.get_absolute_url()).content.decode()
    assert "文件已过期" in page and download not in page
    assert client.get(download).status_code == 404
