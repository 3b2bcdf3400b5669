"""The audit trail: who changed what, when, from which state to which.

Business models inherit AuditedModel; every save and delete then writes one AuditEvent in the
same transaction. The acting user comes from `acting_as` (set per request by
AuditActorMiddleware, and by tasks and commands for their own work)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, Value

from . import formatting
from .models import AuditEvent

_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(user) -> Iterator[None]:
    token = _actor.set(user if user is not None and user.is_authenticated else None)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor():
    return _actor.get()


_names: ContextVar[dict | None] = ContextVar("audit_names", default=None)


@contextmanager
def remembering_names() -> Iterator[None]:
    """Within the block a related record is read once for the audit's display of it: a bulk
    import registers thousands of records naming the same few (department, channel …)."""
    token = _names.set({})
    try:
        yield
    finally:
        _names.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def _audited_fields(instance: models.Model) -> list[models.Field]:
    exclude = set(getattr(instance, "audit_exclude", ()))
    return [
        f for f in instance._meta.concrete_fields
        if not f.primary_key and f.name not in exclude
    ]


def snapshot(instance: models.Model) -> dict[str, Any]:
    # Deferred fields (.only()/.defer()) are not read: reading one would load it.
    deferred = instance.get_deferred_fields()
    return {f.attname: _plain(f.value_from_object(instance)) for f in _audited_fields(instance)
            if f.attname not in deferred}


def loaded_snapshot(instance: models.Model, field_names, values) -> dict[str, Any]:
    """snapshot() of the record as it was loaded, from the values `from_db` was given: the
    same dict whatever the instance's attributes became since."""
    loaded = dict(zip(field_names, values, strict=True))
    out = {}
    for field in _audited_fields(instance):
        raw = loaded.get(field.attname, models.DEFERRED)
        if raw is not models.DEFERRED:
            if isinstance(field, models.FileField):
                raw = raw or ""  # as snapshot() reads a FieldFile's name
            out[field.attname] = _plain(raw)
    return out


# A two-place decimal is an amount (cases.money) unless its label names a quantity.
QUANTITY_WORDS = ("规模", "数量", "面积", "长度", "时长")


def _shown(field: models.Field, raw: Any) -> str:
    """How a stored value reads to a person: choice labels, related records, 是/否."""
    if raw is None or raw == "":
        return ""
    if field.is_relation:
        names, key = _names.get(), (field.related_model, raw)
        if names is not None and key in names:
            return names[key]
        related = field.related_model._base_manager.filter(pk=raw).first()
        shown = str(related) if related is not None else f"#{raw}"
        if names is not None:
            names[key] = shown
        return shown
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(field, models.DateTimeField):
        return formatting.cn_datetime(raw)
    if isinstance(field, models.DateField):
        return formatting.cn_date(raw)
    if isinstance(field, models.DecimalField) and field.decimal_places == 2 and not any(
            word in str(field.verbose_name) for word in QUANTITY_WORDS):
        # cases.money: amounts have two places; a label with its unit takes the figure only
        if "（元）" in str(field.verbose_name):
            return formatting.amount_figure(raw)
        return formatting.amount(raw)
    if isinstance(field, models.JSONField) or isinstance(raw, dict | list):
        return formatting.readable(raw)
    return str(raw)


def diff(instance: models.Model, before: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """{field: {"label", "old", "new"}} for the fields whose value changed (all set ones, on
    create)."""
    after = snapshot(instance)
    changes = {}
    for field in _audited_fields(instance):
        if field.attname not in after:
            continue
        old = None if before is None else before.get(field.attname)
        new = after[field.attname]
        if old == new or (before is None and new in (None, "", [], {})):
            continue
        changes[field.name] = {
            "label": formatting.audit_label(str(field.verbose_name)),
            "old": _shown(field, old),
            "new": _shown(field, new),
        }
    return changes


def record(instance: models.Model, action: str, *, changes=None, transition=None) -> AuditEvent:
    actor = current_actor()
    fields = {}
    if transition:
        fields = {
            "transition": transition["name"],
            "from_state": transition["from_state"],
            "to_state": transition["to_state"],
            "reason": transition.get("reason", ""),
            "approval": transition.get("approval") or {},
        }
        actor = transition.get("by", actor)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_full_name() if actor else "",
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
        **fields,
    )


