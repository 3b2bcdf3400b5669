"""The formatting filters of every template (a builtin library, config/settings/base.py):
{{ d|cn_date }}, {{ t|cn_datetime }}, {{ x|amount }}, {{ x|amount_figure }}, and {{ text|cite }}
(rules/citations.py). See workflow/formatting.py."""

from django import template

from rules import citations
from workflow import formatting

register = template.Library()



@register.filter
def cn_date(value) -> str:
    """2026年12月4日; nothing for no date (as Django's |date, so |default:"…" applies)."""
    return "" if value in (None, "") else formatting.cn_date(value)


@register.filter
def cn_datetime(value) -> str:
    """2026年12月4日 22:33 in Asia/Shanghai; nothing for no time."""
    return "" if value in (None, "") else formatting.cn_datetime(value)


register.filter("amount", formatting.amount)
register.filter("amount_figure", formatting.amount_figure)


@register.filter
def page_title(value) -> str:
    """The browser tab: "页面 · EcoClaim 生态环境损害赔偿" (base.html)."""
    page = str(value).strip()
    return f"{page} · {SITE}" if page else SITE


SITE = "EcoClaim 生态环境损害赔偿"


@register.filter
def audit_changes(changes) -> list[dict]:
    """An event's {field: {label, old, new}} for a reader: Chinese labels and display values
    only, no generic-relation internals, dates and structured values in words (also for the
    events written before values were formatted)."""
    if not isinstance(changes, dict):
        return []
    return [{"label": formatting.audit_label(change.get("label", name)),
             "old": formatting.shown_text(change.get("old") or ""),
             "new": formatting.shown_text(change.get("new") or "")}
            for name, change in changes.items()
            if isinstance(change, dict)
            and change.get("label", name) not in formatting.AUDIT_INTERNAL_LABELS]


@register.filter(is_safe=True)
def cite(text, mode=""):
    """{{ text|cite }}: citations named in full on first use, on hover after; {{ c|cite:"hover" }}
    keeps them short with the name on hover (a list's column). rules/citations.py."""
    return citations.cite(text, mode)
