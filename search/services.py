"""检索: one query text, four kinds of hits (案件, 线索, 当事人, 文书), each within the user's scope.

Every kind is read through its model's `visible_to(user)` (accounts/scoping.py; documents
through GeneratedDocument's, which goes through Case): there is no second rule here. What is
matched:

- a case's or clue's number by any part of it (`contains`, upper-cased: numbers are
  upper-case, e.g. 140100-2026-XS00001);
- a party's name by any part of it, and then every case, clue and document that names such a
  party (a case through its obligors, a clue through its suspected obligors, a document
  through its obligor);
- a 统一社会信用代码 or 身份证号码, exactly (normalised as on entry: full-width, spaces, case);
  a partial ID number matches nothing, and a person's number is shown masked;
- words of a case's cause (案由) and summary (案情简介), of a clue's summary (线索概要), and of a
  document's title.

The registry of parties is not department-scoped for those who browse it, but a search
shows a party only where the user's scope already shows it: a party named in a record the
user may see (every registered party link, parties/history.py), or registered by the user's
own department (parties.editing's rule for a party no record names yet).

Substring matches are `LIKE '%…%'`; on PostgreSQL they are served by the pg_trgm GIN indexes of
search/migrations (3 characters and more; see docs/search.md for 1–2 characters)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from parties.history import registered_links
from parties.models import ID_NUMBER_PATTERN, Party
from parties.validators import mask_id_number, normalise_code

LIMIT = 20  # hits shown per kind, and per page of one kind's full list
MAX_QUERY = 100  # characters of the query used
ACTIVE = ("open", "overdue")  # workflow.Deadline statuses still running
# Hits are ordered newest entered first (the primary key), so that a kind's full list pages by
# `id < cursor` and a text match can be read in slices of the table: the newest WINDOWS[0] ids,
# then the WINDOWS[1] before them … then the rest, stopping once a page is full. A slice is an
# index range of the primary key (rows are stored in id order): its trigram match is a
# BitmapAnd of the two indexes, and it reads only the matches in the slice, so a word found in
# 12,400 of 5,000,000 clues reads a few hundred of them, not all (docs/search.md).
WINDOWS = (5_000, 100_000)
# A trigram index serves 3 characters or more. A shorter query's text match reads only the newest
# SHORT_QUERY_WINDOW ids of each kind (one slice), never the whole table: an absent 2-character
# word took 30–40 s on 5,000,000 clues (docs/search.md).
TRIGRAM = 3
SHORT_QUERY_WINDOW = 20_000
# Parties a name matches are checked for visibility PARTY_CANDIDATES at a time (newest first),
# at most PARTY_ROUNDS times a page. Records are found through the parties of the first page
# of the 当事人 group (at most LIMIT + 1): a record the user may see names only parties the user
# may see, and each of those parties links to its full history (parties/history.py).
PARTY_CANDIDATES = 200
PARTY_ROUNDS = 3
# A party name of 1–2 characters is matched from its start in every party (the name's prefix
# index: a person's name begins with the surname) and anywhere in it among the newest
# PARTY_SHORT_WINDOW parties; scanning all 200,000 names for an infix took 55–70 ms.
PARTY_SHORT_WINDOW = 20_000
# Where a table's id range ends is read once a minute per process (an id slice above it is open).
NEWEST_TTL = 60.0
KINDS = {"cases": "案件", "clues": "线索", "parties": "当事人", "documents": "文书"}


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    stage: str = ""
    next_due: object = None  # the earliest open deadline (workflow.Deadline) or None
    pk: int = 0


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # more than LIMIT hits: shown as "20+", with a link to the full list
    model: type | None = None  # whose deadlines the hits show (cases, clues)

    @property
    def cursor(self) -> int | None:
        """Where the next page of this kind's full list starts (`before`), if there is one."""
        return self.hits[-1].pk if self.more and self.hits else None


