"""The public site /public/ (SX 第三十八条 依法向社会公开; NT 三(十二) 官方网站): no login, only
published items, only their masked texts and the PDF printed from them.

- An item is named by its random `public_token`, never by a primary key, and every lookup is
  `Publication.objects.published()`: a draft, an item waiting for approval or withdrawn, and
  every other record (case, clue, party, document) are not found (404) whatever is tried.
- Search reads only the masked title and text, so a name that was masked finds nothing.
- The pages are the same for everyone: rendered without the request (no session, no user, no
  CSRF cookie, so no `Vary: Cookie`), `Cache-Control: public, max-age`, and
  `request.public_page` tells NoStoreForUsersMiddleware to leave them cacheable. Their HTML is
  also kept in the shared cache for PAGE_SECONDS under a version that publishing and
  withdrawing change (`published_set_changed`), so a withdrawn item is gone at once."""

import hashlib
import re
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Min, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from accounts.models import Jurisdiction
from workflow.pagination import keyset_page

from .models import Publication

PAGE_SIZE = 20


def public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.public_page = True
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True,
                            max_age=getattr(settings, "ECOCLAIM_PUBLIC_MAX_AGE", 300))
        return response
    return require_safe(wrapped)


VERSION_KEY = "public:version"
PAGE_SECONDS = 300


def published_set_changed() -> None:
    """A publication entered or left the public set: the cached pages are dropped (a new key
    space), at once and again when the transaction commits (a page rendered meanwhile from
    the old state is not kept)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


def _cached_page(request, build) -> HttpResponse:
    """The page's HTML from the shared cache (the same for everyone), keyed by the published
    set's version and the full path; `build()` renders it on a miss."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"public:page:{version}:{path}"
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, PAGE_SECONDS)
    return HttpResponse(html)


TOKEN = re.compile(r"[A-Za-z0-9_-]{8,32}")


def _text(params, name: str, limit: int) -> str:
    # a NUL cannot reach PostgreSQL (it would be a 500), nor a lone surrogate
    return re.sub(r"[\x00\ud800-\udfff]", "", params.get(name) or "").strip()[:limit]


def _year(value: str) -> int | None:
    return int(value) if re.fullmatch(r"\d{4}", value) else None


@public_page
def item_list(request):
    return _cached_page(request, lambda: _list_html(request.GET))


def _list_html(params) -> str:
    items = Publication.objects.published().select_related("jurisdiction")
    jurisdiction = _text(params, "jurisdiction", 12)
    year = _year(_text(params, "year", 4))
    kind = _text(params, "kind", 16)
    query = _text(params, "q", 50)
    if jurisdiction:
        items = items.filter(jurisdiction__code=jurisdiction)
    if year:
        items = items.filter(year=year)
    if kind in Publication.Kind.values:
        items = items.filter(kind=kind)
    else:
        kind = ""
    if query:
        # the masked texts only: a masked name must find nothing
        items = items.filter(Q(masked_title__icontains=query) | Q(masked_text__icontains=query))
    page = keyset_page(items.only("public_token", "masked_title", "kind", "year", "published_at",
                                  "jurisdiction__name"),
                       key="published_at", after=_text(params, "after", 200) or None,
                       before=_text(params, "before", 200) or None, size=PAGE_SIZE)
    jurisdictions = Jurisdiction.objects.filter(
        pk__in=Publication.objects.published().values("jurisdiction")).order_by("path")
    # the first and last year (index publication_years), not a DISTINCT over every row
    span = Publication.objects.published().aggregate(first=Min("year"), last=Max("year"))
    years = range(span["last"], span["first"] - 1, -1) if span["first"] else []
    filters = {"jurisdiction": jurisdiction, "year": year or "", "kind": kind, "q": query}
    return render_to_string("public/list.html", {
        "page": page, "filters": filters, "kinds": Publication.Kind.choices,
        "jurisdictions": jurisdictions.only("code", "name"), "years": list(years),
        "query": params,
    })


def _published(token: str) -> Publication:
    if not TOKEN.fullmatch(token):
        raise Http404
    return get_object_or_404(Publication.objects.published().select_related("jurisdiction"),
                             public_token=token)


@public_page
def item_detail(request, token):
    publication = _published(token)
    return _cached_page(request, lambda: render_to_string("public/item.html",
                                                          {"p": publication}))


@public_page
def item_pdf(request, token):
    publication = _published(token)
    if not publication.public_pdf:
        raise Http404
    try:
        handle = publication.public_pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="application/pdf",
                            filename=f"{publication.public_token}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
