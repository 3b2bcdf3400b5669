import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from accounts.roles import Role
from api.models import Operation
from api.services import register_client
from tests.factories import DepartmentFactory
from tests.parties.factories import make_credit_code, make_id_number

ALL_OPERATIONS = [op.value for op in Operation]
CODE = make_credit_code("00061234")
ID_NUMBER = make_id_number()


@pytest.fixture(autouse=True)
def today():
    # 2026-11-24 in Beijing: every date below is before it
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


@pytest.fixture(autouse=True)
def fresh_rate_window():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dept(db):
    return DepartmentFactory(name="测试市生态环境局")


def make_client(department, *, role=Role.OFFICER, operations=ALL_OPERATIONS, name=None):
    client, token = register_client(name=name or f"{department.name}执法平台",
                                    department=department, role=role, operations=operations)
    return client, token


@pytest.fixture
def registered(dept):
    return make_client(dept)


class Caller:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def _headers(self, headers):
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        out.update(headers or {})
        return out

    def get(self, url, headers=None, **params):
        return self.client.get(url, params, headers=self._headers(headers))

    def post(self, url, body, headers=None):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(url, data, content_type="application/json",
                                headers=self._headers(headers))


@pytest.fixture
def api(client, registered):
    return Caller(client, registered[1])


def clue_payload(**overrides) -> dict:
    payload = {
        "channel": "penalty_case",
        "source_reference": "测环罚〔2026〕15号",
        "source_organisation": "测试市生态环境综合行政执法支队",
        "found_on": "2026-11-02",
        "place_detail": "某河段入河排污口下游500米",
        "summary": "行政处罚案件中发现某企业超标排放废水，下游河段鱼类死亡。",
        "damage_type": "water",
        "estimated_amount": "180000.00",
        "parties": [{"kind": "organisation", "name": "测试化工有限公司", "credit_code": CODE}],
    }
    payload.update(overrides)
    return payload
