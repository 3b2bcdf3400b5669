"""Screening rounds (CQ 二; SX 第八条 每季度不少于1次): recording a round with its Chinese form
errors, numbering several rounds in one quarter, the list's scope (own department; the lead
department its jurisdiction and below), and the home-page warning in a cycle's last month,
whose cycle and minimum come from the rule profile's screening.frequency."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from rules.models import RuleSet
from rules.services import new_version, profile_in_force
from screening.models import ScreeningRound, SourceChannel
from screening.rounds import record_round, round_missing
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATE = reverse("screening:round_create")
LIST = reverse("screening:round_list")
HOME = reverse("home")
WARNING = "本季度尚未开展线索筛查"


def at(y, m, d):
    return time_machine.travel(datetime(y, m, d, 10, tzinfo=SHANGHAI), tick=False)


def field_error(response, field) -> str | None:
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else None


def channel_ids(*codes):
    return [SourceChannel.objects.get(code=c).pk for c in codes]


def form_data(**overrides):
    data = {"year": "2026", "quarter": "4", "screened_on": "2026-11-20",
            "scope": "本局2026年10月至11月行政处罚案卷及信访件",
            "channels": channel_ids("penalty_case", "complaint"), "clue_numbers": "", "note": ""}
    data.update(overrides)
    return data


def make_round(department, year=2026, quarter=4, screened_on=date(2026, 11, 20), by=None):
    by = by or UserFactory(department=department, role=Role.OFFICER)
    return record_round(ScreeningRound(department=department, year=year, quarter=quarter,
                                       screened_on=screened_on, scope="例行筛查"),
                        by=by, channels=SourceChannel.objects.filter(code="penalty_case"))


@pytest.fixture
def officer(demo_org, client):
    user = demo_org.by_username["jingban"]
    client.force_login(user)
    return user


# --- recording a round --------------------------------------------------------------------

@at(2026, 11, 24)
def test_officer_records_a_round_with_channels_and_clues(client, officer):
    clue = ClueFactory(department=officer.department, registered_by=officer,
                       registered_on=date(2026, 11, 2), found_on=date(2026, 11, 1))
    response = client.post(CREATE, form_data(clue_numbers=f"{clue.number}\n"))
    screening_round = ScreeningRound.objects.get()
    assert response.status_code == 302 and response.url == screening_round.get_absolute_url()
    assert (screening_round.department, screening_round.year, screening_round.quarter,
            screening_round.sequence) == (officer.department, 2026, 4, 1)
    assert set(screening_round.channels.values_list("code", flat=True)) == {
        "penalty_case", "complaint"}
    assert list(screening_round.clues.all()) == [clue]
    assert screening_round.created_by == officer
    assert AuditEvent.objects.filter(object_id=str(screening_round.pk),
                                     action="create").exists()
    page = client.get(screening_round.get_absolute_url()).content.decode()
    assert "2026年第四季度（本季度第1次）" in page and clue.number in page


@at(2026, 11, 24)
def test_several_rounds_in_one_quarter_are_numbered(client, officer):
    for _ in range(2):
        assert client.post(CREATE, form_data()).status_code == 302
    client.post(CREATE, form_data(quarter="3", screened_on="2026-09-10"))
    rows = ScreeningRound.objects.order_by("id").values_list("quarter", "sequence")
    assert list(rows) == [(4, 1), (4, 2), (3, 1)]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"screened_on": "2026-09-30"}, "screened_on",
     "筛查日期应在2026年第四季度（2026年10月1日至2026年12月31日）之内。"),
    ({"screened_on": "2026-11-25"}, "screened_on", "筛查日期不能晚于今天。"),
    ({"year": "2027", "quarter": "1", "screened_on": "2027-01-05"}, "quarter",
     "2027年第一季度尚未开始。"),
    ({"screened_on": ""}, "screened_on", "请填写筛查日期。"),
    ({"screened_on": "2026-13-01"}, "screened_on", "请按“年-月-日”填写日期。"),
    ({"scope": ""}, "scope", "请填写筛查范围。"),
    ({"channels": []}, "channels", "请至少选择一个筛查渠道。"),
    ({"clue_numbers": "140100-2026-XS99999"}, "clue_numbers",
     "本部门没有编号为“140100-2026-XS99999”的线索。"),
])
@at(2026, 11, 24)
def test_form_errors_are_chinese_and_next_to_the_field(client, officer, overrides, field,
                                                       message):
    response = client.post(CREATE, form_data(**overrides))
    assert response.status_code == 200
    assert message in (field_error(response, field) or ""), response.content.decode()[:3000]
    assert not ScreeningRound.objects.exists()


@at(2026, 11, 24)
def test_another_departments_clue_cannot_be_listed(client, officer, demo_org):
    other = ClueFactory(department=demo_org.departments["市水务局"],
                        registered_on=date(2026, 11, 2), found_on=date(2026, 11, 1))
    response = client.post(CREATE, form_data(clue_numbers=other.number))
    assert f"本部门没有编号为“{other.number}”的线索。" in field_error(response, "clue_numbers")


def test_only_officers_record_rounds(client, demo_org):
    for username, status in (("chuzhang", 403), ("jiancha", 403), ("caizheng", 403)):
        client.force_login(demo_org.by_username[username])
        assert client.get(CREATE).status_code == status, username


# --- who sees which rounds ------------------------------------------------------------------

@pytest.fixture
def rounds(demo_org):
    d = demo_org.departments
    return {short: make_round(d[short]) for short in
            ("市生态环境局", "市水务局", "小店区生态环境分局", "小店区水利局", "迎泽区生态环境分局")}


def listed(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    return {r.department.short_name for r in response.context["page"]}


@at(2026, 11, 24)
def test_the_lead_department_sees_every_round_of_its_jurisdiction_and_below(
        client, demo_org, rounds):
    assert listed(client, demo_org.by_username["qiantou"]) == set(rounds)
    assert listed(client, demo_org.by_username["jingban"]) == set(rounds)


@at(2026, 11, 24)
def test_a_department_sees_its_own_rounds(client, demo_org, rounds):
    water = UserFactory(department=demo_org.departments["小店区水利局"], role=Role.OFFICER)
    assert listed(client, water) == {"小店区水利局"}
    # the district's lead department: its district, not the city nor the other district
    assert listed(client, demo_org.by_username["xiaodian"]) == {"小店区生态环境分局", "小店区水利局"}
    # a city department also sees its own system below it (accounts/scoping.py)
    assert listed(client, demo_org.by_username["shuiwu"]) == {"市水务局", "小店区水利局"}


@at(2026, 11, 24)
def test_outside_the_scope_a_round_does_not_exist(client, demo_org, rounds):
    client.force_login(demo_org.by_username["xiaodian"])
    assert client.get(rounds["迎泽区生态环境分局"].get_absolute_url()).status_code == 404
    assert client.get(rounds["小店区生态环境分局"].get_absolute_url()).status_code == 200
    client.force_login(demo_org.by_username["jiancha"])
    assert client.get(LIST).status_code == 403


@at(2026, 11, 24)
def test_the_lead_filters_by_department(client, demo_org, rounds):
    client.force_login(demo_org.by_username["qiantou"])
    department = demo_org.departments["小店区水利局"]
    response = client.get(LIST, {"department": department.pk})
    assert [r.department for r in response.context["page"]] == [department]


# --- the home-page warning ---------------------------------------------------------------------

def home(client, user) -> str:
    client.force_login(user)
    return client.get(HOME).content.decode()


def test_warned_in_the_last_month_of_the_quarter_only(client, demo_org):
    officer = demo_org.by_username["xiaodian"]
    with at(2026, 11, 30):
        assert WARNING not in home(client, officer)
    with at(2026, 12, 1):
        page = home(client, officer)
        assert WARNING in page
        assert "每季度不少于1次（SX 第八条）" in page and "2026年12月31日" in page
    with at(2026, 3, 15):
        assert WARNING in home(client, officer)


def test_a_round_of_the_quarter_ends_the_warning_an_earlier_one_does_not(client, demo_org):
    officer = demo_org.by_username["xiaodian"]
    make_round(officer.department, quarter=3, screened_on=date(2026, 9, 20), by=officer)
    with at(2026, 12, 10):
        assert WARNING in home(client, officer)
        make_round(officer.department, screened_on=date(2026, 12, 9), by=officer)
        assert WARNING not in home(client, officer)
        # another department of the same jurisdiction is still warned
        assert WARNING in home(client, demo_org.by_username["qiantou"])


def test_no_warning_for_departments_outside_screening(client, demo_org):
    with at(2026, 12, 10):
        for username in ("jiancha", "caizheng"):
            assert WARNING not in home(client, demo_org.by_username[username])


def test_the_cycle_and_minimum_come_from_the_rule_profile(demo_org):
    department = demo_org.departments["小店区生态环境分局"]
    new_version(profile_in_force("SX", date(2026, 1, 1)),
                {"screening.frequency": {"period": "quarter", "min_rounds": 2}},
                by=None, effective_from=date(2026, 1, 1), note="测试：每季度不少于2次")
    make_round(department, screened_on=date(2026, 12, 2))
    with at(2026, 12, 10):
        duty = round_missing(department, date(2026, 12, 10))
        assert duty.sentence() == "本季度已开展1次线索筛查，少于规定的2次"
    make_round(department, screened_on=date(2026, 12, 3))
    assert round_missing(department, date(2026, 12, 10)) is None


def test_a_half_year_cycle_counts_every_round_of_the_half(demo_org):
    department = demo_org.departments["小店区生态环境分局"]
    new_version(profile_in_force("SX", date(2026, 1, 1)),
                {"screening.frequency": {"period": "half_year", "min_rounds": 1}},
                by=None, effective_from=date(2026, 1, 1), note="测试：每半年")
    assert round_missing(department, date(2026, 9, 15)) is None  # Q3 ends, the half does not
    assert round_missing(department, date(2026, 12, 15)).sentence() == "本半年尚未开展线索筛查"
    make_round(department, quarter=3, screened_on=date(2026, 8, 1))
    assert round_missing(department, date(2026, 12, 15)) is None


def test_no_cycle_no_warning(demo_org):
    # NT inherits NAT 二 定期: no period fixed, nothing to warn about
    department = DepartmentFactory(jurisdiction=JurisdictionFactory(
        rule_set=RuleSet.objects.get(code="NT")))
    assert round_missing(department, date(2026, 12, 15)) is None
    cq = DepartmentFactory(jurisdiction=JurisdictionFactory(
        rule_set=RuleSet.objects.get(code="CQ")))
    assert round_missing(cq, date(2026, 12, 15)).citation == "CQ 二"


def test_recording_the_round_meets_the_quarters_deadline(demo_org):
    from workflow.deadlines import open_deadline
    from workflow.models import Deadline, DeadlineKind

    department = demo_org.departments["小店区生态环境分局"]
    officer = demo_org.by_username["xiaodian"]
    with at(2026, 10, 1):
        q4 = open_deadline(department, DeadlineKind.SCREENING_ROUND,
                           profile=profile_in_force("SX", date(2026, 10, 1)),
                           start_date=date(2026, 10, 1), department=department)
    assert q4.due == date(2026, 12, 31) and q4.citation == "SX 第八条"
    make_round(department, quarter=3, screened_on=date(2026, 9, 28), by=officer)
    q4.refresh_from_db()
    assert q4.status == Deadline.Status.OPEN  # a round of another quarter
    with at(2026, 11, 24):
        make_round(department, screened_on=date(2026, 11, 20), by=officer)
    q4.refresh_from_db()
    assert q4.status == Deadline.Status.MET
    assert q4.changes.last().reason.startswith("已开展")
