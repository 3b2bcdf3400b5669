"""Keyset pagination for every list: no COUNT(*) and no OFFSET, so a page costs the same on
the first page and the millionth row (on 5M rows, Paginator's count + OFFSET gave p95 748 ms
at 4 users where keyset gave 29 ms).

The queryset is ordered by one indexed column and the primary key, both descending; a page
link carries the last (or first) row's pair as an opaque cursor."""

from __future__ import annotations

import base64
import datetime
import decimal
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else
                      str(v) if isinstance(v, decimal.Decimal) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str, field) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
        return field.to_python(value), int(pk)
    except (ValueError, TypeError, OverflowError, ValidationError):
        return None


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


def keyset_page(queryset: QuerySet, *, key: str, after: str | None = None,
                before: str | None = None, size: int | None = None,
                split: tuple[str, list] | None = None, descending: bool = True) -> KeysetPage:
    """One page of `queryset` ordered by (key DESC, pk DESC), or (key ASC, pk ASC) with
    `descending=False` (a list sorted by a column: workflow/sorting.py). The key must be a
    non-null column: a cursor compares its value.

    `split=(field, values)`: the page holds the rows whose `field` is one of `values` (e.g.
    status open or overdue; `queryset` itself is not filtered on `field`), and an index starts
    with (field, key, pk). PostgreSQL cannot walk such an index in (key, pk) order across
    several values, so `field IN (...)` would read and sort every matching row; instead each
    value gets its own ordered, limited query (`field = value`, an index range scan) and the
    page is merged from them."""
    size = size or settings.ECOCLAIM_PAGE_SIZE
    field = queryset.model._meta.get_field(key)

    def cursor_of(row) -> str:
        value = getattr(row, field.attname)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        return _encode([value, row.pk])

    going_back = bool(before) and not after
    token = _decode(before if going_back else after, field) if (after or before) else None
    if token is None:  # no cursor, or one that does not decode: the first page
        going_back = False
    qs = queryset
    # this query's direction: the list's own, reversed when reading the page before
    desc = descending != going_back
    if token is not None:
        value, pk = token
        op = "lt" if desc else "gt"
        qs = qs.filter(Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"pk__{op}": pk}))
    order = (f"-{key}", "-pk") if desc else (key, "pk")
    if split:
        rows = []
        for value in split[1]:
            rows += qs.filter(**{split[0]: value}).order_by(*order)[: size + 1]
        rows.sort(key=lambda r: (getattr(r, field.attname), r.pk), reverse=desc)
        rows = rows[: size + 1]
    else:
        rows = list(qs.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if going_back:
        rows.reverse()
        has_next, has_prev = True, more
    else:
        has_next, has_prev = more, token is not None
    return KeysetPage(
        rows=rows,
        next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
        prev_cursor=cursor_of(rows[0]) if rows and has_prev else None,
        is_first=not has_prev,
    )
