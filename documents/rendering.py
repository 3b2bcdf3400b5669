"""The one rendering service of the forms: a template and its data → HTML (the browser
preview) or PDF bytes (WeasyPrint).

- One `FontConfiguration` per process, reused by every render (building it reads the whole
  fontconfig cache). Pango's font map is not thread-safe, so renders in one process take turns
  (`_RENDER_LOCK`); a form renders in a fraction of a second with HarfBuzz subsetting.
- WeasyPrint may fetch only the app's own static files (`StaticOnlyFetcher`): never the
  network, never a `file://` URL, never a path outside the static directories. `data:` URIs are
  allowed. User text reaches the templates escaped (Django autoescape), so a summary containing
  `<img src="…">` is printed as text; the fetcher is the second wall.
- The page (A4, GB/T 9704 margins, page numbers "— 1 —") is in
  `documents/static/documents/forms.css`, linked from the template and so shared by the
  preview and the PDF. The font family comes from the setting `ECOCLAIM_DOCUMENT_FONT_FAMILY`
  (default "Noto Serif CJK SC", Debian's fonts-noto-cjk) as a user stylesheet.
- The embedded fonts are compacted by a `write_pdf` finisher (`fontsubset.compact_fonts`):
  WeasyPrint keeps every glyph id of the CJK font in its subsets; the finisher keeps only the
  glyphs drawn, under the same CIDs (a form: 255–360 KB → 45–85 KB, same text, same pixels).
"""

from __future__ import annotations

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join
from weasyprint import CSS, HTML, default_url_fetcher
from weasyprint.text.fonts import FontConfiguration

from .conf import font_family
from .fontsubset import compact_fonts

# The origin relative URLs of the template resolve against. `.invalid` never resolves
# (RFC 2606); the fetcher maps its STATIC_URL paths to local files and fetches nothing else.
BASE_URL = "http://ecoclaim.invalid/"
STATIC_SUFFIXES = {".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".otf", ".ttf", ".woff",
                   ".woff2"}

_FONT_CONFIG: FontConfiguration | None = None
_FONT_LOCK = threading.Lock()
_RENDER_LOCK = threading.Lock()


def font_config() -> FontConfiguration:
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        with _FONT_LOCK:
            if _FONT_CONFIG is None:
                _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


class FetchRefused(ValueError):
    pass


class StaticOnlyFetcher:
    """WeasyPrint's url_fetcher: the app's static files, and `data:` URIs; nothing else.
    `served` and `refused` list the URLs asked for (a test reads them)."""

    def __init__(self) -> None:
        self.served: list[str] = []
        self.refused: list[str] = []

    def __call__(self, url: str, timeout=10, ssl_context=None, http_headers=None) -> dict:
        if url.startswith("data:"):
            self.served.append(url[:40])
            return default_url_fetcher(url)
        path = static_path(url)
        if path is None:
            self.refused.append(url)
            raise FetchRefused(f"文书只能引用本系统的静态文件，已拒绝：{url[:200]}")
        self.served.append(url)
        return {"string": path.read_bytes(), "redirected_url": url,
                "mime_type": mimetypes.guess_type(path.name)[0]}


def _static_prefixes() -> list[str]:
    static_url = settings.STATIC_URL or "/static/"
    if urlsplit(static_url).scheme:  # an absolute STATIC_URL (a CDN): its URLs as they are
        return [static_url]
    return [BASE_URL.rstrip("/") + "/" + static_url.lstrip("/")]


def static_path(url: str) -> Path | None:
    """The local file behind one of the app's static URLs, or None: found by the staticfiles
    finders (development, tests) or under STATIC_ROOT (collected, hashed names)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        return None
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
    prefix = next((p for p in _static_prefixes() if bare.startswith(p)), None)
    if prefix is None:
        return None
    relative = unquote(bare[len(prefix):])
    if not relative or relative.startswith("/") or "\\" in relative or \
            ".." in relative.split("/") or Path(relative).suffix.lower() not in STATIC_SUFFIXES:
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if not found and settings.STATIC_ROOT:
        try:
            found = safe_join(str(settings.STATIC_ROOT), relative)
        except SuspiciousFileOperation:
            return None
    if not found:
        return None
    path = Path(found if isinstance(found, str) else found[0])
    return path if path.is_file() else None


def render_html(template_name: str, data: dict, *, preview: bool = False, request=None,
                extra: dict | None = None) -> str:
    """The form's HTML: the browser preview (`preview=True` adds the toolbar) and the input of
    the PDF are the same template."""
    return render_to_string(template_name, {"data": data, "preview": preview, **(extra or {})},
                            request=request)


def _user_stylesheets(*, numbered: bool) -> list[CSS]:
    # User stylesheets: only !important rules win over the author's forms.css.
    rules = f'html, body {{ font-family: "{font_family()}", serif !important; }}'
    if not numbered:
        # A one-page document carries no page number (GB/T 9704: 页码 on multi-page documents).
        rules += ('@page :left { @bottom-left { content: none !important; } }'
                  '@page :right { @bottom-right { content: none !important; } }')
    return [CSS(string=rules, font_config=font_config())]


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None,
                compact: bool = True) -> bytes:
    """PDF bytes of an HTML string rendered by WeasyPrint with the locked-down fetcher. The
    layout is done once; a document that fits on one page is laid out again without the page
    number (CSS cannot ask how many pages there are). The embedded CJK fonts are compacted
    (`fontsubset.compact_fonts`); `compact=False` gives WeasyPrint's own output (the bench's
    and the tests' reference)."""
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    with _RENDER_LOCK:
        rendered = document.render(font_config=font_config(),
                                   stylesheets=_user_stylesheets(numbered=True))
        if len(rendered.pages) == 1:
            rendered = document.render(font_config=font_config(),
                                       stylesheets=_user_stylesheets(numbered=False))
        return rendered.write_pdf(finisher=compact_fonts if compact else None)


def render_pdf(template_name: str, data: dict, *, fetcher: StaticOnlyFetcher | None = None,
               compact: bool = True) -> bytes:
    return html_to_pdf(render_html(template_name, data), fetcher=fetcher, compact=compact)
