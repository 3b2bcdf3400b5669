"""The clue list's rows (templates/screening/clue_list.html), written in Python: workflow/rows.py."""

from django.utils.safestring import SafeString

from workflow.rows import RowUrl, cn_date, display, esc, joined

from .models import Clue


def clue_rows(clues) -> SafeString:
    url = RowUrl("screening:clue_detail")
    damage, state = display("damage_type", Clue), display("state", Clue)
    return joined(
        f'<tr><td><a href="{url(c.pk)}">{esc(c.number)}</a></td>'
        f"<td>{esc(cn_date(c.registered_on))}</td>"
        f"<td>{esc(c.channel)}</td>"
        f"<td>{esc(damage.get(c.damage_type, c.damage_type))}</td>"
        f'<td>{esc(c.place or "")} {esc(c.place_detail)}</td>'
        f"<td>{esc(c.department)}</td>"
        f'<td><span class="badge text-bg-light border">{esc(state.get(c.state, c.state))}</span>'
        "</td></tr>"
        for c in clues)
