"""Sortable columns of a keyset-paginated list (clue list, case list, deadline board).

A list offers a whitelist of sort keys, each a non-null, indexed column (keyset pagination
compares the cursor's value: workflow/pagination.py); `?sort=number` sorts ascending,
`?sort=-number` descending, anything else is the list's default. A header link keeps the other
filters and starts again at the first page (a cursor belongs to one order); the pagination
links keep `sort` with everything else (templates/includes/pagination.html).

    sorting = Sorting(request, {"opened_on": "启动日期", "number": "案件编号"},
                      default="-opened_on")
    page = keyset_page(qs, key=sorting.key, descending=sorting.descending, after=…)
    # template: {% include "includes/sort_header.html" with column=sorting.columns.number %}
"""

from __future__ import annotations

from dataclasses import dataclass

PAGING = ("after", "before", "sort")


@dataclass(frozen=True)
class SortColumn:
    label: str
    url: str  # "?…" toggling this column's order, the other filters kept
    active: bool
    descending: bool

    @property
    def aria_sort(self) -> str:
        if not self.active:
            return "none"
        return "descending" if self.descending else "ascending"

    @property
    def title(self) -> str:
        if self.active:
            return f"按{self.label}{'升序' if self.descending else '降序'}排列"
        return f"按{self.label}排列"


class Sorting:
    def __init__(self, request, keys: dict[str, str], *, default: str):
        self.keys = keys
        requested = request.GET.get("sort", "")
        if requested.lstrip("-") not in keys:
            requested = default
        self.value = requested
        self.key = requested.lstrip("-")
        self.descending = requested.startswith("-")
        self.is_default = requested == default
        self.default = default
        query = request.GET.copy()
        for name in PAGING:
            query.pop(name, None)
        self.columns: dict[str, SortColumn] = {}
        for key, label in keys.items():
            active = key == self.key
            # the active column toggles; another starts with dates newest first, others A→Z
            descending = not self.descending if active else key.endswith(("_on", "_at"))
            params = query.copy()
            params["sort"] = f"-{key}" if descending else key
            self.columns[key] = SortColumn(label, "?" + params.urlencode(), active,
                                           self.descending if active else False)
