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
ACTIVE = ("open", "overdue")
# Records are found through at most this many parties a name fragment matches (the newest
# registered); a fragment matching more (“有限公司”) is too broad to list their records.
PARTY_LINK_LIMIT = 200  # workflow.Deadline statuses still running


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


def _cases(user, text: str, number: str, party_ids: list[int]) -> Group:
    from cases.models import Case, CaseObligor

    group = Group("cases", "案件")
    if not user.has_perm("cases.view_case"):
        return group
    base = Case.objects.visible_to(user).select_related("department")
    querysets = [base.filter(_text_q(text, number, text_fields=("cause", "summary")))]
    if party_ids:
        querysets.append(base.filter(pk__in=CaseObligor.objects.filter(
            party__in=party_ids).values("case")))
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
    querysets = [base.filter(_text_q(text, number, text_fields=("summary",)))]
    if party_ids:
        querysets.append(base.filter(pk__in=Clue.suspected_obligors.through.objects.filter(
            party__in=party_ids).values("clue")))
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
