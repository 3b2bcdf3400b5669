"""检索 (issue 15): what is found, always through the search page itself, and only within the
scoping rule (accounts/scoping.py): another department's case, clue and party never appear."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from search.services import search
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("search:search")


def hits(client, q):
    """{group key: [hit titles]} of the search page for `q`."""
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return {g.key: [h.title for h in g.hits] for g in response.context["results"].groups}


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL, {"q": "晋阳"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_nav_has_the_search_box_on_every_page(client, world):
    login(client, world.officer)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-search"' in page and f'action="{URL}"' in page


def test_part_of_a_party_name_finds_the_party_and_every_record_naming_it(client, world):
    login(client, world.officer)
    found = hits(client, "晋阳化工")
    assert found["parties"] == ["太原晋阳化工有限公司"]
    assert world.case.number in found["cases"]
    assert world.clue.number in found["clues"]


def test_another_departments_records_and_parties_are_never_found(client, world):
    """Same kind, same city, side by side: no system, so nothing of theirs (DOMAIN §1)."""
    login(client, world.officer)
    for q in ("晋阳化工", "清徐", world.other_case.number, world.other_clue.number,
              world.other_party.credit_code, "偷排"):
        found = hits(client, q)
        assert world.other_case.number not in found["cases"], q
        assert world.other_clue.number not in found["clues"], q
        assert world.other_party.name not in found["parties"], q
    # and they find their own, not ours
    login(client, world.other_officer)
    found = hits(client, "晋阳化工")
    assert found["parties"] == ["清徐晋阳化工有限公司"]
    assert found["cases"] == [world.other_case.number]
    assert found["clues"] == [world.other_clue.number]


def test_a_user_without_department_finds_nothing(client, world):
    nobody = UserFactory(department=None, role=Role.OFFICER)
    login(client, nobody)
    assert all(not titles for titles in hits(client, "晋阳化工").values())


def test_the_lead_department_finds_across_its_jurisdiction(client, world):
    from tests.factories import DepartmentFactory

    lead = DepartmentFactory(jurisdiction=world.case.jurisdiction, is_lead=True)
    coordinator = UserFactory(department=lead, role=Role.COORDINATOR)
    login(client, coordinator)
    found = hits(client, "晋阳化工")
    assert set(found["cases"]) == {world.case.number, world.other_case.number}
    assert set(found["parties"]) == {"太原晋阳化工有限公司", "清徐晋阳化工有限公司"}


@pytest.mark.parametrize("q", ["140100-2026-SP0007", "SP0007", "sp0007", "2026-SP00", "0007"])
def test_any_part_of_a_case_number(client, world, q):
    login(client, world.officer)
    assert world.case.number in hits(client, q)["cases"]


def test_any_part_of_a_clue_number(client, world):
    login(client, world.officer)
    tail = world.clue.number.split("-")[-1]  # XS00001
    assert world.clue.number in hits(client, tail.lower())["clues"]
    assert world.clue.number in hits(client, world.clue.number)["clues"]


def test_words_of_cause_and_summary(client, world):
    login(client, world.officer)
    assert hits(client, "汾河")["cases"] == [world.case.number]  # cause and summary
    assert hits(client, "渗滤液")["cases"] == [world.case.number]  # summary only
    assert hits(client, "雨水排口")["clues"] == [world.clue.number]  # clue summary


def test_credit_code_exact_with_spaces_and_lower_case(client, world):
    login(client, world.officer)
    code = world.party.credit_code
    found = hits(client, f" {code[:9].lower()} {code[9:]} ")
    assert found["parties"] == ["太原晋阳化工有限公司"]
    assert found["cases"] == [world.case.number]


def test_id_number_is_matched_exactly_and_shown_masked(client, world):
    login(client, world.officer)
    number = world.person.id_number
    response = client.get(URL, {"q": number})
    page = response.content.decode()
    found = {g.key: g.hits for g in response.context["results"].groups}
    assert [h.title for h in found["parties"]] == ["张某某"]
    assert [h.title for h in found["cases"]] == [world.case.number]
    assert "张某某" in page and f"身份证号码 {world.person.masked_code}" in page
    # the heading and the title repeat the query masked; only the two search boxes keep it
    assert f"“{world.person.masked_code}”" in page
    assert page.count(number) == page.count(f'value="{number}"') == 2


def test_part_of_an_id_number_finds_nothing(client, world):
    login(client, world.officer)
    found = hits(client, world.person.id_number[:14])
    assert found["parties"] == [] and found["cases"] == []


def test_stage_and_next_deadline_are_shown(client, world):
    from datetime import date

    from workflow.deadlines import open_deadline
    from workflow.models import DeadlineKind

    open_deadline(world.case, DeadlineKind.INVESTIGATION, profile=world.case.rule_profile,
                  start_date=date(2026, 9, 10), start_event="立案", days=90,
                  department=world.case.department, responsible=world.officer)
    login(client, world.officer)
    response = client.get(URL, {"q": "SP0007"})
    (hit,) = next(g for g in response.context["results"].groups if g.key == "cases").hits
    assert hit.stage == world.case.get_stage_display()
    assert hit.next_due is not None
    page = response.content.decode()
    assert "下一期限" in page and hit.next_due.due.strftime("%Y年") in page


def test_results_are_links_in_lists(client, world):
    login(client, world.officer)
    page = client.get(URL, {"q": "晋阳化工"}).content.decode()
    assert f'href="{world.case.get_absolute_url()}" data-search-hit' in page
    assert 'src="/static/search/keys.js"' in page  # a static file: the CSP allows no inline


def test_service_needs_the_view_permissions(world):
    """A user whose role cannot view cases gets no case hits even in scope."""
    no_role = UserFactory(department=world.officer.department)
    results = search(no_role, "晋阳化工")
    assert all(not g.hits for g in results.groups)


def test_empty_query_shows_the_form_only(client, world):
    login(client, world.officer)
    response = client.get(URL)
    assert response.status_code == 200 and response.context["results"].groups == []


def test_trigram_indexes_exist_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm indexes are PostgreSQL-only; SQLite answers by scanning")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE "
                       "'search_%%_trgm'")
        found = dict(cursor.fetchall())
    assert len(found) == 7
    assert all("gin_trgm_ops" in d for d in found.values())


def test_a_short_query_reads_only_the_newest_records(client, world, monkeypatch):
    """Fewer than 3 characters: no trigram, so words are looked for among the newest
    SHORT_QUERY_WINDOW records in scope (docs/search.md); a party's name is not limited."""
    from datetime import date

    from search import services
    from tests.cases.factories import CaseFactory

    CaseFactory(department=world.case.department, created_by=world.officer,
                number="140100-2026-SP0100", cause="新近案件", opened_on=date(2026, 10, 1))
    monkeypatch.setattr(services, "SHORT_QUERY_WINDOW", 1)
    login(client, world.officer)
    response = client.get(URL, {"q": "汾河"})
    assert "search-short" in response.content.decode()
    found = {g.key: [h.title for h in g.hits] for g in response.context["results"].groups}
    assert found["cases"] == []  # 汾河 is in the older case only
    assert world.case.number in hits(client, "晋阳")["cases"]  # through the party's name
    assert hits(client, "汾河支")["cases"] == [world.case.number]  # 3 characters: all


