"""检索 at scale: each kind's first LIMIT hits on the search page, newest entered first, and its
full list (查看全部, then 下一页) through the same scoping rule; the text read in id slices
(search.services.WINDOWS) finds what one query would; records are found through the parties
of the 当事人 group's first page. LIMIT and the slices are made small here so that a few
records stand for millions."""

import re

import pytest
from django.urls import reverse

from cases.models import CaseObligor
from search import services
from tests.cases.factories import CaseFactory
from tests.conftest import login
from tests.factories import ClueFactory
from tests.parties.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

URL = reverse("search:search")


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def titles(response, key):
    return [h.title for g in response.context["results"].groups if g.key == key for h in g.hits]


def full_list(client, q, kind):
    """Every hit of one kind, following the page's own 查看全部 and 下一页 links."""
    html = page(client, q=q).content.decode()
    link = re.search(rf'href="(\?q=[^"]*&amp;kind={kind})"', html)
    assert link, f"no 查看全部 link for {kind}"
    seen, url = [], URL + link.group(1).replace("&amp;", "&")
    while url:
        response = client.get(url)
        seen += titles(response, kind)
        html = response.content.decode()
        nxt = re.search(r'href="(\?q=[^"]*&amp;before=\d+)" rel="next"', html)
        url = URL + nxt.group(1).replace("&amp;", "&") if nxt else None
    return seen


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(services, "LIMIT", 3)
    monkeypatch.setattr(services, "WINDOWS", (2, 3))


def test_each_kind_shows_its_newest_own_records_and_the_full_list_pages_through_the_rest(
        client, world, small):
    """Another department's newer records naming a party of the same name never take a place
    among an officer's first hits, nor appear on any page of the full list."""
    mine = [world.case]
    for _ in range(5):
        case = CaseFactory(department=world.case.department, created_by=world.officer,
                           cause="晋阳化工含铬废水案")
        CaseObligor.objects.create(case=case, party=world.party)
        mine.append(case)
    for _ in range(4):  # theirs, newer than all of ours
        case = CaseFactory(department=world.other_case.department,
                           created_by=world.other_officer, cause="晋阳化工偷排案")
        CaseObligor.objects.create(case=case, party=world.other_party)
    newest_first = [c.number for c in sorted(mine, key=lambda c: c.pk, reverse=True)]
    login(client, world.officer)
    response = page(client, q="晋阳化工")
    group = next(g for g in response.context["results"].groups if g.key == "cases")
    assert [h.title for h in group.hits] == newest_first[:3] and group.more
    html = response.content.decode()
    assert "3+" in html and "查看全部案件" in html
    total = sum(len(g.hits) for g in response.context["results"].groups)
    assert f"共{total}+项结果" in html  # never a count over millions
    assert full_list(client, "晋阳化工", "cases") == newest_first


def test_text_read_in_slices_finds_every_match_newest_first(client, world, small):
    """Matches spread over several slices (and a gap of slices without any) are all found,
    in id order, on the page and across the full list's pages."""
    dept, officer = world.clue.department, world.officer
    clues = [world.clue]
    for i in range(9):
        summary = "东家村段偷排废水。" if i % 3 == 0 else "西家庄段扬尘污染。"
        clue = ClueFactory(department=dept, registered_by=officer, summary=summary)
        if i % 3 == 0:
            clues.append(clue)
    ClueFactory(department=world.other_clue.department, registered_by=world.other_officer,
                summary="东家村段偷排废水。")  # theirs: never found
    expected = [c.number for c in sorted(clues[1:], key=lambda c: c.pk, reverse=True)]
    login(client, world.officer)
    assert titles(page(client, q="东家村"), "clues") == expected
    assert len(expected) == services.LIMIT  # exactly a page: no "more"
    ClueFactory(department=dept, registered_by=officer, summary="东家村段渗滤液外溢。")
    found = full_list(client, "东家村", "clues")
    assert found[1:] == expected and len(found) == 4


def test_slices_agree_with_one_query(world):
    """The same hits whether the text is read in one query or in slices of 1 id."""
    for i in range(6):
        CaseFactory(department=world.case.department, created_by=world.officer,
                    cause=f"汾河支流污染案{i}" if i % 2 else "桑干河污染案")
    whole = [h.title for h in services.search(world.officer, "汾河支").groups[0].hits]
    services.WINDOWS, saved = (1, 1, 1), services.WINDOWS
    try:
        services._newest.clear()
        sliced = [h.title for h in services.search(world.officer, "汾河支").groups[0].hits]
    finally:
        services.WINDOWS = saved
    assert sliced == whole and len(whole) == 4  # world.case's summary, and three causes


def test_many_parties_page_by_page_and_records_through_the_first_page(client, world, small):
    """More matching parties than a page: 当事人 shows the newest visible ones with 查看全部,
    whose pages list every party the officer may see and none of the other department's; the
    cases found through parties are those naming the first page's parties, and the page says so."""
    ours = [world.party]
    for i in range(4):
        party = OrganisationFactory(name=f"阳曲晋阳化工有限公司{i}", created_by=world.officer)
        ours.append(party)
    for i in range(3):
        OrganisationFactory(name=f"古交晋阳化工有限公司{i}", created_by=world.other_officer)
    oldest_case = world.case  # names world.party, the oldest of our parties
    login(client, world.officer)
    response = page(client, q="晋阳化工")
    assert titles(response, "parties") == [p.name for p in reversed(ours[-3:])]
    html = response.content.decode()
    assert 'data-testid="search-parties-capped"' in html
    assert full_list(client, "晋阳化工", "parties") == [p.name for p in reversed(ours)]
    # world.case names world.party, not on the first page: found by its cause's words only
    assert oldest_case.number in titles(response, "cases")
    response = page(client, q="SP0007")
    assert titles(response, "cases") == [oldest_case.number]


def test_a_short_party_name_is_found_by_its_start_in_every_party(client, world, monkeypatch):
    """1–2 characters: a name's start in every party (a person's surname), any part of it among
    the newest PARTY_SHORT_WINDOW parties only."""
    monkeypatch.setattr(services, "PARTY_SHORT_WINDOW", 0)
    login(client, world.officer)
    assert titles(page(client, q="张某"), "parties") == ["张某某"]
    assert titles(page(client, q="某某"), "parties") == []
    monkeypatch.setattr(services, "PARTY_SHORT_WINDOW", 1_000_000)
    assert titles(page(client, q="某某"), "parties") == ["张某某"]


def test_a_kind_page_keeps_the_scope_and_ignores_a_bad_cursor(client, world):
    login(client, world.officer)
    response = page(client, q="晋阳化工", kind="clues", before="x")
    assert titles(response, "clues") == [world.clue.number]
    assert [g.key for g in response.context["results"].groups] == ["clues"]
    response = page(client, q="晋阳化工", kind="clues", before=world.clue.pk)
    assert titles(response, "clues") == []
    login(client, world.other_officer)
    assert titles(page(client, q="晋阳化工", kind="clues"), "clues") == [world.other_clue.number]
