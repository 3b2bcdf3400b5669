"""Forms [1]–[3] rendered to PDF from a case with several obligors and read back (NAT 示范文本;
issue 7): key fields, amounts in figures and capitals, dates, A4, embedded fonts, page numbers
only on multi-page documents, blanks instead of "None", escaped user text, and a url_fetcher
that fetches nothing but the app's static files."""

import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from documents import registry
from documents.conf import font_family
from documents.rendering import (
    StaticOnlyFetcher,
    html_to_pdf,
    render_html,
    render_pdf,
    static_path,
)
from documents.services import build_data
from tests.parties.factories import OrganisationFactory

from .factories import BUILT_ON_TEXT, demo_case
from .pdf import A4, fonts, page_sizes, text_of

pytestmark = pytest.mark.django_db


def render(code, case, *, fetcher=None):
    form = registry.get(code)
    data = build_data(form, case)
    return render_pdf(form.template, data, fetcher=fetcher), data


@pytest.fixture
def case(demo_org):
    return demo_case(demo_org, appraised_amount=Decimal("1186500.00"),
                     fees_amount=Decimal("86000.00"))


def assert_print_ready(pdf: bytes):
    for width, height in page_sizes(pdf):
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1
    used = fonts(pdf)
    assert used and all(used.values()), used  # every font embedded (FontFile*)
    assert any("NotoSerifCJK" in name.replace("-", "") for name in used), used


def test_form_1_every_obligor_the_opinions_and_the_amount(case):
    pdf, data = render("1", case)
    text = text_of(pdf)
    obligors = list(case.obligor_links.select_related("party").order_by("id"))
    assert len(obligors) == 3
    for expected in ["索赔启动登记表", "案件来源", "日常监管、执法巡查发现", "编号", case.number,
                     "案由", case.cause, "案情简介及启动索赔理由", case.summary.replace(" ", ""),
                     "机构负责人意见", "同意启动索赔，报局领导审定。", "李娟",
                     "部门负责人意见", "同意启动。", "王建国", "经办人：张明",
                     BUILT_ON_TEXT, "1,230,000.00元", "人民币壹佰贰拾叁万元整"]:
        assert expected in text, expected
    for link in obligors:
        # the natural person's full ID number: form [1] is signed with it (parties/permissions.py)
        assert link.party.name in text and link.party.code in text
    assert "总经理" in text and "（连带责任人）" in text
    assert "None" not in text
    assert len(page_sizes(pdf)) == 2 and "—1—" in text and "—2—" in text  # GB/T 9704 页码
    assert data["division_head"]["date"] == "2026-05-06"  # the archived data is plain JSON
    assert_print_ready(pdf)


def test_form_2_investigation_findings(case):
    pdf, _ = render("2", case)
    text = text_of(pdf)
    for expected in ["生态环境损害调查情况登记表", "案件线索的来源、调查经过", "赔偿义务人的基本情况",
                     "赔偿义务人造成的生态环境损害事实和相关证据材料",
                     "赔偿义务人承担赔偿、修复责任的法律依据", "调查部门的处理建议",
                     "调查组采取现场勘查", "《中华人民共和国民法典》第一千二百三十四条",
                     "建议开展索赔磋商。", "土壤监测报告", "太原市生态环境局",
                     "1,186,500.00元", "人民币壹佰壹拾捌万陆仟伍佰元整", "人民币捌万陆仟元整",
                     "经办人（签名）：张明", f"索赔启动时间：{BUILT_ON_TEXT}"]:
        assert expected in text, expected
    for link in case.obligor_links.select_related("party"):
        assert link.party.name in text and link.party.code in text
    assert "None" not in text
    assert_print_ready(pdf)


def test_form_3_one_page_has_no_page_number(demo_org):
    case = demo_case(demo_org, obligors=[(OrganisationFactory(name="某加油站有限公司"),
                                          "principal")],
                     appraised_amount=Decimal("42000.00"))
    pdf, _ = render("3", case)
    text = text_of(pdf)
    for expected in ["索赔终止登记表", "原编号", case.number, "终止理由",
                     "赔偿义务人已自行修复并经评估达到修复目标。", "同意终止索赔。", "同意终止。",
                     "某加油站有限公司", BUILT_ON_TEXT, "42,000.00元", "人民币肆万贰仟元整"]:
        assert expected in text, expected
    assert len(page_sizes(pdf)) == 1
    assert "—1—" not in text
    assert_print_ready(pdf)


