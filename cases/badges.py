"""Short flags a later stage shows next to a case's stage — on the case page's header and in
the case list — without cases importing that stage (e.g. the negotiation app's 磋商期限届满).

A provider `func(case_ids) -> {case_id: [Badge, ...]}` answers for a whole page of cases in
one query, so a list costs the same number of queries whatever its length."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Badge:
    label: str
    title: str = ""
    style: str = "text-bg-danger"
    code: str = ""  # for tests and styling (data-badge)


BadgeProvider = Callable[[list[int]], dict[int, list[Badge]]]
_providers: list[BadgeProvider] = []


def case_badges(func: BadgeProvider) -> BadgeProvider:
    if func not in _providers:
        _providers.append(func)
    return func


def badges_of(cases: Iterable) -> dict[int, list[Badge]]:
    ids = [c.pk for c in cases]
    found: dict[int, list[Badge]] = {}
    if not ids:
        return found
    for provider in _providers:
        for case_id, badges in provider(ids).items():
            found.setdefault(case_id, []).extend(badges)
    return found


def annotate(cases: Iterable) -> None:
    """Set `case.badges` on each case of a page (one query per provider)."""
    cases = list(cases)
    found = badges_of(cases)
    for case in cases:
        case.badges = found.get(case.pk, [])
