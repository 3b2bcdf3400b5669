"""A party's history across stages: every record that names the party (a clue's suspected
obligors, a case's obligors …), as one UNION ALL query.

The parties app does not know the stage apps (they depend on it, never the reverse), so each
stage registers its links, in `<app>/party_links.py` (discovered at start-up, like
`worklist.py`) or in its AppConfig.ready():

    from parties.history import register_party_link

    register_party_link(Clue, "suspected_obligors", label="线索", date_field="found_on",
                        url_name="screening:clue_detail")

`party_field` is a lookup path from the record to parties.Party (a ForeignKey, a
ManyToManyField, or a path through a through model such as "obligor_links__party");
`date_field` a DateField or DateTimeField; `number_field` the record's number shown in the
history; `url_name` a URL taking the record's pk. The model's default manager must offer
`visible_to(user)` (accounts/scoping.py): `party_history` shows only what the user may see.
`party_history_all` ignores scope and is for rule checks only (the 显著轻微 exception "same
obligor again within two years", CQ 四; SX 第十一条), never for display.

For that rule a link also says which of its records are damage events, the facts the rule
asks for ("曾因违法行为造成生态环境损害", CQ 四(二); SX 第十一条(二)): `damage_filter`, a Q on the
record (None: every record counts; a clue concluded as 经初步核查未造成生态环境损害 does not), and
`undecided_filter` those of them whose damage is not yet established (a clue still being
verified): the rule cannot tell yet. `same_event` is a lookup path from the record to records
of other links that describe the same damage (a case and the clues it was opened from), so
one event is counted once (`damage_events_all`). `kind_field` (a choice field) is added to
the label in the history: 历史记录（历史损害事件）."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, TruncDate
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class PartyLink:
    model: type[models.Model]
    party_field: str
    label: str
    date_field: str
    url_name: str
    number_field: str = "number"
    damage_filter: Q | None = None
    undecided_filter: Q | None = None
    same_event: str = ""
    kind_field: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.model._meta.label, self.party_field)


@dataclass(frozen=True)
class HistoryEntry:
    label: str  # the kind of record: 线索, 案件 …
    number: str
    date: datetime.date | None
    url: str
    model: type[models.Model]
    pk: int
    established: bool = True  # damage_events_all: False while the facts are not yet found


_links: dict[tuple[str, str], PartyLink] = {}


def _resolve(model) -> type[models.Model]:
    if isinstance(model, str):
        return apps.get_model(model)
    return model


def _field_at(model: type[models.Model], path: str) -> models.Field:
    """The field at the end of a lookup path (raises FieldDoesNotExist)."""
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


def register_party_link(model, party_field: str, label: str, date_field: str, url_name: str,
                        *, number_field: str = "number", damage_filter: Q | None = None,
                        undecided_filter: Q | None = None, same_event: str = "",
                        kind_field: str = "") -> PartyLink:
    """Declare that records of `model` name parties through `party_field`. Registering the
    same (model, party_field) again replaces the earlier registration."""
    from .models import Party

    model = _resolve(model)
    if not hasattr(model._default_manager, "visible_to"):
        raise ImproperlyConfigured(
            f"{model._meta.label}: the default manager has no visible_to(user); party history "
            "shows only records the user may see.")
    try:
        target = _field_at(model, party_field)
        _field_at(model, date_field)
        _field_at(model, number_field)
        if same_event:
            _field_at(model, same_event)
        if kind_field and not _field_at(model, kind_field).choices:
            raise ImproperlyConfigured(f"{model._meta.label}.{kind_field} has no choices.")
    except FieldDoesNotExist as exc:
        raise ImproperlyConfigured(f"{model._meta.label}: {exc}") from exc
    if not (target.is_relation and target.related_model is Party) and not (
            target.model is Party and target.primary_key):
        raise ImproperlyConfigured(
            f"{model._meta.label}.{party_field} does not lead to parties.Party.")
    link = PartyLink(model=model, party_field=party_field, label=label,
                     date_field=date_field, url_name=url_name, number_field=number_field,
                     damage_filter=damage_filter, undecided_filter=undecided_filter,
                     same_event=same_event, kind_field=kind_field)
    _links[link.key] = link
    return link


def unregister_party_link(model, party_field: str) -> None:
    model = _resolve(model)
    _links.pop((model._meta.label, party_field), None)


def registered_links() -> list[PartyLink]:
    return list(_links.values())


def _date_expression(link: PartyLink):
    field = _field_at(link.model, link.date_field)
    if isinstance(field, models.DateTimeField):
        return TruncDate(link.date_field)  # in the current time zone
    return Cast(F(link.date_field), models.DateField())


def _part(link: PartyLink, index: int, party, user, since, until, damage_only=False):
    manager = link.model._default_manager
    qs = manager.all() if user is None else manager.visible_to(user)
    qs = qs.filter(**{link.party_field: party.pk})
    if damage_only and link.damage_filter is not None:
        qs = qs.filter(link.damage_filter)
    # Annotated in the same order in every part, so that the UNION lines up column by column.
    qs = qs.order_by().annotate(
        h_pk=Cast(F("pk"), models.BigIntegerField()),
        h_number=Cast(F(link.number_field), models.CharField()),
        h_date=_date_expression(link),
        h_link=Value(index, output_field=models.IntegerField()),
        h_kind=(Cast(F(link.kind_field), models.CharField()) if link.kind_field
                else Value("", output_field=models.CharField())),
    )
    if since is not None:
        qs = qs.filter(h_date__gte=since)
    if until is not None:
        qs = qs.filter(h_date__lte=until)
    return qs.values_list("h_pk", "h_number", "h_date", "h_link", "h_kind").distinct()


def history_queryset(party, user, *, since=None, until=None, links=None, damage_only=False):
    """One UNION ALL over the registered links, newest first; rows are
    (pk, number, date, link index, kind). `user=None` means unscoped (rule checks only);
    `damage_only` keeps each link's damage events (`damage_filter`).
    Returns (queryset or None, the links in index order)."""
    links = list(links if links is not None else _links.values())
    parts = [_part(link, i, party, user, since, until, damage_only)
             for i, link in enumerate(links)]
    if not parts:
        return None, links
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-h_date", "-h_link", "-h_pk"), links


def _label(link: PartyLink, kind: str) -> str:
    if not link.kind_field or not kind:
        return link.label
    choices = dict(_field_at(link.model, link.kind_field).flatchoices)
    return f"{link.label}（{choices.get(kind, kind)}）"


def _entries(party, user, *, since=None, until=None, limit=None,
             damage_only=False) -> list[HistoryEntry]:
    qs, links = history_queryset(party, user, since=since, until=until, damage_only=damage_only)
    if qs is None:
        return []
    if limit is not None:
        qs = qs[:limit]
    entries = []
    for pk, number, date, index, kind in qs:
        link = links[index]
        try:
            url = reverse(link.url_name, args=[pk])
        except NoReverseMatch:
            url = ""
        entries.append(HistoryEntry(label=_label(link, kind), number=number or "", date=date,
                                    url=url, model=link.model, pk=pk))
    return entries


def party_history(party, user, *, since=None, until=None, limit=None) -> list[HistoryEntry]:
    """The records naming `party` that `user` may see (each model's `visible_to`), newest
    first, in one query. A user who sees nothing gets []."""
    if user is None:
        raise ValueError("party_history needs the user whose scope applies; "
                         "party_history_all is the unscoped form for rule checks.")
    return _entries(party, user, since=since, until=until, limit=limit)


def party_history_all(party, *, since=None, until=None, limit=None) -> list[HistoryEntry]:
    """Every record naming `party`, regardless of scope: for rule checks (e.g. the same
    obligor caused damage again within two years, CQ 四; SX 第十一条). Never display it."""
    return _entries(party, None, since=since, until=until, limit=limit)


def damage_events_all(party, *, since=None, until=None) -> list[HistoryEntry]:
    """The party's damage events (each link's `damage_filter`), regardless of scope, newest
    first, one entry per event: a record another counted record stands for (`same_event`: the
    clue a counted case was opened from) is left out; `established` is False for a record
    whose damage is not yet found (`undecided_filter`). For rule checks only (CQ 四(二); SX
    第十一条(二)), never for display."""
    entries = _entries(party, None, since=since, until=until, damage_only=True)
    covered = same_event_records((e.model, e.pk) for e in entries)
    entries = [e for e in entries if (e.model, e.pk) not in covered]
    undecided = set()
    for link in _links.values():
        pks = [e.pk for e in entries if e.model is link.model]
        if link.undecided_filter is not None and pks:
            undecided |= {(link.model, pk) for pk in link.model._default_manager.filter(
                link.undecided_filter, pk__in=pks).values_list("pk", flat=True)}
    return [replace(e, established=False) if (e.model, e.pk) in undecided else e
            for e in entries]


def same_event_records(records) -> set[tuple[type[models.Model], int]]:
    """(model, pk) of the records that the given (model, pk) records stand for through
    `same_event`."""
    by_model: dict[type[models.Model], list[int]] = {}
    for model, pk in records:
        by_model.setdefault(model, []).append(pk)
    covered = set()
    for link in _links.values():
        pks = by_model.get(link.model)
        if not link.same_event or not pks:
            continue
        target = _field_at(link.model, link.same_event).related_model
        rows = link.model._default_manager.filter(pk__in=pks).values_list(
            f"{link.same_event}__pk", flat=True)
        covered |= {(target, pk) for pk in rows if pk is not None}
    return covered