def test_unknown_values_print_as_blank_lines_never_none(demo_org):
    bare = OrganisationFactory(name="某未知企业", address="", legal_representative="",
                               representative_title="")
    case = demo_case(demo_org, stage="draft", obligors=[(bare, "principal")], summary="",
                     estimated_amount=None, damage_place="")
    form = registry.get("1")
    data = build_data(form, case)
    html = render_html(form.template, data)
    # address, legal representative, title, summary, the amount, both opinions and signers
    assert html.count('class="blank"') >= 9
    assert "None" not in html
    text = text_of(render_pdf(form.template, data))
    assert "None" not in text and "某未知企业" in text and "估算损害数额：" in text


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"SERVED-BY-TEST-SERVER")

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A real local HTTP server: a request from WeasyPrint would land here."""
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("SECRET-MARKER-4242")
    return path


def test_user_text_is_escaped_and_nothing_is_fetched(demo_org, http_server, secret_file):
    summary = (f'<img src="file:///etc/passwd"><img src="{http_server}/x.png">'
               f'<img src="file://{secret_file}"><b>加粗</b>')
    case = demo_case(demo_org, stage="draft", summary=summary)
    fetcher = StaticOnlyFetcher()
    pdf, _ = render("1", case, fetcher=fetcher)
    text = text_of(pdf)
    # printed as text, not interpreted: the tags are on the page
    assert "file:///etc/passwd" in text and f"{http_server}/x.png" in text and "<b>加粗</b>" in text
    assert fetcher.refused == []  # escaped: not even asked for
    assert all(url.endswith("/static/documents/forms.css") for url in fetcher.served)
    assert _Recorder.hits == []
    assert "root:x:0:0" not in text and "SECRET-MARKER-4242" not in text


def test_fetcher_refuses_network_and_files_outside_static(http_server, secret_file):
    html = f"""<html><head>
      <link rel="stylesheet" href="/static/documents/forms.css">
      <link rel="stylesheet" href="{http_server}/evil.css">
      <link rel="stylesheet" href="file://{secret_file}">
      </head><body><p>中文</p>
      <img src="file:///etc/passwd"><img src="{http_server}/x.png">
      <img src="/static/../../../../etc/passwd">
      <img src="/static/documents/%2e%2e/%2e%2e/%2e%2e/etc/passwd">
      <img src="http://ecoclaim.invalid/static/documents/forms.css?x=1">
      <img src="file:///work/main/documents/static/documents/forms.css">
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    </body></html>"""
    fetcher = StaticOnlyFetcher()
    text = text_of(html_to_pdf(html, fetcher=fetcher))
    refused = set(fetcher.refused)
    assert f"{http_server}/evil.css" in refused and f"{http_server}/x.png" in refused
    assert "file:///etc/passwd" in refused and f"file://{secret_file}" in refused
    assert "http://ecoclaim.invalid/etc/passwd" in refused  # the ../ were resolved first
    assert len(refused) == 8
    assert "http://ecoclaim.invalid/static/documents/forms.css" in fetcher.served
    assert any(url.startswith("data:") for url in fetcher.served)
    assert _Recorder.hits == []
    assert "root:" not in text and "SECRET-MARKER-4242" not in text and "中文" in text


def test_font_family_comes_from_the_setting():
    html = '<html><head><link rel="stylesheet" href="/static/documents/forms.css"></head>' \
           "<body><p>生态环境损害赔偿</p></body></html>"
    assert any("Serif" in name for name in fonts(html_to_pdf(html)))
    with override_settings(ECOCLAIM_DOCUMENT_FONT_FAMILY="Noto Sans CJK SC"):
        used = fonts(html_to_pdf(html))
    assert any("NotoSansCJK" in name.replace("-", "") for name in used), used
    assert not any("Serif" in name for name in used), used


def test_font_setting_is_a_family_name_only():
    with override_settings(ECOCLAIM_DOCUMENT_FONT_FAMILY='Evil"; } body { color: red'):
        assert font_family() == "Evil  body  color: red"
    with override_settings(ECOCLAIM_DOCUMENT_FONT_FAMILY=""):
        assert font_family() == "Noto Serif CJK SC"


def test_static_path_finds_collected_hashed_files_only_inside(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "documents").mkdir()
    hashed = tmp_path / "documents" / "forms.0123abcd.css"
    hashed.write_text("p { }")
    base = "http://ecoclaim.invalid/static/"
    assert static_path(base + "documents/forms.css").name == "forms.css"  # finders
    assert static_path(base + "documents/forms.0123abcd.css") == hashed  # STATIC_ROOT
    for url in [base + "documents/../../etc/passwd", base + "documents/%2e%2e/x.css",
                base + "/etc/passwd.css", base + "documents/forms.css?v=1",
                base + "documents/missing.css", "https://ecoclaim.invalid/static/x.css",
                "http://127.0.0.1/static/documents/forms.css", "file://" + str(hashed),
                base + "documents/forms.py"]:
        assert static_path(url) is None, url