@dataclass
class Results:
    query: str
    groups: list[Group]
    kind: str = ""  # one kind's full list (a page of it), or "" for the page of all kinds
    before: int | None = None  # that page starts below this id
    parties_capped: bool = False  # records were looked for through the first parties only

    @property
    def shown_query(self) -> str:
        """The query as headings repeat it: a 身份证号码 masked (only the search boxes keep
        what the user typed)."""
        code = _identity_code(self.query)
        if code and re.fullmatch(ID_NUMBER_PATTERN, code):
            return mask_id_number(code)
        return self.query

    @property
    def short(self) -> bool:
        """Shorter than a trigram: words are looked for among the newest records only."""
        return 0 < len(self.query) < TRIGRAM

    @property
    def total(self) -> int:
        return sum(len(g.hits) for g in self.groups)

    @property
    def more(self) -> bool:
        """Some kind has more hits than shown: the total reads "N+", never a count over
        millions."""
        return any(g.more for g in self.groups)


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY]


def _identity_code(text: str) -> str:
    """The text as a complete identity code (18 ASCII letters or digits), else ""."""
    code = normalise_code(text)
    return code if len(code) == 18 and code.isascii() and code.isalnum() else ""


def matching_parties(text: str):
    """Every registered party the text names (unscoped: for linking records, which are scoped
    themselves): name by any part, or a complete identity code (exact, unique indexes)."""
    code = _identity_code(text)
    if code:
        return Party.objects.filter(Q(credit_code=code) | Q(id_number=code))
    if len(text) < TRIGRAM:
        low = max(_newest_id(Party) - PARTY_SHORT_WINDOW, 0)
        return Party.objects.filter(Q(name__startswith=text)
                                    | Q(name__contains=text, pk__gt=low))
    return Party.objects.filter(name__contains=text)


def visible_party_q(user) -> Q:
    """Parties the user's scope shows: named in a record the user may see (any registered
    party link, each through its model's visible_to), or registered by the user's own
    department."""
    department = getattr(user, "department", None)
    if department is None:
        return Q(pk__in=[])
    q = Q(created_by__department=department)
    for link in registered_links():
        records = link.model._default_manager.visible_to(user).filter(
            **{link.party_field: OuterRef("pk")})
        q |= Exists(records)
    return q


def visible_parties(user, text: str, *, before: int | None = None,
                    limit: int = LIMIT + 1) -> list[Party]:
    """The newest `limit` parties the text names that the user's scope shows (id < `before`).
    The matching ids are read first (trigram or unique index, ids only), then whether each is
    visible, PARTY_CANDIDATES at a time newest first, stopping once `limit` are found: one
    `EXISTS` per visible link for the candidates read, never for every match of a broad
    fragment (969 parties for 晋阳化工 at 200,000: 175 ms)."""
    matches = matching_parties(text)
    found: list[Party] = []
    for _ in range(PARTY_ROUNDS):
        if before is not None:
            matches = matches.filter(pk__lt=before)
        candidates = list(matches.order_by("-pk").values_list("pk", flat=True)
                          [:PARTY_CANDIDATES])
        if not candidates:
            break
        found += list(Party.objects.filter(pk__in=candidates).filter(visible_party_q(user))
                      .order_by("-pk")[: limit - len(found)])
        if len(found) >= limit or len(candidates) < PARTY_CANDIDATES:
            break
        before = candidates[-1]
    return found


def _fill_next_deadlines(groups: list[Group]) -> None:
    """Each case's and clue's hit gets its earliest running deadline (the record's own), one
    query for all the groups."""
    from workflow.models import Deadline

    wanted = [(g, ContentType.objects.get_for_model(g.model)) for g in groups
              if g.model is not None and g.hits]
    if not wanted:
        return
    q = Q()
    for group, ct in wanted:
        q |= Q(content_type=ct, object_id__in=[h.pk for h in group.hits])
    found: dict[tuple[int, int], object] = {}
    for d in Deadline.objects.filter(q, status__in=ACTIVE).order_by("object_id", "due", "id"):
        found.setdefault((d.content_type_id, d.object_id), d)
    for group, ct in wanted:
        for hit in group.hits:
            hit.next_due = found.get((ct.pk, hit.pk))


