"""A party's printed data as it stood at an earlier moment, read back from its audit trail.

A signed agreement and a served 磋商告知书 must keep the obligor's name, code and address as
they were then, not what the registry says today. There is no copy on the agreement or the
service record (that would need a negotiation migration); the audit trail has every change
(Party is an AuditedModel; audit rows cannot be changed), so undoing the updates recorded
after the moment, newest first, gives the data of that moment exactly."""

from __future__ import annotations

from workflow.audit import history
from workflow.models import AuditEvent

from .models import Party

PRINTED_FIELDS = ("kind", "name", "credit_code", "id_number", "legal_representative",
                  "representative_title", "work_unit", "address", "phone")


def party_as_of(party: Party, after: AuditEvent | None) -> Party:
    """`party` as it stood when the `after` event was recorded (the updates recorded later are
    undone); an unsaved copy, for printing only. None: the party as it is."""
    if after is None:
        return party
    later = list(history(party).filter(action=AuditEvent.Action.UPDATE, id__gt=after.pk))
    if not later:
        return party
    copy = Party(pk=party.pk, created_by_id=party.created_by_id,
                 **{name: getattr(party, name) for name in PRINTED_FIELDS})
    kinds = {label: value for value, label in Party.Kind.choices}
    for event in later:  # newest first
        for name, change in (event.changes or {}).items():
            if name in PRINTED_FIELDS:
                old = change.get("old", "") or ""
                setattr(copy, name, kinds.get(old, old) if name == "kind" else old)
    return copy


def event_of(instance, **filters) -> AuditEvent | None:
    """The earliest audit event of `instance` matching `filters` (the signing, the creation)."""
    return history(instance).filter(**filters).order_by("at", "id").first()
