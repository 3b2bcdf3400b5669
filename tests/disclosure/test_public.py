"""/public/ (SX 第三十八条 依法向社会公开; NT 三(十二)): no login, only published items and only
masked; filters and search; cacheable for everyone. Every object kind's id (cases, clues,
parties, generated documents, attachments, publications in each state) is tried at every public
URL and is not found there."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from disclosure import services
from disclosure.models import Publication
from documents.models import GeneratedDocument
from documents.rendering import html_to_pdf
from tests.factories import ClueFactory
from workflow import approvals
from workflow.models import Attachment

from .conftest import AGREEMENT_TEXT, PERSON_ADDRESS, PERSON_ID, PERSON_NAME, PERSON_PHONE

pytestmark = pytest.mark.django_db

LIST = reverse("public:list")


def make(case, d, title, kind=Publication.Kind.AGREEMENT, year=2026, text=AGREEMENT_TEXT):
    return services.prepare(case, by=d.officer, kind=kind, title=title, original_text=text,
                            year=year)


def publish(publication, d) -> Publication:
    services.submit(publication, by=d.officer, summary="申请公开")
    step = approvals.inbox(d.division_head).get(request__object_id=publication.pk)
    approvals.decide(step, by=d.division_head, approve=True, opinion="同意公开")
    publication.refresh_from_db()
    return publication


@pytest.fixture
def world(case, d, other):
    """One publication in each state, and records of every other kind."""
    published = publish(make(case, d, "赔偿协议（已发布）"), d)
    services.add_source_pdf(draft := make(case, d, "赔偿协议（草稿）张三丰"),
                            SimpleUploadedFile("x.pdf", html_to_pdf(f"<p>{PERSON_NAME}</p>")),
                            by=d.officer)
    pending = make(case, d, "赔偿协议（待审批）")
    services.submit(pending, by=d.officer, summary="申请公开")
    withdrawn = publish(make(case, d, "赔偿协议（已撤回）"), d)
    services.withdraw(withdrawn, by=d.officer, reason="内容有误")
    returned = make(case, d, "赔偿协议（退回）")
    services.submit(returned, by=d.officer, summary="申请公开")
    approvals.decide(approvals.inbox(d.division_head).get(request__object_id=returned.pk),
                     by=d.division_head, approve=False, opinion="退回")
    clue = ClueFactory(department=d.department)
    document = GeneratedDocument.objects.create(
        case=case, form_code="1", title="索赔启动登记表", version=1, generated_by=d.officer,
        sha256="0" * 64)
    party = case.obligor_links.first().party
    return {"published": published, "hidden": [draft, pending, withdrawn, returned],
            "case": case, "clue": clue, "party": party, "document": document}


def get(client, url, **params):
    response = client.get(url, params)
    return response


def test_the_list_shows_only_published_items_masked(client, world):
    response = get(client, LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "赔偿协议（已发布）" in html
    for hidden in world["hidden"]:
        assert hidden.title not in html and hidden.masked_title not in html
    item = get(client, world["published"].get_public_url())
    assert item.status_code == 200
    page = item.content.decode()
    assert "赔偿义务人二：张某，男" in page
    for original in (PERSON_NAME, PERSON_ID, PERSON_ADDRESS, PERSON_PHONE):
        assert original not in page


def test_the_pdf_is_the_masked_one(client, world):
    response = get(client, reverse("public:item_pdf", args=[world["published"].public_token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(
        io.BytesIO(b"".join(response.streaming_content))).pages).replace("\n", "")
    assert "张某" in text and PERSON_NAME not in text and PERSON_ID not in text


def test_filters_and_search(client, case, d, other):
    from tests.cases.factories import CaseFactory

    agreement = publish(make(case, d, "甲河段赔偿协议", year=2025), d)
    funds = publish(make(case, d, "资金使用情况公告", kind=Publication.Kind.FUNDS,
                         text="2026年度赔偿资金用于乙河段修复。"), d)
    elsewhere_case = CaseFactory(department=other.department, created_by=other.officer)
    elsewhere = publish(make(elsewhere_case, other, "丙湖典型案例",
                             kind=Publication.Kind.TYPICAL, text="典型案例。"), other)

    def titles(**params):
        html = get(client, LIST, **params).content.decode()
        return {p.title for p in (agreement, funds, elsewhere) if p.title in html}

    everything = {agreement.title, funds.title, elsewhere.title}
    assert titles() == everything
    assert titles(jurisdiction=other.department.jurisdiction.code) == {elsewhere.title}
    assert titles(year="2025") == {agreement.title}
    assert titles(kind="funds") == {funds.title}
    assert titles(q="乙河段") == {funds.title}  # in the text
    assert titles(q="甲河段") == {agreement.title}  # in the title
    # the original text is not searched: a masked name finds nothing
    assert titles(q=PERSON_NAME) == set()
    assert titles(q=PERSON_ID) == set()
    # nonsense filters are no error
    assert get(client, LIST, year="abc", kind="x", after="zz").status_code == 200


def test_pages_are_cacheable_and_use_no_session(client, world):
    for url in (LIST, world["published"].get_public_url(),
                reverse("public:item_pdf", args=[world["published"].public_token])):
        response = get(client, url)
        assert response.status_code == 200
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=300" in cache_control, url
        assert "no-store" not in cache_control and "private" not in cache_control
        assert "Cookie" not in response.get("Vary", ""), url
        assert not response.cookies, url


def test_a_logged_in_visitor_sees_the_same_public_page(client, world, d):
    client.force_login(d.officer)
    response = get(client, LIST)
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert "赔偿协议（草稿）" not in response.content.decode()


def test_no_other_objects_id_is_reachable_at_any_public_url(client, world):
    hidden_tokens = [p.public_token for p in world["hidden"]]
    ids = set(hidden_tokens)
    for kind in ("case", "clue", "party", "document"):
        ids.add(str(world[kind].pk))
    ids |= {world["case"].number, world["clue"].number, world["party"].credit_code
            or world["party"].id_number}
    ids |= {str(p.pk) for p in Publication.objects.all()}
    ids |= {str(a.pk) for a in Attachment.objects.all()}
    ids |= {"0", "-1", "..", "%00", "a" * 40}
    for value in sorted(ids):
        for name in ("public:item", "public:item_pdf"):
            response = client.get(reverse(name, args=[value]))
            assert response.status_code == 404, (name, value)
    # the published one's primary key is no way in either: only its token
    published = world["published"]
    assert client.get(reverse("public:item", args=[str(published.pk)])).status_code == 404
    # the list's filters take no object id: whatever is given, only published titles appear
    for value in sorted(ids):
        for param in ("jurisdiction", "year", "kind", "q", "after", "before"):
            html = client.get(LIST, {param: value}).content.decode()
            for hidden in world["hidden"]:
                assert hidden.title not in html
    # and the list never names a primary key or an unpublished token
    html = client.get(LIST).content.decode()
    for token in hidden_tokens:
        assert token not in html
    assert f"/public/{published.pk}/" not in html


def test_only_get_and_head(client, world):
    assert client.post(LIST).status_code == 405
    assert client.post(world["published"].get_public_url()).status_code == 405


def test_a_cached_page_does_not_outlive_a_withdrawal(client, world, d):
    published = world["published"]
    assert "赔偿协议（已发布）" in client.get(LIST).content.decode()
    assert client.get(published.get_public_url()).status_code == 200
    services.withdraw(published, by=d.officer, reason="撤回")
    assert "赔偿协议（已发布）" not in client.get(LIST).content.decode()
    assert client.get(published.get_public_url()).status_code == 404
    assert client.get(reverse("public:item_pdf", args=[published.public_token])).status_code \
        == 404


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "9" * 30, "-1", "２０２６"])
def test_odd_parameters_are_no_server_error(client, world, value):
    for param in ("jurisdiction", "year", "kind", "q", "after", "before"):
        response = client.get(LIST, {param: value})
        assert response.status_code == 200, (param, value)
        assert "赔偿协议（草稿）" not in response.content.decode()


def test_a_nul_in_the_token_is_not_found(client, world):
    for path in ("/public/a%00bcdefghij/", "/public/a%00bcdefghij/pdf/", "/public/%ED%A0%80/"):
        assert client.get(path).status_code == 404, path


def test_bytes_that_are_not_utf8_are_no_server_error(client, world):
    for param in ("jurisdiction", "year", "kind", "q", "after"):
        assert client.get(f"{LIST}?{param}=%ED%A0%80%FF").status_code == 200, param


def test_the_login_page_leads_to_the_public_site(client):
    assert f'href="{LIST}"' in client.get(reverse("login")).content.decode()