def test_a_complete_code_is_not_looked_for_in_texts(world):
    from search.services import search

    results = search(world.officer, world.party.credit_code)
    found = {g.key: [h.title for h in g.hits] for g in results.groups}
    assert found["cases"] == [world.case.number] and found["parties"] == ["太原晋阳化工有限公司"]


def test_documents_are_found_within_the_scope_only(client, world):
    from documents.models import GeneratedDocument

    for case, by in ((world.case, world.officer), (world.other_case, world.other_officer)):
        GeneratedDocument.objects.create(case=case, form_code="1", title="索赔启动登记表",
                                         version=1, generated_by=by, sha256="0" * 64)
    login(client, world.officer)
    found = hits(client, "索赔启动")
    assert found["documents"] == ["[1]索赔启动登记表 第1版"]
    response = client.get(URL, {"q": world.other_case.number})
    docs = next(g for g in response.context["results"].groups if g.key == "documents")
    assert docs.hits == []
    assert hits(client, "SP0007")["documents"] == ["[1]索赔启动登记表 第1版"]


def test_queries_do_not_grow_with_the_hits(client, world):
    """One query per part of each kind, whatever the number of hits (each kind's rows come
    with select_related; next deadlines in one query per kind)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import CaseObligor
    from tests.cases.factories import CaseFactory

    login(client, world.officer)
    client.get(URL, {"q": "晋阳化工"})  # each table's highest id is read once a minute
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"q": "晋阳化工"})
    for _ in range(25):
        case = CaseFactory(department=world.case.department, created_by=world.officer)
        CaseObligor.objects.create(case=case, party=world.party)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"q": "晋阳化工"})
    cases = next(g for g in response.context["results"].groups if g.key == "cases")
    assert len(cases.hits) == 20 and cases.more
    assert len(many.captured_queries) == len(few.captured_queries)
