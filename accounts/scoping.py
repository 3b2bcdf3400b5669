"""The one scoping rule (DOMAIN §1), used by every list, detail, download and export.

A user sees the records of their own department; records their department takes part in
(joint handling; a referring or invited procuratorate, which sees but never acts);
everything in their jurisdiction and the ones below it if their department is the lead
department; and, for a department of a higher jurisdiction, the records of the same kind of department in the jurisdictions *strictly*
below it (the department's own system, 系统). Same kind in the same jurisdiction is not a
system: two 其他 bureaus of one city (气象局, 文旅局), or two departments of one kind side by
side, do not see each other's records; only the lead department sees across departments of
its own jurisdiction. Nobody without a department sees anything. A record outside the scope
does not exist for the user: views answer 404.

`department_q` is the department part of the rule (which departments' records a user sees),
for filters and for querysets that reach the department by another path."""

from django.db import models
from django.db.models import Q


def _none() -> Q:
    return Q(pk__in=[])


def department_q(department, prefix: str = "") -> Q:
    """Departments whose records `department` sees (own; the lead: its jurisdiction and below;
    otherwise the same kind in the jurisdictions strictly below). `prefix` is the path from
    the filtered model to accounts.Department ("" when filtering departments themselves,
    "department__" on a record)."""
    own = department.jurisdiction
    if department.is_lead:
        return Q(**{f"{prefix}jurisdiction__path__startswith": own.path})
    pk = f"{prefix}pk" if prefix else "pk"
    return Q(**{pk: department.pk}) | (
        Q(**{f"{prefix}kind": department.kind,
             f"{prefix}jurisdiction__path__startswith": own.path})
        & ~Q(**{f"{prefix}jurisdiction": own.pk}))


class ScopedQuerySet(models.QuerySet):
    # Field paths on the record; subclasses override where their names differ.
    scope_department = "department"
    scope_jurisdiction = "jurisdiction"
    scope_participants: str | None = None  # M2M to accounts.Department

    def _participant_q(self, department) -> Q:
        if not self.scope_participants:
            return _none()
        through = self.model._meta.get_field(self.scope_participants).remote_field.through
        own_fk = next(
            f.attname for f in through._meta.concrete_fields
            if f.is_relation and f.related_model is self.model
        )
        dept_fk = next(
            f.attname for f in through._meta.concrete_fields
            if f.is_relation and f.related_model._meta.label == "accounts.Department"
        )
        return Q(pk__in=through.objects.filter(**{dept_fk: department.pk}).values(own_fk))

    def own_scope_q(self, department) -> Q:
        """The rule without its participant part: the records `department` sees by their own
        department and jurisdiction (summary tables keyed by those use it alone)."""
        if department.is_lead:
            return Q(**{f"{self.scope_jurisdiction}__path__startswith":
                        department.jurisdiction.path})
        return department_q(department, prefix=f"{self.scope_department}__")

    def visible_to(self, user):
        department = getattr(user, "department", None) if user.is_authenticated else None
        if department is None:
            return self.filter(_none())
        return self.filter(self.own_scope_q(department) | self._participant_q(department))

    def workable_by(self, user):
        """Records the user may act on: their own department's and joint ones; the lead
        department's wider view is for coordination, not for handling others' records. A
        participant that does not handle claims (a referring or invited procuratorate, SX
        第八条、第三十三条) only follows the record: it sees it but never acts on it."""
        department = getattr(user, "department", None) if user.is_authenticated else None
        if department is None:
            return self.filter(_none())
        q = Q(**{self.scope_department: department.pk})
        if department.handles_claims:
            q |= self._participant_q(department)
        return self.filter(q)
