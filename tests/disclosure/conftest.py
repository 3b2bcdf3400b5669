import datetime

import pytest
import time_machine
from django.core.cache import cache

from cases.models import CaseObligor
from tests.cases.factories import CaseFactory
from tests.negotiation.factories import desk
from tests.parties.factories import OrganisationFactory, PersonFactory, make_id_number

PERSON_NAME = "张三丰"
PERSON_ID = make_id_number(region="140105", born="19750315", seq="217")
PERSON_ADDRESS = "太原市迎泽区桥东街道柳巷南路18号3单元502室"
PERSON_PHONE = "13934561234"
REPRESENTATIVE = "欧阳明远"
COMPANY = "山西晋禾化工有限公司"

AGREEMENT_TEXT = (
    f"生态环境损害赔偿协议\n"
    f"赔偿权利人：太原市生态环境局\n"
    f"赔偿义务人一：{COMPANY}，法定代表人{REPRESENTATIVE}。\n"
    f"赔偿义务人二：{PERSON_NAME}，男，公民身份号码{PERSON_ID}，住{PERSON_ADDRESS}，"
    f"联系电话{PERSON_PHONE}。\n"
    "委托代理人：李文博，联系电话0351-4128765。\n"
    "赔偿资金缴入指定账户，收款账号：6222 0212 3456 7890 123。\n"
    "义务人应于协议生效后三十日内完成河段底泥清淤。"
)


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    # the public pages are cached (disclosure/public.py); the database is rolled back after
    # each test, so must the cache be
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def d(db):
    return desk("SX")


@pytest.fixture
def other(db):
    """A department of the same kind elsewhere: it neither sees nor works the case."""
    return desk("SX")


@pytest.fixture
def case(d):
    case = CaseFactory(department=d.department, created_by=d.officer, stage="negotiating")
    CaseObligor.objects.create(case=case, party=OrganisationFactory(
        name=COMPANY, legal_representative=REPRESENTATIVE))
    CaseObligor.objects.create(
        case=case, role=CaseObligor.Role.JOINT,
        party=PersonFactory(name=PERSON_NAME, id_number=PERSON_ID, address=PERSON_ADDRESS,
                            phone=PERSON_PHONE))
    return case


def as_user(client, user):
    client.force_login(user)
    return client
