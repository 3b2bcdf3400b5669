"""Table rows of the long lists (clues, cases, deadlines) written in Python: one f-string per
row instead of a template loop with a tag or filter per cell, a cost paid 25 times on every
page (issue 14 §4). The cells are escaped as the template engine escapes them."""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from rules.citations import cite

from . import formatting
from .models import Deadline


def esc(value) -> str:
    """conditional_escape() without its lazy-string wrapper (the same text, cheaper), for the
    ~200 cells of a page."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


_MARK = 987654321  # a pk no URL prefix contains


class RowUrl:
    """reverse(name, args=[pk]) for every row of a page from one reverse()."""

    def __init__(self, name: str):
        self.head, self.tail = reverse(name, args=[_MARK]).split(str(_MARK))

    def __call__(self, pk: int) -> str:
        return f"{self.head}{int(pk)}{self.tail}"


def display(field_name: str, model) -> dict:
    """value -> label of a choices field, as get_FOO_display() reads it."""
    return {value: str(label)
            for value, label in model._meta.get_field(field_name).flatchoices}


def cn_date(value) -> str:
    """As the template filter |cn_date: nothing for no date."""
    return "" if value in (None, "") else formatting.cn_date(value)


def joined(rows) -> SafeString:
    return mark_safe("\n".join(rows))


UNCONFIRMED = ('<span class="badge text-bg-warning" title="所涉年度的节假日安排尚未录入，按周末推算"'
               ' data-testid="unconfirmed">待确认</span>')


def deadline_due(d) -> SafeString:
    """A deadline's due date with its marks (待确认, 剩5日 / 逾期2日 …), wherever it shows."""
    words, colour = d.remaining
    border = " border" if colour == "light" else ""
    if d.confirmed:
        return mark_safe(f'<span class="text-nowrap">{cn_date(d.due)}</span>\n'
                         f'<span class="badge text-bg-{colour}{border}">{esc(words)}</span>')
    return mark_safe(f'<span class="text-nowrap unconfirmed">{cn_date(d.due)}</span>\n'
                     f'{UNCONFIRMED}\n'
                     f'<span class="badge text-bg-{colour}{border}">{esc(words)}</span>')


def deadline_rows(deadlines) -> SafeString:
    """The deadline board's rows (templates/workflow/deadline_board.html)."""
    url = RowUrl("workflow:deadline_detail")
    kind = display("kind", Deadline)
    rows = []
    for d in deadlines:
        subject = (f'<a href="{esc(d.subject_url)}">{esc(d.subject_label)}</a>'
                   if d.subject_url else esc(d.subject_label))
        rows.append(
            f'<tr data-testid="deadline-row"><td>{deadline_due(d)}</td>'
            f'<td><a href="{url(d.pk)}">{esc(d.title)}</a><div class="small text-body-secondary">'
            f"{esc(kind.get(d.kind, d.kind))}</div></td>"
            f"<td>{subject}</td><td>{esc(d.department)}</td>"
            f'<td>{esc(d.responsible or "")}</td>'
            f'<td class="small">{esc(cite(d.explanation, "hover"))}</td></tr>')
    return joined(rows)
