"""The case list's rows (templates/cases/case_list.html), written in Python: workflow/rows.py."""

from django.utils.safestring import SafeString
from django.utils.text import Truncator

from workflow.rows import RowUrl, cn_date, display, esc, joined

from .models import Case


def _badges(case) -> str:
    return "".join(f' <span class="badge {esc(b.style)}" title="{esc(b.title)}" '
                   f'data-badge="{esc(b.code)}">{esc(b.label)}</span>' for b in case.badges)


def case_rows(cases) -> SafeString:
    """`cases` carry their badges (cases.badges.annotate)."""
    url = RowUrl("cases:case_detail")
    classification, stage = display("classification", Case), display("stage", Case)
    return joined(
        f'<tr><td><a href="{url(c.pk)}">{esc(c.number)}</a></td>'
        f"<td>{esc(Truncator(c.cause).chars(40))}</td>"
        f"<td>{esc(cn_date(c.opened_on))}</td><td>{esc(c.department)}</td>"
        f"<td>{esc(classification.get(c.classification, c.classification))}</td>"
        f'<td><span class="badge text-bg-light border">{esc(stage.get(c.stage, c.stage))}'
        f"</span>{_badges(c)}</td></tr>"
        for c in cases)