def _text_q(text: str, number: str, *, number_field: str = "number",
            text_fields: tuple[str, ...] = ()) -> Q:
    q = Q(**{f"{number_field}__contains": number})
    for name in text_fields:
        q |= Q(**{f"{name}__contains": text})
    return q


_newest: dict[str, tuple[float, int]] = {}


def _newest_id(model) -> int:
    """The table's highest id, as read at most NEWEST_TTL seconds ago (0 for an empty table).
    Only where the slices start depends on it: the first slice has no upper bound."""
    label = model._meta.label
    now = time.monotonic()
    read_at, newest = _newest.get(label, (0.0, 0))
    if now - read_at > NEWEST_TTL or not newest:
        newest = (model._default_manager.order_by("-pk").values_list("pk", flat=True)
                  .first() or 0)
        _newest[label] = (now, newest)
    return newest


def _slices(newest: int, top: int | None, text: str):
    """(low, high] id ranges of a text match, newest first, down to the oldest (low None: the
    rest; high None: no upper bound, so that records newer than `newest` are in the first).
    Words with CJK characters are sliced; a query without (part of a number, a code) matches
    few rows through its trigrams and is read in one query. Under TRIGRAM characters: one
    slice, the newest SHORT_QUERY_WINDOW ids of the table, on every page."""
    if len(text) < TRIGRAM:
        yield max(newest - SHORT_QUERY_WINDOW, 0), top
        return
    if text.isascii():
        yield None, top
        return
    high, edge = top, newest if top is None else top
    for size in WINDOWS:
        low = edge - size
        if low <= 0:
            break
        yield low, high
        high = edge = low
    yield None, high


def _text_matches(base, q: Q, text: str, before: int | None, need: int) -> list:
    """The newest `need` rows of `base` (scoped) matching `q`, below `before`, slice by slice
    (`_slices`), stopping once there are enough."""
    top = None if before is None else before - 1
    rows: list = []
    for low, high in _slices(_newest_id(base.model), top, text):
        window = base.filter(q)
        if high is not None:
            window = window.filter(pk__lte=high)
        if low is not None:
            window = window.filter(pk__gt=low)
        rows += window.order_by("-pk")[: need - len(rows)]
        if len(rows) >= need:
            break
    return rows


def _linked(base, links, field: str, party_ids: list[int], before: int | None, need: int):
    """The newest `need` rows of `base` (scoped) that a link table ties to the parties, in one
    query driven by the link table's party index (the scope checked on those rows only)."""
    if not party_ids:
        return []
    ids = links.filter(party__in=party_ids).values(field)
    rows = base.filter(pk__in=ids)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    return list(rows.order_by("-pk")[:need])


def _records(base, q: Q | None, text: str, links, field: str, party_ids: list[int],
             before: int | None) -> tuple[list, bool]:
    """The newest LIMIT rows of `base` matching the text (`q`) or naming one of the parties, and
    whether there are more: each part ordered and limited in the database on its own (an OR of a
    trigram match and a subquery would make PostgreSQL read every row in scope), merged here."""
    need = LIMIT + 1
    found = {}
    if q is not None:
        for row in _text_matches(base, q, text, before, need):
            found[row.pk] = row
    for row in _linked(base, links, field, party_ids, before, need):
        found.setdefault(row.pk, row)
    rows = sorted(found.values(), key=lambda r: r.pk, reverse=True)
    return rows[:LIMIT], len(rows) > LIMIT


