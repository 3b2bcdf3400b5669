"""Who may correct a party's master data (parties/editing.py): a department whose own records
(a clue, a case) name the party, or an administrator. An officer of another city who opens the
edit page or posts to it gets 403 and the data stays as it was (the 磋商告知书 of this city
would print what they typed); the edit button is hidden; every allowed change is audited."""

import pytest
from django.urls import reverse

from accounts.models import Department
from accounts.roles import Role
from cases.models import CaseObligor
from parties.editing import may_edit_party
from parties.models import Party
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import OrganisationFactory, make_credit_code
from workflow.audit import history
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

CODE = make_credit_code("00077777")
ADDRESS = "太原市小店区某路1号"


@pytest.fixture
def party(demo_org):
    """Registered by the city's water department, named by a clue of the city's ecology
    department (市生态环境局)."""
    party = OrganisationFactory(name="晋阳化工有限公司", credit_code=CODE, address=ADDRESS,
                                created_by=demo_org.by_username["shuiwu"])
    clue = ClueFactory(department=demo_org.departments["市生态环境局"])
    clue.suspected_obligors.add(party)
    return party


@pytest.fixture
def outsider():
    """An officer of another city (its own lead ecology department)."""
    other_city = DepartmentFactory(name="外市生态环境局", kind=Department.Kind.ECOLOGY,
                                   is_lead=True,
                                   jurisdiction=JurisdictionFactory(name="外市人民政府"))
    return UserFactory(role=Role.OFFICER, department=other_city)


def edit_url(party):
    return reverse("parties:party_edit", args=[party.pk])


def post_data(party, **overrides):
    data = {"kind": "organisation", "name": party.name, "credit_code": party.credit_code,
            "legal_representative": party.legal_representative,
            "representative_title": party.representative_title, "id_number": "",
            "work_unit": "", "address": party.address, "phone": party.phone, "note": ""}
    data.update(overrides)
    return data


def test_an_officer_of_another_city_may_not_change_the_party(client, party, outsider):
    client.force_login(outsider)
    events = AuditEvent.objects.count()
    page = client.get(party.get_absolute_url())
    assert page.status_code == 200  # the registry is readable …
    assert edit_url(party) not in page.content.decode()  # … but no edit button
    assert client.get(edit_url(party)).status_code == 403
    response = client.post(edit_url(party), post_data(party, address="外市某路99号"))
    assert response.status_code == 403
    fresh = Party.objects.get(pk=party.pk)
    assert (fresh.name, fresh.address, fresh.credit_code) == ("晋阳化工有限公司", ADDRESS, CODE)
    assert AuditEvent.objects.count() == events
    assert not may_edit_party(outsider, party)


def test_a_department_of_the_same_city_without_a_record_naming_it_may_not_either(
        client, demo_org, party):
    # 市水务局 registered the party, but now a record of 市生态环境局 names it, not one of its own
    client.force_login(demo_org.by_username["shuiwu"])
    assert client.get(edit_url(party)).status_code == 403
    assert client.post(edit_url(party), post_data(party, address="改址")).status_code == 403
    assert Party.objects.get(pk=party.pk).address == ADDRESS


def test_the_department_whose_clue_names_the_party_corrects_it_and_it_is_audited(
        client, demo_org, party):
    officer = demo_org.by_username["jingban"]
    client.force_login(officer)
    assert edit_url(party) in client.get(party.get_absolute_url()).content.decode()
    assert client.get(edit_url(party)).status_code == 200
    response = client.post(edit_url(party), post_data(party, address="太原市小店区新址8号"))
    assert response.status_code == 302
    assert Party.objects.get(pk=party.pk).address == "太原市小店区新址8号"
    event = history(party).first()
    assert event.action == AuditEvent.Action.UPDATE and event.actor == officer
    assert event.changes["address"] == {"label": "住所地", "old": ADDRESS,
                                        "new": "太原市小店区新址8号"}


def test_the_department_whose_case_names_the_party_may_correct_it(client, demo_org, outsider):
    party = OrganisationFactory(credit_code=CODE, created_by=demo_org.by_username["jingban"])
    case = CaseFactory(department=outsider.department)
    CaseObligor.objects.create(case=case, party=party)
    client.force_login(outsider)
    response = client.post(edit_url(party), post_data(party, phone="0351-7654321"))
    assert response.status_code == 302
    assert Party.objects.get(pk=party.pk).phone == "0351-7654321"
    # and the city that registered it, with no record naming it, no longer may
    assert not may_edit_party(demo_org.by_username["jingban"], party)


def test_a_joint_department_of_the_clue_may_correct_it(demo_org, party):
    assert not may_edit_party(demo_org.by_username["shuiwu"], party)
    clue = ClueFactory(department=demo_org.departments["市生态环境局"],
                       participants=[demo_org.departments["市水务局"]])
    clue.suspected_obligors.add(party)
    assert may_edit_party(demo_org.by_username["shuiwu"], party)


@pytest.mark.parametrize("who", ["role", "superuser"])
def test_an_administrator_may_correct_any_party(client, party, outsider, who):
    if who == "role":
        admin = UserFactory(role=Role.ADMIN, department=outsider.department)
    else:
        admin = UserFactory(department=None, is_superuser=True)
    client.force_login(admin)
    assert edit_url(party) in client.get(party.get_absolute_url()).content.decode()
    response = client.post(edit_url(party), post_data(party, address="管理员更正地址"))
    assert response.status_code == 302
    assert Party.objects.get(pk=party.pk).address == "管理员更正地址"
    assert history(party).first().actor == admin


def test_a_party_no_record_names_yet_is_corrected_by_the_department_that_registered_it(
        client, demo_org):
    party = OrganisationFactory(credit_code=CODE, created_by=demo_org.by_username["shuiwu"])
    assert may_edit_party(demo_org.by_username["shuiwu"], party)
    assert not may_edit_party(demo_org.by_username["jingban"], party)
    client.force_login(demo_org.by_username["jingban"])
    assert client.get(edit_url(party)).status_code == 403
