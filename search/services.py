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
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from parties.history import registered_links
from parties.models import ID_NUMBER_PATTERN, Party
from parties.validators import mask_id_number, normalise_code

LIMIT = 20  # hits shown per kind
MAX_QUERY = 100  # characters of the query used
ACTIVE = ("open", "overdue")  # workflow.Deadline statuses still running
# Records are found through at most this many parties a name fragment matches (the newest
# registered); a fragment matching more (“有限公司”) is too broad to list their records.
PARTY_LINK_LIMIT = 200
# … and through the newest this many of their links (clue or case ids) per kind.
LINK_LIMIT = 2_000
# A trigram index serves 3 characters or more. A shorter query's text match reads only the
# newest SHORT_QUERY_WINDOW records in scope (an index range), never the whole table: an absent
# 2-character word took 30–40 s on 5,000,000 clues (docs/search.md).
TRIGRAM = 3
SHORT_QUERY_WINDOW = 2_000


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    stage: str = ""
    next_due: object = None  # the earliest open deadline (workflow.Deadline) or None


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # more than LIMIT hits: the user should narrow the query


@dataclass
class Results:
    query: str
    groups: list[Group]

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


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY]


def _identity_code(text: str) -> str:
    """The text as a complete identity code (18 ASCII letters or digits), else ""."""
    code = normalise_code(text)
    return code if len(code) == 18 and code.isascii() and code.isalnum() else ""


def matching_parties(text: str):
    """Every registered party the text names (unscoped: for linking records, which are scoped
    themselves): name by any part, or a complete identity code."""
    q = Q(name__contains=text)
    code = _identity_code(text)
    if code:
        q |= Q(credit_code=code) | Q(id_number=code)
    return Party.objects.filter(q)


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


def _next_deadlines(model, pks: list[int]) -> dict[int, object]:
    """The earliest running deadline of each record (its own deadlines), in one query."""
    from workflow.models import Deadline

    if not pks:
        return {}
    ct = ContentType.objects.get_for_model(model)
    found: dict[int, object] = {}
    for d in (Deadline.objects.filter(content_type=ct, object_id__in=pks, status__in=ACTIVE)
              .order_by("object_id", "due", "id")):
        found.setdefault(d.object_id, d)
    return found


def _newest(querysets, key: str) -> tuple[list, bool]:
    """The newest LIMIT rows of the union of `querysets`, and whether there were more. Each is
    ordered and limited in the database on its own, so that each can use its own index (an OR
    of a trigram match and a subquery would make PostgreSQL read every row in scope)."""
    found: dict[int, object] = {}
    for qs in querysets:
        for row in qs.order_by(f"-{key}", "-id")[: LIMIT + 1]:
            found.setdefault(row.pk, row)
    rows = sorted(found.values(), key=lambda r: (getattr(r, key), r.pk), reverse=True)
    return rows[:LIMIT], len(rows) > LIMIT


def _text_q(text: str, number: str, *, number_field: str = "number",
            text_fields: tuple[str, ...] = ()) -> Q:
    q = Q(**{f"{number_field}__contains": number})
    for name in text_fields:
        q |= Q(**{f"{name}__contains": text})
    return q


def _linked(base, links, field: str, party_ids: list[int], key: str):
    """`base` (scoped) restricted to the newest LIMIT + 1 records a link table ties to the
    parties. The link ids (the newest LINK_LIMIT, through the table's party index) and then
    the scoped ones among them are read without ORDER BY … LIMIT and sorted here: with it,
    PostgreSQL walked the whole (date, id) index of 5,000,000 clues looking for them (1.4 s)."""
    ids = list(links.filter(party__in=party_ids).order_by(f"-{field}")
               .values_list(field, flat=True)[:LINK_LIMIT])
    if not ids:
        return base.none()
    keyed = sorted(base.filter(pk__in=ids).order_by().values_list(key, "pk"), reverse=True)
    return base.filter(pk__in=[pk for _, pk in keyed[: LIMIT + 1]])