def _cases(user, text: str, number: str, party_ids: list[int], before=None) -> Group:
    from cases.models import Case, CaseObligor

    group = Group("cases", KINDS["cases"])
    if not user.has_perm("cases.view_case"):
        return group
    base = Case.objects.visible_to(user).select_related("department")
    q = None if _identity_code(text) else _text_q(text, number,
                                                   text_fields=("cause", "summary"))
    rows, group.more = _records(base, q, text, CaseObligor.objects, "case", party_ids, before)
    group.model = Case
    group.hits = [Hit(c.number, c.get_absolute_url(), f"{c.cause} · {c.department}",
                      c.get_stage_display(), pk=c.pk) for c in rows]
    return group


def _clues(user, text: str, number: str, party_ids: list[int], before=None) -> Group:
    from screening.models import Clue

    group = Group("clues", KINDS["clues"])
    if not user.has_perm("screening.view_clue"):
        return group
    base = Clue.objects.visible_to(user).select_related("department")
    q = None if _identity_code(text) else _text_q(text, number, text_fields=("summary",))
    rows, group.more = _records(base, q, text, Clue.suspected_obligors.through.objects, "clue",
                                party_ids, before)
    group.model = Clue
    group.hits = [Hit(c.number, c.get_absolute_url(),
                      f"{c.summary[:60]} · {c.department}", c.get_state_display(), pk=c.pk)
                  for c in rows]
    return group


def _parties(parties: list[Party]) -> Group:
    group = Group("parties", KINDS["parties"])
    # A natural person's ID number is matched in full but always shown masked here.
    group.hits = [Hit(p.name, p.get_absolute_url(),
                      f"{p.get_kind_display()} · {p.code_label} {p.masked_code}", pk=p.pk)
                  for p in parties[:LIMIT]]
    group.more = len(parties) > LIMIT
    return group


def _documents(user, text: str, number: str, party_ids: list[int], before=None) -> Group:
    from documents.models import GeneratedDocument

    group = Group("documents", KINDS["documents"])
    base = GeneratedDocument.objects.visible_to(user).select_related("case", "obligor")
    if before is not None:
        base = base.filter(pk__lt=before)
    # One query: the table is small beside the clues' (an OR with the obligors is cheap here).
    q = _text_q(text, number, number_field="case__number", text_fields=("title",))
    if party_ids:
        q |= Q(obligor__in=party_ids)
    rows = list(base.filter(q).order_by("-pk")[: LIMIT + 1])
    group.more = len(rows) > LIMIT
    group.hits = [Hit(str(d), d.get_absolute_url(), f"{d.case.number}",
                      d.case.get_stage_display(), pk=d.pk) for d in rows[:LIMIT]]
    return group


def search(user, text: str | None, *, kind: str = "", before: int | None = None) -> Results:
    """The hits of `text` the user may see, grouped by kind, LIMIT of each; with `kind`, one
    page of that kind's full list (ids below `before`). Nothing for an empty text or a user
    without a department (the scoping rule shows them nothing)."""
    text = clean_query(text)
    kind = kind if kind in KINDS else ""
    if not text or not user.is_authenticated:
        return Results(text, [], kind, before)
    number = text.upper()
    # Records are found through the parties of the 当事人 group's first page (see
    # PARTY_CANDIDATES), on every page of every kind.
    first = [] if kind == "parties" and before else visible_parties(user, text)
    party_ids = [p.pk for p in first[:LIMIT]]

    def parties() -> Group:
        if not user.has_perm("parties.view_party"):
            return _parties([])
        return _parties(visible_parties(user, text, before=before) if before else first)

    finders = {
        "cases": lambda: _cases(user, text, number, party_ids, before),
        "clues": lambda: _clues(user, text, number, party_ids, before),
        "parties": parties,
        "documents": lambda: _documents(user, text, number, party_ids, before),
    }
    groups = [finders[kind]()] if kind else [finder() for finder in finders.values()]
    _fill_next_deadlines(groups)
    return Results(text, groups, kind, before, parties_capped=len(first) > LIMIT)
