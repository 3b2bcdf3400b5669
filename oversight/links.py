"""The list each figure counts, with the same filters: the existing list pages (clue list, case
list, deadline board, restoration projects, major-case ledger) read the filters through
workflow/list_filters.py; pending approvals are listed by oversight's own page. Each list is
scoped by the same rule as the figure, so following a link shows the records counted."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from .selection import Selection


def _may(sel: Selection, perm: str) -> bool:
    """Whether the user may open the list at all (a finance department has no clue or case
    list): without it the figure is shown without a link."""
    return sel.user.has_perm(perm)


def _url(sel: Selection, name: str, params: dict) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    base = sel.once(f"url:{name}", lambda: reverse(name))  # a page has some 150 links
    return base + ("?" + urlencode(clean) if clean else "")


def _period(sel: Selection, period=None) -> dict:
    period = period or sel.period
    return {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}


def clues(sel: Selection, *, channel=None, outcome=None) -> str:
    """Clues registered in the period (the clue list's 登记日期)."""
    if not _may(sel, "screening.view_clue"):
        return ""
    return _url(sel, "screening:clue_list", {**sel.link_params(), **_period(sel),
                                        "channel": channel, "outcome": outcome})


def cases(sel: Selection, *, stage=None, classification=None, opened_in=None,
          ended_in=None) -> str:
    if not _may(sel, "cases.view_case"):
        return ""
    params = {**sel.link_params(), "stage": stage, "classification": classification}
    if opened_in is not None:
        params.update(_period(sel, opened_in))
    if ended_in is not None:
        params.update({"ended_from": ended_in.start.isoformat(),
                       "ended_to": ended_in.end.isoformat()})
    return _url(sel, "cases:case_list", params)


def deadlines(sel: Selection, *, view: str, kind=None, department=None) -> str:
    params = {"view": view, "kind": kind,
              "department": department or (sel.department.pk if sel.department else None),
              "jurisdiction": sel.jurisdiction.pk if sel.jurisdiction else None}
    return _url(sel, "workflow:deadline_board", params)


def approvals(sel: Selection, *, action=None, age=None) -> str:
    return _url(sel, "oversight:approvals", {**sel.link_params(damage=False), "action": action,
                                        "age": age})


def projects(sel: Selection, *, state=None) -> str:
    if not _may(sel, "restoration.view_restorationproject"):
        return ""
    return _url(sel, "restoration:index", {**sel.link_params(), "state": state})


def major_ledger(sel: Selection) -> str:
    from cases.views_ledger import LEDGER_PERMISSION

    return reverse("cases:major_ledger") if _may(sel, LEDGER_PERMISSION) else ""
