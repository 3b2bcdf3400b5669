"""Evidence files: uploaded on a clue, handed back only through the scoped download view, as
an attachment with a safe content type, never from a public URL (workflow/attachments.py,
workflow/views.py)."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import ClueFactory, UserFactory
from workflow.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def officer(demo_org):
    return demo_org.by_username["jingban"]


@pytest.fixture
def clue(demo_org, officer):
    return ClueFactory(department=demo_org.departments["市生态环境局"], registered_by=officer)


def upload(client, clue, name, content, content_type="application/octet-stream", **extra):
    return client.post(reverse("screening:clue_attach", args=[clue.pk]), {
        "file": SimpleUploadedFile(name, content, content_type=content_type),
        "description": extra.get("description", ""),
    })


def body_of(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def stored_files() -> set[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def field_error(response, field="file") -> str:
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', response.content.decode(), re.S)
    assert match, f"no error shown next to {field}"
    return match.group(1)


def test_upload_then_download_with_the_original_chinese_name(client, officer, clue):
    client.force_login(officer)
    response = upload(client, clue, "现场监测报告.pdf", PDF, "application/pdf",
                      description="9月3日采样")
    assert response.status_code == 302
    assert response.url == clue.get_absolute_url()

    attachment = Attachment.objects.get()
    assert attachment.owner == clue
    assert attachment.original_name == "现场监测报告.pdf"
    assert attachment.size == len(PDF)
    assert attachment.uploaded_by == officer
    download = reverse("workflow:download_attachment", args=[attachment.pk])

    page = client.get(clue.get_absolute_url()).content.decode()
    assert f'href="{download}"' in page
    assert "现场监测报告.pdf" in page and "9月3日采样" in page
    assert "材料已上传。" in page

    response = client.get(download)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('现场监测报告.pdf')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert body_of(response) == PDF


def test_stored_name_is_not_the_uploaded_name(client, officer, clue):
    """The file on disk is named by its digest, so a crafted name cannot choose the path."""
    client.force_login(officer)
    upload(client, clue, "现场监测报告.pdf", PDF, "application/pdf")
    stored = Attachment.objects.get().file.name
    assert "现场监测报告" not in stored
    assert stored.startswith("attachments/") and stored.endswith(".pdf")


@pytest.mark.parametrize("name", ["通知.html", "图.svg", "页面.HTM", "脚本.js"])
def test_types_a_browser_would_render_or_run_are_refused(client, officer, clue, name):
    client.force_login(officer)
    before = stored_files()
    response = upload(client, clue, name, b"<script>alert(1)</script>", "text/html")
    assert response.status_code == 400
    suffix = name.rsplit(".", 1)[1].lower()
    assert f"不支持的文件类型“.{suffix}”" in field_error(response)
    assert not Attachment.objects.exists()
    assert stored_files() == before


def test_a_docx_is_sent_as_octet_stream(client, officer, clue):
    client.force_login(officer)
    content = b"PK\x03\x04 fake docx"
    upload(client, clue, "询问笔录.docx", content,
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response = client.get(reverse("workflow:download_attachment",
                                  args=[Attachment.objects.get().pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("询问笔录.docx") in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body_of(response) == content


def test_a_pdf_named_file_with_html_inside_is_still_a_pdf_download(client, officer, clue):
    """The type comes from the allow-list, never from what the uploader claimed."""
    client.force_login(officer)
    upload(client, clue, "报告.pdf", b"<html><script>alert(1)</script></html>", "text/html")
    response = client.get(reverse("workflow:download_attachment",
                                  args=[Attachment.objects.get().pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize("username", ["shuiwu", "xiaodian"])
def test_a_user_outside_the_scope_gets_404_for_the_same_attachment(
        client, demo_org, officer, clue, username):
    client.force_login(officer)
    upload(client, clue, "现场监测报告.pdf", PDF, "application/pdf")
    url = reverse("workflow:download_attachment", args=[Attachment.objects.get().pk])
    client.force_login(demo_org.by_username[username])
    response = client.get(url)
    assert response.status_code == 404
    assert PDF not in response.content
    assert "Content-Disposition" not in response
    # exactly like an attachment that does not exist
    missing = reverse("workflow:download_attachment", args=[Attachment.objects.get().pk + 1])
    assert client.get(missing).status_code == 404


def test_a_user_without_a_department_and_an_anonymous_visitor_get_nothing(
        client, officer, clue):
    client.force_login(officer)
    upload(client, clue, "现场监测报告.pdf", PDF, "application/pdf")
    url = reverse("workflow:download_attachment", args=[Attachment.objects.get().pk])
    client.force_login(UserFactory(department=None))
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_procuratorate_downloads_evidence_of_the_clue_it_takes_part_in(client, demo_org):
    d = demo_org.departments
    forestry_officer = UserFactory(department=d["市林业局"], role="officer")
    joint = ClueFactory(department=d["市林业局"], participants=[d["市检察院"]],
                        registered_by=forestry_officer)
    client.force_login(forestry_officer)
    assert upload(client, joint, "勘验笔录.pdf", PDF, "application/pdf").status_code == 302
    url = reverse("workflow:download_attachment", args=[Attachment.objects.get().pk])
    client.force_login(demo_org.by_username["jiancha"])
    response = client.get(url)
    assert response.status_code == 200
    assert body_of(response) == PDF


def test_an_oversized_upload_is_refused_next_to_the_field_and_nothing_is_stored(
        client, officer, clue, settings):
    settings.ECOCLAIM_UPLOAD_MAX_BYTES = 1024
    client.force_login(officer)
    before = stored_files()
    response = upload(client, clue, "航拍影像.pdf", b"%PDF" + b"0" * 2048, "application/pdf")
    assert response.status_code == 400
    error = field_error(response)
    assert "航拍影像.pdf" in error and "超过上限" in error
    assert not Attachment.objects.exists()
    assert stored_files() == before
    # the page still shows the clue and no material
    assert clue.number in response.content.decode()
    assert "暂无材料" in response.content.decode()


def test_a_file_at_the_limit_is_accepted(client, officer, clue, settings):
    settings.ECOCLAIM_UPLOAD_MAX_BYTES = 1024
    client.force_login(officer)
    response = upload(client, clue, "刚好.pdf", b"0" * 1024, "application/pdf")
    assert response.status_code == 302
    assert Attachment.objects.get().size == 1024


def test_an_upload_without_a_file_says_so_in_chinese(client, officer, clue):
    client.force_login(officer)
    response = client.post(reverse("screening:clue_attach", args=[clue.pk]), {"description": "x"})
    assert response.status_code == 400
    assert "请选择要上传的文件。" in field_error(response)
    assert not Attachment.objects.exists()


def test_the_stored_file_is_not_reachable_under_any_public_url(client, officer, clue):
    client.force_login(officer)
    upload(client, clue, "现场监测报告.pdf", PDF, "application/pdf")
    attachment = Attachment.objects.get()
    name = attachment.file.name
    assert (Path(django_settings.MEDIA_ROOT) / name).is_file()  # it is stored, just not served
    for url in (f"/media/{name}", f"/{name}", f"/static/{name}", f"/files/{name}",
                f"/private/{name}", f"/media/private/{name}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))
