"""The archive and the pages (issue 7): generating a form archives a new version with its
SHA-256 and data, the case timeline shows it, the signed scan is uploaded against a version;
scope (404) and role (403) as everywhere (accounts/scoping.py)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from documents import registry
from documents.models import GeneratedDocument
from documents.registry import Form
from tests.parties.factories import OrganisationFactory

from .factories import demo_case
from .pdf import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo_org):
    return demo_case(demo_org, stage="investigating")


@pytest.fixture
def officer(demo_org):
    return demo_org.users[Role.OFFICER]


def generate(client, user, case, code="1", **post):
    client.force_login(user)
    return client.post(reverse("documents:form_generate", args=[case.pk, code]), post)


def file_bytes(attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def test_generating_archives_a_new_version_each_time(client, case, officer):
    response = generate(client, officer, case)
    first = GeneratedDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:download_attachment", args=[first.pdf_id])
    pdf = b"".join(client.get(response["Location"]).streaming_content)
    assert pdf.startswith(b"%PDF") and pdf == file_bytes(first.pdf)
    assert first.sha256 == hashlib.sha256(pdf).hexdigest() == first.pdf.sha256
    assert (first.version, first.form_code, first.title) == (1, "1", "索赔启动登记表")
    assert first.generated_by == officer and first.obligor is None
    assert first.data["number"] == case.number
    assert [o["name"] for o in first.data["obligors"]] == [
        link.party.name for link in case.obligor_links.order_by("id")]
    assert first.contains_id_number  # the natural person's 身份证号码 is on the form
    assert first.pdf.owner == first and first.pdf.original_name.endswith("-第1版.pdf")
    assert case.number in text_of(pdf)

    generate(client, officer, case)
    generate(client, officer, case, code="2")
    versions = sorted(GeneratedDocument.objects.values_list("form_code", "version"))
    assert versions == [("1", 1), ("1", 2), ("2", 1)]


def section(client, case, name: str) -> str:
    """A collapsed section of the case page, as htmx loads it when opened."""
    return client.get(reverse("cases:case_section", args=[case.pk, name]),
                      HTTP_HX_REQUEST="true").content.decode()


def test_timeline_and_panel_on_the_case_page(client, case, officer):
    client.force_login(officer)
    summary = client.get(case.get_absolute_url()).content.decode()
    steps = summary[summary.index('data-testid="next-steps"'):]
    # 下一步: the forms of this stage not generated yet
    assert reverse("documents:form_generate", args=[case.pk, "1"]) in steps
    generate(client, officer, case)
    summary = client.get(case.get_absolute_url()).content.decode()
    steps = summary[summary.index('data-testid="next-steps"'):]
    assert reverse("documents:form_generate", args=[case.pk, "1"]) not in steps  # done
    page = section(client, case, "documents")
    assert "[1]索赔启动登记表 第1版" in page  # the panel's archive
    assert "生成文书" in section(client, case, "timeline")
    assert reverse("documents:form_preview", args=[case.pk, "1"]) in page
    assert reverse("documents:form_generate", args=[case.pk, "2"]) in page
    assert reverse("documents:form_preview", args=[case.pk, "3"]) not in page  # not this stage


def test_scan_upload_against_a_version(client, case, officer):
    generate(client, officer, case)
    document = GeneratedDocument.objects.get()
    scan = SimpleUploadedFile("签章扫描件.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(reverse("documents:scan_upload", args=[document.pk]), {"file": scan})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.scan.original_name == "签章扫描件.pdf"
    assert document.scan_uploaded_by == officer and document.scan_uploaded_at is not None
    assert document.scan.owner == document
    listing = client.get(reverse("documents:case_documents", args=[case.pk])).content.decode()
    assert "签章扫描件.pdf" in listing and "第1版" in listing
    assert "签章扫描件" in section(client, case, "timeline")

    bad = SimpleUploadedFile("scan.exe", b"MZ", content_type="application/octet-stream")
    client.post(reverse("documents:scan_upload", args=[document.pk]), {"file": bad})
    document.refresh_from_db()
    assert document.scan.original_name == "签章扫描件.pdf"


def test_preview_is_the_form_under_the_csp(client, case, demo_org):
    client.force_login(demo_org.users[Role.DIVISION_HEAD])
    response = client.get(reverse("documents:form_preview", args=[case.pk, "2"]))
    html = response.content.decode()
    assert response.status_code == 200 and "生态环境损害调查情况登记表" in html
    assert "/static/documents/forms.css" in html
    assert "style=" not in html and "<style" not in html and "<script" not in html
    person = case.obligor_links.get(party__kind="person").party
    assert person.id_number in html  # the head signs with the full number
    assert "生成PDF" not in html  # a head reads, the officer generates


def test_coordinator_reads_with_the_id_number_masked(client, case, demo_org, officer):
    generate(client, officer, case)
    coordinator = demo_org.users[Role.COORDINATOR]
    client.force_login(coordinator)
    person = case.obligor_links.get(party__kind="person").party
    html = client.get(reverse("documents:form_preview", args=[case.pk, "1"])).content.decode()
    assert person.masked_code in html and person.id_number not in html
    # the archived PDF carries the full number: not listed, not downloadable for this role
    document = GeneratedDocument.objects.get()
    listing = client.get(reverse("documents:case_documents", args=[case.pk]))
    assert listing.status_code == 200 and f"document-{document.pk}" not in listing.content.decode()
    assert client.get(reverse("workflow:download_attachment",
                              args=[document.pdf_id])).status_code == 404
    assert generate(client, coordinator, case).status_code == 403


@pytest.mark.parametrize("username", ["jiancha", "caizheng"])
def test_procuratorate_and_finance_may_not_generate(client, case, demo_org, username):
    user = demo_org.by_username[username]
    assert generate(client, user, case).status_code == 403
    assert client.get(reverse("documents:form_preview", args=[case.pk, "1"])).status_code == 403
    assert "文书（示范文本）" not in section(client, case, "documents")
    assert reverse("documents:form_generate", args=[case.pk, "1"]) not in client.get(
        case.get_absolute_url()).content.decode()  # nor in 下一步
    assert not GeneratedDocument.objects.exists()


def test_other_department_gets_404(client, case, demo_org, officer):
    generate(client, officer, case)
    document = GeneratedDocument.objects.get()
    other = demo_org.by_username["shuiwu"]  # an officer of 市水务局
    assert generate(client, other, case).status_code == 404
    for url in [reverse("documents:form_preview", args=[case.pk, "1"]),
                reverse("documents:case_documents", args=[case.pk]),
                reverse("workflow:download_attachment", args=[document.pdf_id])]:
        assert client.get(url).status_code == 404, url
    scan = SimpleUploadedFile("s.pdf", b"%PDF", content_type="application/pdf")
    assert client.post(reverse("documents:scan_upload", args=[document.pk]),
                       {"file": scan}).status_code == 404
    assert GeneratedDocument.objects.count() == 1


def test_anonymous_is_sent_to_login(client, case):
    for response in [client.get(reverse("documents:form_preview", args=[case.pk, "1"])),
                     client.post(reverse("documents:form_generate", args=[case.pk, "1"])),
                     client.get(reverse("documents:case_documents", args=[case.pk]))]:
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_or_unavailable_form_is_404(client, case, officer):
    client.force_login(officer)
    assert client.get(reverse("documents:form_preview", args=[case.pk, "99"])).status_code == 404
    # [3] is offered from the investigation's conclusion on
    assert client.get(reverse("documents:form_preview", args=[case.pk, "3"])).status_code == 404
    assert generate(client, officer, case, code="3").status_code == 404


@pytest.fixture
def per_obligor_form():
    """A form made per obligor, as [4] and [6] will be: the registry and the views need nothing
    more."""
    form = registry.register(Form(
        code="9", title="测试用按义务人文书", template="documents/forms/form_1.html",
        context=lambda case, obligor=None: {"number": case.number, "obligors": []},
        per_obligor=True))
    yield form
    registry._forms.pop("9")


def test_a_per_obligor_form_is_versioned_per_obligor(client, case, officer, per_obligor_form):
    parties = [link.party for link in case.obligor_links.order_by("id")]
    client.force_login(officer)
    page = section(client, case, "documents")
    assert page.count(reverse("documents:form_generate", args=[case.pk, "9"])) == len(parties)
    preview = client.get(reverse("documents:form_preview", args=[case.pk, "9"]),
                         {"obligor": parties[1].pk})
    assert preview.status_code == 200 and parties[1].name in preview.content.decode()
    assert client.get(reverse("documents:form_preview", args=[case.pk, "9"])).status_code == 404
    for party in (parties[0], parties[1], parties[0]):
        generate(client, officer, case, code="9", obligor=party.pk)
    rows = sorted(GeneratedDocument.objects.filter(form_code="9")
                  .values_list("obligor", "version"))
    assert rows == [(parties[0].pk, 1), (parties[0].pk, 2), (parties[1].pk, 1)]
    stranger = OrganisationFactory()
    assert generate(client, officer, case, code="9", obligor=stranger.pk).status_code == 404
