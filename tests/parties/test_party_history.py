"""A party's history across stages is one query (issue 3, Obligors): the registered links
(each stage's records that name parties) are read in one UNION ALL, newest first, restricted
to what the user may see through each model's `visible_to`.

The stage apps link themselves (screening's Clue.suspected_obligors, later the case's
obligors), so these tests build two stand-in record models for the duration of a test: one
naming its party through a ForeignKey with a DateField, one through a ManyToManyField with a
DateTimeField, both scoped by the real rule of accounts/scoping.py. The test at the end runs
against screening.Clue once it has `suspected_obligors`."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, Jurisdiction
from accounts.scoping import ScopedQuerySet
from parties import history as party_links
from parties.history import (
    party_history,
    party_history_all,
    register_party_link,
    registered_links,
    unregister_party_link,
)
from parties.models import Party
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory
from tests.parties.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_registry():
    saved = dict(party_links._links)
    party_links._links.clear()
    yield
    party_links._links.clear()
    party_links._links.update(saved)


def _meta(**extra):
    return type("Meta", (), {"app_label": "parties", **extra})


@pytest.fixture
def probes(db, clean_registry):
    """Two throw-away record models with tables inside the test's transaction."""
    if connection.vendor != "postgresql":
        pytest.skip("creates tables inside the test transaction, which needs PostgreSQL")
    ProbeClue = type("HistoryProbeClue", (models.Model,), {
        "__module__": __name__,
        "number": models.CharField(max_length=40),
        "found_on": models.DateField(),
        "department": models.ForeignKey(Department, models.CASCADE, related_name="+"),
        "jurisdiction": models.ForeignKey(Jurisdiction, models.CASCADE, related_name="+"),
        "party": models.ForeignKey(Party, models.CASCADE, related_name="+"),
        "objects": ScopedQuerySet.as_manager(),
        "Meta": _meta(),
    })
    ProbeCase = type("HistoryProbeCase", (models.Model,), {
        "__module__": __name__,
        "number": models.CharField(max_length=40),
        "opened_at": models.DateTimeField(),
        "department": models.ForeignKey(Department, models.CASCADE, related_name="+"),
        "jurisdiction": models.ForeignKey(Jurisdiction, models.CASCADE, related_name="+"),
        "obligors": models.ManyToManyField(Party, related_name="+"),
        "objects": ScopedQuerySet.as_manager(),
        "Meta": _meta(),
    })
    Unscoped = type("HistoryProbeUnscoped", (models.Model,), {
        "__module__": __name__,
        "number": models.CharField(max_length=40),
        "on": models.DateField(),
        "party": models.ForeignKey(Party, models.CASCADE, related_name="+"),
        "Meta": _meta(),
    })
    try:
        with connection.schema_editor() as editor:
            editor.create_model(ProbeClue)
            editor.create_model(ProbeCase)
        yield ProbeClue, ProbeCase, Unscoped
    finally:
        # the tables go with the test's transaction; the classes leave the app registry
        for model in (ProbeCase.obligors.through, ProbeCase, ProbeClue, Unscoped):
            apps.all_models["parties"].pop(model._meta.model_name, None)
        apps.clear_cache()


@pytest.fixture
def linked(probes):
    ProbeClue, ProbeCase, _ = probes
    register_party_link(ProbeClue, "party", label="线索", date_field="found_on",
                        url_name="parties:party_detail")
    register_party_link(ProbeCase, "obligors", label="案件", date_field="opened_at",
                        url_name="parties:party_detail")
    return ProbeClue, ProbeCase


@pytest.fixture
def records(demo_org, linked):
    """A party named by a clue and a case of the lead department, a clue of 市水务局, a case of
    小店区生态环境分局, and a clue of another city; another party named by one clue."""
    ProbeClue, ProbeCase = linked
    d = demo_org.departments
    party = OrganisationFactory(name="晋阳化工有限公司", created_by=demo_org.by_username["jingban"])
    other = OrganisationFactory(name="别家公司", created_by=demo_org.by_username["jingban"])
    elsewhere = DepartmentFactory(jurisdiction=JurisdictionFactory(name="外市人民政府"))

    def clue(number, department, day, who=party):
        return ProbeClue.objects.create(number=number, found_on=day, department=department,
                                        jurisdiction=department.jurisdiction, party=who)

    def case(number, department, moment):
        record = ProbeCase.objects.create(number=number, opened_at=moment, department=department,
                                          jurisdiction=department.jurisdiction)
        record.obligors.add(party)
        return record

    tz = timezone.get_current_timezone()
    made = {
        "lead_clue": clue("XS-1", d["市生态环境局"], datetime.date(2025, 3, 1)),
        "water_clue": clue("XS-2", d["市水务局"], datetime.date(2025, 6, 1)),
        # 23:30 Beijing time on 2025-09-01 is 15:30 UTC: the history shows the local date
        "lead_case": case("AJ-1", d["市生态环境局"], datetime.datetime(2025, 9, 1, 23, 30,
                                                                   tzinfo=tz)),
        "district_case": case("AJ-2", d["小店区生态环境分局"],
                              datetime.datetime(2024, 1, 5, 9, 0, tzinfo=tz)),
        "far_clue": clue("XS-3", elsewhere, datetime.date(2025, 12, 1)),
        "other_party_clue": clue("XS-4", d["市生态环境局"], datetime.date(2025, 7, 1), who=other),
    }
    return party, made


def numbers(entries):
    return [e.number for e in entries]


def warm(user):
    """The user's department and jurisdiction, as the request already has them."""
    user.department.jurisdiction  # noqa: B018
    return user


