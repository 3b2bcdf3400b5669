"""Every page of the demo, as each demo user sees it, in the one format (issue 17): no raw ISO
date or time, no amount without thousands separators, no English word outside code, no
Django "---------" option. The crawl starts at the home page, follows the main navigation, and
goes one hop further into the pages those link to (the lists' detail pages), at most a few pages
per URL name so that it stays fast."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.urls import Resolver404, resolve

from accounts.demo import DEMO_USERS
from accounts.models import User
from disclosure.models import Publication

pytestmark = pytest.mark.django_db

# A fixed moment (Beijing afternoon), so the demo's relative dates never depend on today.
NOW = datetime.datetime(2026, 11, 20, 6, 30, tzinfo=datetime.UTC)
PER_URL_NAME = 3  # pages visited per URL name and user
SKIPPED_PREFIXES = ("/admin/", "/api/", "/accounts/logout/", "/static/", "/workflow/attachments/")

ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
ISO_TIME = re.compile(r"(?<!\d)\d{2}:\d{2}:\d{2}")
RAW_AMOUNT = re.compile(r"(?<![\d,.])\d{4,}(?:\.\d+)?\s?元")
FIGURE = re.compile(r"(?<![\d,.])\d{4,}(?:\.\d+)?(?![\d年月日号])")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Names and abbreviations a Chinese page uses as they are.
ALLOWED_WORDS = {
    "EcoClaim", "PDF", "Excel", "SHA", "ID", "CQ", "NAT", "NT", "ZJ", "SX", "GB", "HJ", "MB",
    "KB", "Word", "CSV", "OK",
    "COD", "BOD", "pH", "PM", "TOC",  # pollutants as the environmental reports write them
}
FILE_NAME = re.compile(r"\S+\.(?:pdf|xlsx|xls|docx|doc|jpg|jpeg|png|txt|csv|zip)\b", re.I)
URL_OR_MAIL = re.compile(r"https?://\S+|\S+@\S+")
EXTENSION = re.compile(r"\.(?:pdf|xlsx|xls|docx|doc|jpg|jpeg|png|txt|csv|zip)\b", re.I)
# A record number or code mixes letters and digits: 140100-2026-XS00001, 91140100MA0DEM0801,
# ZF2026-0456, BZJ-2026-0011.
# A random token (公开编号, secrets.token_urlsafe) is any run holding an underscore: dskqAR_J88TUch7O,
# wjJGX5A_vLl__5HG; it is tried first, so no letters of it are left over to look like a word.
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]*_[A-Za-z0-9_-]*|"
                        r"[A-Za-z0-9-]*\d[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*|"
                        r"[A-Za-z][A-Za-z-]*\d[A-Za-z0-9-]*")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
TAB_TITLE = re.compile(r"(\S.* · )?EcoClaim 生态环境损害赔偿")  # "页面 · EcoClaim 生态环境损害赔偿"
CODE_TAGS = {"code", "kbd", "samp", "pre", "script", "style"}


class Page(HTMLParser):
    """Text outside code, the navigation's links and every link, and the amount columns."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.nav_links: list[str] = []
        self.amount_cells: list[str] = []
        self._skip = 0
        self._nav = 0
        self._headers: list[str] = []
        self._column = -1
        self._cell: list[str] | None = None
        self._in_header = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in CODE_TAGS or "font-monospace" in (attrs.get("class") or ""):
            self._skip += 1
        if tag == "nav":
            self._nav += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if self._nav:
                self.nav_links.append(attrs["href"])
        if tag == "tr":
            self._column = -1
            self._in_header = False
        if tag == "thead":
            self._headers = []
        if tag in ("td", "th"):
            self._column += 1
            self._cell = []
            self._in_header = tag == "th" and self._column >= len(self._headers)

    def handle_endtag(self, tag):
        if tag in CODE_TAGS and self._skip:
            self._skip -= 1
        if tag == "nav" and self._nav:
            self._nav -= 1
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            if self._in_header:
                self._headers.append(text)
            elif self._column < len(self._headers) and "元" in self._headers[self._column]:
                self.amount_cells.append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if not self._skip and data.strip():
            self.texts.append(data)


def problems_of(html: str, tokens: frozenset[str] = frozenset()) -> list[str]:
    """``tokens``: random identifiers on the pages (公开编号), which may spell anything."""
    page = Page()
    page.feed(html)
    found = []
    for text in page.texts:
        plain = URL_OR_MAIL.sub(" ", FILE_NAME.sub(" ", text))
        for token in tokens:
            plain = plain.replace(token, " ")
        for pattern, what in ((ISO_DATE, "ISO date"), (ISO_TIME, "ISO time"),
                              (RAW_AMOUNT, "amount without separators")):
            found += [f"{what}: {m.group(0)!r} in {text.strip()[:80]!r}"
                      for m in pattern.finditer(plain)]
        words = IDENTIFIER.sub(" ", EXTENSION.sub(" ", plain))
        found += [f"English word: {w!r} in {text.strip()[:80]!r}"
                  for w in WORD.findall(words) if w not in ALLOWED_WORDS]
        if "---------" in text:
            found.append("empty option --------- (请选择…)")
    title = TITLE.search(html)
    sheet = 'class="sheet"' in html  # a form's printable sheet is titled by the form's name
    if title and not sheet and not TAB_TITLE.fullmatch(title.group(1).strip()):
        found.append(f"tab title: {title.group(1).strip()!r}")
    for cell in page.amount_cells:
        found += [f"amount column without separators: {cell[:40]!r}"
                  for _ in FIGURE.finditer(cell)]
    return found