def _text_match(base, q: Q, text: str, key: str):
    """`base` filtered by the text match `q`; for a query shorter than a trigram, within the
    newest SHORT_QUERY_WINDOW records of `base` (ordered by `key`, an indexed date)."""
    if len(text) >= TRIGRAM:
        return base.filter(q)
    edge = (base.order_by(f"-{key}", "-id").values_list(key, flat=True)
            [SHORT_QUERY_WINDOW - 1:SHORT_QUERY_WINDOW].first())
    if edge is not None:
        base = base.filter(**{f"{key}__gte": edge})
    return base.filter(q)


def _cases(user, text: str, number: str, party_ids: list[int]) -> Group:
    from cases.models import Case, CaseObligor

    group = Group("cases", "案件")
    if not user.has_perm("cases.view_case"):
        return group
    base = Case.objects.visible_to(user).select_related("department")
    querysets = []
    if not _identity_code(text):  # a code names a party, not words of a record
        querysets.append(_text_match(base, _text_q(text, number,
                                                   text_fields=("cause", "summary")),
                                     text, "opened_on"))
    if party_ids:
        querysets.append(_linked(base, CaseObligor.objects, "case", party_ids, "opened_on"))
    rows, group.more = _newest(querysets, "opened_on")
    due = _next_deadlines(Case, [c.pk for c in rows])
    group.hits = [Hit(c.number, c.get_absolute_url(), f"{c.cause} · {c.department}",
                      c.get_stage_display(), due.get(c.pk)) for c in rows]
    return group


def _clues(user, text: str, number: str, party_ids: list[int]) -> Group:
    from screening.models import Clue

    group = Group("clues", "线索")
    if not user.has_perm("screening.view_clue"):
        return group
    base = Clue.objects.visible_to(user).select_related("department")
    querysets = []
    if not _identity_code(text):
        querysets.append(_text_match(base, _text_q(text, number, text_fields=("summary",)),
                                     text, "registered_on"))
    if party_ids:
        querysets.append(_linked(base, Clue.suspected_obligors.through.objects, "clue",
                                 party_ids, "registered_on"))
    rows, group.more = _newest(querysets, "registered_on")
    due = _next_deadlines(Clue, [c.pk for c in rows])
    group.hits = [Hit(c.number, c.get_absolute_url(),
                      f"{c.summary[:60]} · {c.department}", c.get_state_display(),
                      due.get(c.pk)) for c in rows]
    return group


def _parties(user, text: str) -> Group:
    group = Group("parties", "当事人")
    if not user.has_perm("parties.view_party"):
        return group
    rows, group.more = _newest([matching_parties(text).filter(visible_party_q(user))], "id")
    # A natural person's ID number is matched in full but always shown masked here.
    group.hits = [Hit(p.name, p.get_absolute_url(),
                      f"{p.get_kind_display()} · {p.code_label} {p.masked_code}")
                  for p in rows]
    return group


def _documents(user, text: str, number: str, party_ids: list[int]) -> Group:
    from documents.models import GeneratedDocument

    group = Group("documents", "文书")
    base = GeneratedDocument.objects.visible_to(user).select_related("case", "obligor")
    querysets = [base.filter(_text_q(text, number, number_field="case__number",
                                     text_fields=("title",)))]
    if party_ids:
        querysets.append(base.filter(obligor__in=party_ids))
    rows, group.more = _newest(querysets, "generated_at")
    group.hits = [Hit(str(d), d.get_absolute_url(), f"{d.case.number}",
                      d.case.get_stage_display()) for d in rows]
    return group


def search(user, text: str | None) -> Results:
    """The hits of `text` the user may see, grouped by kind; nothing for an empty text or a
    user without a department (the scoping rule shows them nothing)."""
    text = clean_query(text)
    if not text or not user.is_authenticated:
        return Results(text, [])
    number = text.upper()
    # The parties the text names, wherever registered: the records naming them are scoped.
    party_ids = list(matching_parties(text).order_by("-id")
                     .values_list("pk", flat=True)[:PARTY_LINK_LIMIT])
    groups = [_cases(user, text, number, party_ids), _clues(user, text, number, party_ids),
              _parties(user, text), _documents(user, text, number, party_ids)]
    return Results(text, groups)
