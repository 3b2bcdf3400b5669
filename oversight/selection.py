"""What a dashboard (or a report) counts: the user's scope, narrowed by the filters.

Every queryset starts from the one scoping rule (accounts/scoping.py): `visible_to(user)` on
clues, cases and deadlines, and for approval requests — which have no queryset of their own —
the department part of the same rule, `department_q`. The filters only narrow it: a
jurisdiction (with the ones below it), a department, a damage type and the period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from accounts.models import Department, Jurisdiction
from accounts.scoping import department_q
from cases.models import Case
from screening.models import Clue
from workflow.models import ApprovalRequest, Deadline

from .periods import Period

OUTSIDE = 0  # breakdown key of records outside the root jurisdiction (joint records)


@dataclass(frozen=True)
class Selection:
    user: object
    period: Period
    today: date
    jurisdiction: Jurisdiction | None = None
    department: Department | None = None
    damage_type: str = ""
    # grouped rows shared by several figures of one page (e.g. clues per jurisdiction, channel
    # and outcome serve both the clue figure and the side-by-side table): one scan each
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: str, compute):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    # --- the records -------------------------------------------------------------------

    def _narrow(self, qs, *, jurisdiction: str, department: str, damage: str | None):
        if self.jurisdiction is not None:
            qs = qs.filter(**{f"{jurisdiction}__path__startswith": self.jurisdiction.path})
        if self.department is not None:
            qs = qs.filter(**{department: self.department.pk})
        if self.damage_type and damage:
            qs = qs.filter(**{damage: self.damage_type})
        return qs

    def clues(self):
        return self._narrow(Clue.objects.visible_to(self.user), jurisdiction="jurisdiction",
                            department="department", damage="damage_type")

    def cases(self):
        return self._narrow(Case.objects.visible_to(self.user), jurisdiction="jurisdiction",
                            department="department", damage="damage_type")

    def deadlines(self):
        """Deadlines have no damage type: that filter does not apply to them."""
        return self._narrow(Deadline.objects.visible_to(self.user),
                            jurisdiction="department__jurisdiction", department="department",
                            damage=None)

    def approvals(self):
        """Approval requests of the departments whose records the user sees (department_q,
        the department part of the scoping rule); no damage type either."""
        department = getattr(self.user, "department", None)
        if department is None or not self.user.is_authenticated:
            return ApprovalRequest.objects.none()
        return self._narrow(ApprovalRequest.objects.filter(department_q(department, "department__")),
                            jurisdiction="department__jurisdiction", department="department",
                            damage=None)

    # --- the side-by-side breakdown ------------------------------------------------------

    @property
    def root(self) -> Jurisdiction | None:
        """The jurisdiction whose subordinate ones are shown side by side."""
        if self.jurisdiction is not None:
            return self.jurisdiction
        department = getattr(self.user, "department", None)
        return department.jurisdiction if department is not None else None

    def units(self) -> list[tuple[int, str]]:
        """(key, label) of the breakdown's columns: the root itself (本级) and each jurisdiction
        directly below it; empty when the root has none below it."""
        return self.once("units", self._units)

    def _units(self) -> list[tuple[int, str]]:
        root = self.root
        if root is None:
            return []
        children = list(Jurisdiction.objects.filter(parent=root).order_by("path")
                        .values_list("pk", "name"))
        if not children:
            return []
        return [(root.pk, f"{root.name}（本级）"), *children]

    def unit_of(self) -> dict[int, int]:
        """{jurisdiction id: breakdown key} for the root and everything below it."""
        return self.once("unit_of", self._unit_of)

    def _unit_of(self) -> dict[int, int]:
        root = self.root
        mapping = {}
        for pk, path in Jurisdiction.objects.filter(path__startswith=root.path) \
                .values_list("pk", "path"):
            rest = path[len(root.path):].strip("/")
            mapping[pk] = int(rest.split("/")[0]) if rest else root.pk
        return mapping

    def link_params(self, *, damage: bool = True) -> dict[str, str]:
        """The filters as list query parameters (workflow/list_filters.py)."""
        params = {}
        if self.jurisdiction is not None:
            params["jurisdiction"] = str(self.jurisdiction.pk)
        if self.department is not None:
            params["department"] = str(self.department.pk)
        if damage and self.damage_type:
            params["damage_type"] = self.damage_type
        return params

