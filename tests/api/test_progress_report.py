"""GET /api/v1/reports/progress (SX 第四十条): a jurisdiction's screening and case progress over a
period, for the provincial reporting system, and the same as a JSON file."""

import datetime
import json

import pytest

from accounts.models import Jurisdiction
from accounts.roles import Role
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory

from .conftest import Caller, make_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/progress"


@pytest.fixture
def lead(dept):
    return DepartmentFactory(jurisdiction=dept.jurisdiction, is_lead=True, kind="other",
                             name="测试市司法局")


@pytest.fixture
def caller(client, lead):
    _, token = make_client(lead, role=Role.COORDINATOR)
    return Caller(client, token)


def test_counts_by_state_channel_and_stage(caller, dept):
    district = JurisdictionFactory(parent=dept.jurisdiction, level=Jurisdiction.Level.COUNTY)
    below = DepartmentFactory(jurisdiction=district)
    ClueFactory(department=dept)
    ClueFactory(department=below)
    ClueFactory(department=dept, registered_on=datetime.date(2026, 1, 5),
                found_on=datetime.date(2026, 1, 2))  # before the period
    ClueFactory(department=DepartmentFactory())  # another city
    CaseFactory(department=dept)
    response = caller.get(URL, jurisdiction=dept.jurisdiction.code, start="2026-07-01",
                          end="2026-12-31")
    assert response.status_code == 200
    body = response.json()
    assert body["schema_version"] == "1"
    assert body["jurisdiction"]["code"] == dept.jurisdiction.code
    assert body["screening"]["clues_registered"] == 2
    assert body["screening"]["by_state"] == [{"code": "registered", "label": "已登记", "count": 2}]
    assert body["screening"]["by_channel"][0]["count"] == 2
    assert body["cases"]["cases_opened"] == 1
    assert body["cases"]["by_stage"] == [{"code": "draft", "label": "索赔启动登记", "count": 1}]


def test_the_same_report_as_a_file(caller, dept):
    ClueFactory(department=dept)
    params = {"jurisdiction": dept.jurisdiction.code, "start": "2026-07-01", "end": "2026-12-31"}
    response = caller.get(URL + "/download", **params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="progress-{dept.jurisdiction.code}-2026-07-01-2026-12-31.json"')
    data = json.loads(response.content)
    shown = caller.get(URL, **params).json()
    assert data["screening"] == shown["screening"] and data["cases"] == shown["cases"]


def test_a_jurisdiction_outside_the_clients_is_not_found(caller):
    other = JurisdictionFactory()
    response = caller.get(URL, jurisdiction=other.code, start="2026-01-01", end="2026-12-31")
    assert response.status_code == 404


def test_a_period_ending_before_it_starts_is_refused(caller, dept):
    response = caller.get(URL, jurisdiction=dept.jurisdiction.code, start="2026-12-31",
                          end="2026-01-01")
    assert response.status_code == 422
    assert response.json()["errors"] == {"end": ["结束日期不能早于开始日期。"]}


def test_an_officer_counts_only_the_records_it_may_see(client, dept):
    ClueFactory(department=dept)
    ClueFactory(department=DepartmentFactory(jurisdiction=dept.jurisdiction, kind="water"))
    _, token = make_client(dept)
    body = Caller(client, token).get(URL, jurisdiction=dept.jurisdiction.code,
                                     start="2026-01-01", end="2026-12-31").json()
    assert body["screening"]["clues_registered"] == 1
