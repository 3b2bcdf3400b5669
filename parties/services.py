"""Finding a party by its code, or registering it: the same code is the same party (DOMAIN §6).

Used by the party form, by stage forms that name an obligor, and by imports (an enforcement
system's Excel export names obligors by credit code or ID number)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from .models import Party
from .validators import credit_code_errors, id_number_errors, normalise_code

DETAIL_FIELDS = ("legal_representative", "representative_title", "work_unit", "address",
                 "phone", "note")


@dataclass
class Difference:
    field: str
    label: str
    stored: str
    given: str


@dataclass
class PartyMatch:
    """The outcome of find_or_create_party."""

    party: Party
    created: bool
    filled: list[str] = field(default_factory=list)  # blank fields now set from the input
    differences: list[Difference] = field(default_factory=list)  # kept as stored, not applied

    @property
    def differs(self) -> bool:
        return bool(self.differences)

    def describe(self) -> str:
        """The differences in one Chinese sentence (empty when there are none)."""
        if not self.differences:
            return ""
        parts = [f"{d.label}登记为“{d.stored}”，本次为“{d.given}”" for d in self.differences]
        return f"当事人“{self.party.name}”已登记，" + "；".join(parts) + "。未覆盖已登记的内容。"


def identify(kind: str, credit_code: str = "", id_number: str = "") -> str:
    """The normalised identity code of a party of `kind`, or ValidationError (Chinese)."""
    credit_code, id_number = normalise_code(credit_code), normalise_code(id_number)
    if kind == Party.Kind.ORGANISATION:
        if id_number:
            raise ValidationError({"id_number": "单位不填写身份证号码。"})
        if not credit_code:
            raise ValidationError({"credit_code": "请填写统一社会信用代码。"})
        errors = credit_code_errors(credit_code)
        if errors:
            raise ValidationError({"credit_code": errors})
        return credit_code
    if kind == Party.Kind.PERSON:
        if credit_code:
            raise ValidationError({"credit_code": "自然人不填写统一社会信用代码；个体工商户请按单位登记。"})
        if not id_number:
            raise ValidationError({"id_number": "请填写身份证号码。"})
        errors = id_number_errors(id_number)
        if errors:
            raise ValidationError({"id_number": errors})
        return id_number
    raise ValidationError({"kind": "当事人类型只能是单位或自然人。"})


def find_party(code: str) -> Party | None:
    """The party with this 统一社会信用代码 or 身份证号码, or None."""
    return Party.objects.by_code(code).first()


def find_or_create_party(*, kind: str, name: str, by, credit_code: str = "",
                         id_number: str = "", **details) -> PartyMatch:
    """The party with this code, or a new one. An existing party keeps what it has: blank
    fields are filled from the input (`filled`), a non-blank field that differs is not
    overwritten but reported (`differences`) for the user to decide. Invalid input raises
    ValidationError with Chinese messages per field."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown party fields: {', '.join(sorted(unknown))}")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写名称或姓名。"})
    code = identify(kind, credit_code, id_number)
    code_field = "id_number" if kind == Party.Kind.PERSON else "credit_code"
    given = {"name": name, **{k: (v or "").strip() for k, v in details.items()}}
    relevant = set(DETAIL_FIELDS) - set(
        Party.ORGANISATION_FIELDS if kind == Party.Kind.PERSON else Party.PERSON_FIELDS)

    with transaction.atomic():
        party = Party.objects.select_for_update().filter(**{code_field: code}).first()
        if party is None:
            try:
                with transaction.atomic():
                    party = Party(kind=kind, created_by=by, **{code_field: code},
                                  **{k: v for k, v in given.items()
                                     if k == "name" or k in relevant})
                    party.save()
                    return PartyMatch(party=party, created=True)
            except IntegrityError:
                # registered meanwhile by someone else: the same code is the same party
                party = Party.objects.select_for_update().get(**{code_field: code})

        match = PartyMatch(party=party, created=False)
        for name_, value in given.items():
            if not value or name_ not in relevant | {"name"}:
                continue
            stored = getattr(party, name_)
            if not stored:
                setattr(party, name_, value)
                match.filled.append(name_)
            elif stored != value:
                match.differences.append(Difference(
                    field=name_, label=str(Party._meta.get_field(name_).verbose_name),
                    stored=stored, given=value))
        if match.filled:
            party.save()
        return match


def parties_by_code(codes) -> dict[str, Party]:
    """{code: party} of the parties already registered among `codes` (credit codes or ID
    numbers, normalised), locked like find_or_create_party locks the one it finds: one query
    for a whole import."""
    codes = sorted({normalise_code(c) for c in codes} - {""})
    if not codes:
        return {}
    found = {}
    for party in Party.objects.select_for_update().filter(
            Q(credit_code__in=codes) | Q(id_number__in=codes)).order_by("pk"):
        found.setdefault(party.code, party)
    return found


def register_parties(parties: list[Party]) -> list[Party]:
    """New parties (their codes checked: identify) saved at once with their audit events, as
    find_or_create_party saves a new one: a bulk import."""
    from workflow.audit import create_audited

    for party in parties:
        party.credit_code = normalise_code(party.credit_code)
        party.id_number = normalise_code(party.id_number)
        party.name = (party.name or "").strip()
    return create_audited(Party, parties)


def name_difference(party: Party, name: str) -> PartyMatch:
    """find_or_create_party's answer for an existing party named `name` in the input: the
    name differs or not (what an import reports)."""
    match = PartyMatch(party=party, created=False)
    if name and party.name != name:
        match.differences.append(Difference(
            field="name", label=str(Party._meta.get_field("name").verbose_name),
            stored=party.name, given=name))
    return match
