"""Two departments of one kind side by side (they do not see each other's records, DOMAIN §1),
each with a case and a clue naming its own obligor; a natural person named by a case of ours."""

from dataclasses import dataclass

import pytest

from accounts.roles import Role
from cases.models import Case, CaseObligor
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import OrganisationFactory, PersonFactory, make_credit_code


@dataclass
class World:
    officer: object
    other_officer: object
    case: Case
    clue: object
    party: object
    person: object
    other_case: Case
    other_clue: object
    other_party: object


@pytest.fixture
def world(db):
    city = JurisdictionFactory(code="140100", name="太原市")
    ours = DepartmentFactory(name="太原市生态环境局", jurisdiction=city)
    theirs = DepartmentFactory(name="太原市水务局", jurisdiction=city)
    officer = UserFactory(department=ours, role=Role.OFFICER)
    other_officer = UserFactory(department=theirs, role=Role.OFFICER)
    party = OrganisationFactory(name="太原晋阳化工有限公司",
                                credit_code=make_credit_code("12345678"),
                                created_by=officer)
    person = PersonFactory(name="张某某", created_by=officer)
    other_party = OrganisationFactory(name="清徐晋阳化工有限公司", created_by=other_officer)

    clue = ClueFactory(department=ours, registered_by=officer,
                       summary="晋阳化工厂区雨水排口排放含铬废水。")
    clue.suspected_obligors.set([party])
    case = CaseFactory(number="140100-2026-SP0007", department=ours, created_by=officer,
                       cause="太原晋阳化工有限公司含铬废水污染汾河案",
                       summary="铬渣堆场渗滤液进入汾河支流。")
    CaseObligor.objects.create(case=case, party=party)
    CaseObligor.objects.create(case=case, party=person)

    other_clue = ClueFactory(department=theirs, registered_by=other_officer,
                             summary="另一晋阳化工企业偷排废水。")
    other_clue.suspected_obligors.set([other_party])
    other_case = CaseFactory(number="140100-2026-SP0099", department=theirs,
                             created_by=other_officer,
                             cause="清徐晋阳化工有限公司偷排废水案", summary="偷排含铬废水。")
    CaseObligor.objects.create(case=other_case, party=other_party)
    return World(officer, other_officer, case, clue, party, person, other_case, other_clue,
                 other_party)


@pytest.fixture(autouse=True)
def fresh_newest_ids():
    """search.services caches each table's highest id for a minute per process; a test's
    records are newer than an earlier test's cache (the short-query window counts from it)."""
    from search import services

    services._newest.clear()
    yield
    services._newest.clear()