def test_the_history_is_one_query_newest_first(demo_org, records, django_assert_num_queries):
    party, _ = records
    user = warm(demo_org.by_username["qiantou"])  # lead department: the whole city
    with django_assert_num_queries(1):
        entries = party_history(party, user)
    assert numbers(entries) == ["AJ-1", "XS-2", "XS-1", "AJ-2"]
    assert [e.label for e in entries] == ["案件", "线索", "线索", "案件"]
    assert entries[0].date == datetime.date(2025, 9, 1)  # local date of a DateTimeField
    assert entries[1].date == datetime.date(2025, 6, 1)


@pytest.mark.parametrize(("username", "expected"), [
    ("jingban", ["AJ-1", "XS-2", "XS-1", "AJ-2"]),  # lead department
    ("shuiwu", ["XS-2"]),  # 市水务局: its own only
    ("xiaodian", ["AJ-2"]),  # 小店区 lead: its district only
    ("jiancha", []),  # the procuratorate takes part in none of them
])
def test_the_history_shows_only_what_the_user_may_see(demo_org, records, username, expected):
    party, _ = records
    assert numbers(party_history(party, demo_org.by_username[username])) == expected


def test_a_user_without_department_sees_nothing(records):
    from tests.factories import UserFactory

    party, _ = records
    assert party_history(party, UserFactory(department=None)) == []


def test_the_unscoped_history_is_for_rule_checks(records):
    """The 'same obligor again within two years' exception (CQ 四; SX 第十一条) looks at every
    record, whoever asks."""
    party, _ = records
    assert numbers(party_history_all(party)) == ["XS-3", "AJ-1", "XS-2", "XS-1", "AJ-2"]
    since = datetime.date(2025, 6, 1)
    assert numbers(party_history_all(party, since=since)) == ["XS-3", "AJ-1", "XS-2"]
    assert numbers(party_history_all(party, since=since, until=datetime.date(2025, 9, 1))) == [
        "AJ-1", "XS-2"]
    with pytest.raises(ValueError):
        party_history(party, None)


def test_entries_link_to_their_records_and_limit(demo_org, records):
    party, made = records
    entries = party_history(party, demo_org.by_username["jingban"], limit=2)
    assert numbers(entries) == ["AJ-1", "XS-2"]
    assert entries[0].pk == made["lead_case"].pk
    assert entries[0].url == reverse("parties:party_detail", args=[made["lead_case"].pk])


def test_no_links_no_history(demo_org, clean_registry):
    party = OrganisationFactory(created_by=demo_org.by_username["jingban"])
    assert party_history(party, demo_org.by_username["jingban"]) == []


def test_the_detail_page_lists_what_the_user_may_see(client, demo_org, records):
    party, _ = records
    client.force_login(demo_org.by_username["shuiwu"])
    page = client.get(party.get_absolute_url()).content.decode()
    section = page[page.index("涉及的线索和案件"):page.index("登记与修改记录")]
    assert "XS-2" in section
    for hidden in ("XS-1", "AJ-1", "AJ-2", "XS-3", "XS-4"):
        assert hidden not in section
    client.force_login(demo_org.by_username["jiancha"])
    page = client.get(party.get_absolute_url()).content.decode()
    assert "没有您可查看的线索或案件。" in page


def test_registering_again_replaces_and_unregister_removes(linked):
    ProbeClue, _ = linked
    register_party_link(ProbeClue, "party", label="线索（复核）", date_field="found_on",
                        url_name="parties:party_detail")
    assert {link.label for link in registered_links()} == {"线索（复核）", "案件"}
    unregister_party_link(ProbeClue, "party")
    assert [link.label for link in registered_links()] == ["案件"]


def test_a_link_must_be_scoped_and_lead_to_a_party(probes):
    ProbeClue, _, Unscoped = probes
    with pytest.raises(ImproperlyConfigured, match="visible_to"):
        register_party_link(Unscoped, "party", label="x", date_field="on", url_name="x")
    with pytest.raises(ImproperlyConfigured, match="does not lead to parties.Party"):
        register_party_link(ProbeClue, "department", label="x", date_field="found_on",
                            url_name="x")
    with pytest.raises(ImproperlyConfigured):
        register_party_link(ProbeClue, "party", label="x", date_field="no_such_field",
                            url_name="x")


# --- screening.Clue, once the lead links clues to parties -------------------------------------


def test_clue_suspected_obligors_are_in_the_history(demo_org):
    from screening.models import Clue

    if not hasattr(Clue, "suspected_obligors"):
        pytest.skip("screening.Clue.suspected_obligors does not exist yet (the lead adds it)")
    if not any(link.model is Clue for link in registered_links()):
        pytest.fail("screening registers no party link for Clue.suspected_obligors "
                    "(screening/party_links.py: register_party_link(Clue, ...))")
    d = demo_org.departments
    party = OrganisationFactory(created_by=demo_org.by_username["jingban"])
    lead = ClueFactory(department=d["市生态环境局"])
    water = ClueFactory(department=d["市水务局"])
    ClueFactory(department=d["市生态环境局"])  # does not name the party
    lead.suspected_obligors.add(party)
    water.suspected_obligors.add(party)

    user = warm(demo_org.by_username["shuiwu"])
    assert [e.pk for e in party_history(party, user) if e.model is Clue] == [water.pk]
    seen = {e.pk for e in party_history(party, demo_org.by_username["jingban"])
            if e.model is Clue}
    assert seen == {lead.pk, water.pk}
    assert {e.pk for e in party_history_all(party) if e.model is Clue} == {lead.pk, water.pk}