def _local(href: str, base: str) -> str | None:
    href = urldefrag(href)[0]
    if not href or href.startswith(("mailto:", "javascript:", "tel:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path if parts.path.startswith("/") else None
    if path is None or path.startswith(SKIPPED_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _url_name(url: str) -> tuple[str, bool] | None:
    """The view's name (with or without a query), and whether the page is one record's."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return f"{match.view_name}?{bool(urlsplit(url).query)}", bool(match.kwargs)


def crawl(client, records_seen: set[str], tokens: frozenset[str]) -> tuple[dict[str, list[str]], int]:
    """One user's crawl. A record's page already read as another user is not read again (the
    format does not depend on who reads it); lists are, as each user's differ."""
    found: dict[str, list[str]] = {}
    per_name: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    visits = 0

    def visit(url: str) -> Page | None:
        nonlocal visits
        resolved = _url_name(url)
        if resolved is None:
            return None
        name, one_record = resolved
        if url in seen or per_name[name] >= PER_URL_NAME or (one_record and url in records_seen):
            return None
        seen.add(url)
        if one_record:
            records_seen.add(url)
        per_name[name] += 1
        response = client.get(url)
        visits += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return None
        html = response.content.decode()
        problems = problems_of(html, tokens)
        if problems:
            found[url] = problems
        page = Page()
        page.feed(html)
        return page

    home = visit("/")
    first = [u for u in (_local(h, "/") for h in home.nav_links) if u] if home else []
    first += [u for u in (_local(h, "/") for h in home.links) if u] if home else []
    second: list[str] = []
    for url in dict.fromkeys(first):
        page = visit(url)
        if page is not None:
            second += [u for u in (_local(h, url) for h in page.links) if u]
    for url in dict.fromkeys(second):
        visit(url)
    return found, visits


def test_the_checks_see_what_they_should():
    assert problems_of("<p>2026-12-01</p><p>1250000.00 元</p><p>done</p>") == [
        "ISO date: '2026-12-01' in '2026-12-01'",
        "amount without separators: '1250000.00 元' in '1250000.00 元'",
        "English word: 'done' in 'done'"]
    assert problems_of("<p>2026年12月1日 1,250,000.00 元 EcoClaim PDF <code>case_x</code></p>"
                       '<a href="/x/2026-12-01/">报告.pdf</a>') == []
    assert problems_of("<title>线索EcoClaim 生态环境损害赔偿</title>") == [
        "tab title: '线索EcoClaim 生态环境损害赔偿'"]
    assert problems_of("<p>公开编号：aiOhWlyiaCucW_eu、dskqAR_J88TUch7O</p>") == []
    assert problems_of("<p>公开编号：wjJGX5A_vLl__5HG</p>") == []
    assert problems_of("<p>公开编号：wjJGXvAkvLlqqsHG</p>") != []  # no digit, no underscore
    assert problems_of("<p>公开编号：wjJGXvAkvLlqqsHG</p>", frozenset({"wjJGXvAkvLlqqsHG"})) == []
    assert problems_of("<table><thead><tr><th>金额（元）</th></tr></thead>"
                       "<tbody><tr><td>348000</td></tr><tr><td>1,000.00</td></tr></tbody></table>"
                       ) == ["amount column without separators: '348000'"]


def test_every_demo_page_is_in_the_one_format(client):
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=StringIO())
        report, visits, records_seen = {}, 0, set()
        tokens = frozenset(Publication.objects.values_list("public_token", flat=True))
        for username, *_ in DEMO_USERS:
            client.force_login(User.objects.get(username=username))
            found, count = crawl(client, records_seen, tokens)
            visits += count
            for url, problems in found.items():
                report.setdefault(url, [f"(as {username})", *problems])
        # the case page says where the case stands (cases/stepper.py)
        from cases.models import Case
        officer = User.objects.get(username="jingban")
        case = Case.objects.visible_to(officer).filter(stage=Case.Stage.PERFORMING) \
            .order_by("pk").first()
        client.force_login(officer)
        html = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-stepper"' in html
    assert '<li class="case-step case-step-current" aria-current="step">' in html
    assert '<span class="case-step-label">履行与修复</span>' in html.split('aria-current="step"')[1][:200]
    assert visits > 50
    assert report == {}, "\n".join(f"{url}: " + "; ".join(p[:6]) for url, p in report.items())