def create_audited(model: type[models.Model], instances: list, *, batch_size=None) -> list:
    """Save new records of an AuditedModel with one INSERT (bulk_create) and their CREATE
    events with another: the same rows as save() one by one, for a bulk import. save() is not
    called: the caller gives the values save() would normalise."""
    if not instances:
        return instances
    with transaction.atomic():
        model.objects.bulk_create(instances, batch_size=batch_size)
        actor = current_actor()
        actor_name = actor.get_full_name() if actor else ""
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        events = []
        for instance in instances:
            events.append(AuditEvent(
                actor=actor, actor_name=actor_name, action=AuditEvent.Action.CREATE,
                content_type=content_type, object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                # an expression keeps Django's PostgreSQL bulk INSERT off UNNEST arrays, whose
                # pure-Python escaping of JSON text (every \uXXXX) costs ~0.5 ms per event
                changes=Value(diff(instance, None) or {}, output_field=models.JSONField())))
            instance._audit_transition = None
            instance._audit_before = snapshot(instance)
        AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return instances


class AuditedModel(models.Model):
    """Base for business records: every save and delete leaves an AuditEvent."""

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        creating = self._state.adding or getattr(self, "_audit_before", None) is None
        before = None if creating else self._audit_before
        pending = getattr(self, "_audit_transition", None)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            changes = diff(self, before)
            if pending:
                changes.pop(pending.get("state_field", ""), None)  # said by from/to already
                record(self, AuditEvent.Action.TRANSITION, changes=changes, transition=pending)
            elif creating:
                record(self, AuditEvent.Action.CREATE, changes=changes)
            elif changes:
                record(self, AuditEvent.Action.UPDATE, changes=changes)
        self._audit_transition = None
        self._audit_before = snapshot(self)

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            record(self, AuditEvent.Action.DELETE, changes={})
            return super().delete(*args, **kwargs)

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._audit_before = snapshot(self)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The baseline of the next save is taken only when that save (or a transition, or
        # code comparing with it) asks for it, from the values as loaded: the records a list
        # page or an export reads are never saved (issue 14).
        instance.__dict__["_audit_loaded"] = (field_names, values)
        return instance

    @property
    def _audit_before(self) -> dict[str, Any] | None:
        """The audited values as last loaded or saved (None for a record not yet saved)."""
        state = self.__dict__
        if "_audit_snapshot" not in state:
            loaded = state.pop("_audit_loaded", None)
            if loaded is None:
                return None
            state["_audit_snapshot"] = loaded_snapshot(self, *loaded)
        return state["_audit_snapshot"]

    @_audit_before.setter
    def _audit_before(self, value: dict[str, Any] | None) -> None:
        self.__dict__.pop("_audit_loaded", None)
        self.__dict__["_audit_snapshot"] = value


def history(instance: models.Model, *, including: dict | None = None):
    """The record's audit events, newest first, in one indexed query; `including` maps a model
    to the primary keys of its rows that belong to the record (evidence, approvals …), so a
    case page shows one timeline of everything that happened to the case."""
    condition = Q(content_type=ContentType.objects.get_for_model(instance,
                                                                 for_concrete_model=False),
                  object_id=str(instance.pk))
    for model, pks in (including or {}).items():
        keys = [str(pk) for pk in pks]
        if keys:
            condition |= Q(content_type=ContentType.objects.get_for_model(model),
                           object_id__in=keys)
    return AuditEvent.objects.filter(condition).select_related("actor", "content_type")
