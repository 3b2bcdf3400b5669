"""One way to write dates, times and amounts on every page, export and message (issue 17):

    cn_date(date or datetime)   2026年12月4日       (a datetime in Asia/Shanghai first)
    cn_datetime(datetime)       2026年12月4日 22:33 (Asia/Shanghai)
    amount(Decimal)             1,250,000.00 元    (two decimals, thousands separators)
    amount_figure(Decimal)      1,250,000.00       (a table column headed "金额（元）")

Each accepts the Python value or its JSON form (ISO text, decimal text), as stored in the audit
trail; None (unknown) is written "—". The template filters of the same names
(workflow/templatetags/ecoclaim_format.py) are builtins: every template has them."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

NONE = "—"
CENT = Decimal("0.01")


def _aware_local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def as_date_or_datetime(value):
    """A date or datetime from the value or its ISO text; None if it is neither."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value
    if not isinstance(value, str) or not value[:4].isdigit():
        return None
    text = value.strip()
    try:
        if len(text) > 10:
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def cn_date(value) -> str:
    """2026年12月4日 (no leading zeros, as in Chinese official documents)."""
    day = as_date_or_datetime(value)
    if day is None:
        return NONE if value in (None, "") else str(value)
    if isinstance(day, datetime.datetime):
        day = _aware_local(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(value) -> str:
    """2026年12月4日 22:33 in Asia/Shanghai; a plain date is written as cn_date."""
    moment = as_date_or_datetime(value)
    if moment is None:
        return NONE if value in (None, "") else str(value)
    if not isinstance(moment, datetime.datetime):
        return cn_date(moment)
    moment = _aware_local(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def as_amount(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def amount_figure(value) -> str:
    """1,250,000.00"""
    figure = as_amount(value)
    if figure is None:
        return NONE if value in (None, "") else str(value)
    return f"{figure:,.2f}"


def amount(value) -> str:
    """1,250,000.00 元"""
    figure = as_amount(value)
    if figure is None:
        return NONE if value in (None, "") else str(value)
    return f"{figure:,.2f} 元"


# --- the audit trail's values, as a person reads them ------------------------------------------

# Internals of a generic relation or a registry code: said by the record's name and title.
AUDIT_INTERNAL_LABELS = frozenset({"content type", "object id", "申请事项代码"})
# Fields Django names in English (no verbose_name), in Chinese.
AUDIT_LABELS = {"request": "审批申请", "step": "审批环节"}
_FINDING = {True: "具备", False: "不具备", None: "待判断"}


def audit_label(label: str) -> str:
    return AUDIT_LABELS.get(label, label)


def readable(value) -> str:
    """A structured value (JSON: the 显著轻微 assessment, classification reasons, a payload) as
    sentences, never as a Python dict."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(text for text in (readable(item) for item in value) if text)
    if isinstance(value, dict):
        if "amount_text" in value or "suggestion" in value:  # screening.trivial.TrivialAssessment
            parts = [value.get("amount_text", "")]
            parts += [f"{_FINDING.get(e.get('applies'), '待判断')}{e.get('label', '')}"
                      f"（{e.get('citation', '')}）" for e in value.get("exceptions", [])]
            parts.append(value.get("suggestion", ""))
            return "；".join(p.rstrip("。；") for p in parts if p) + "。"
        for key in ("text", "label", "title", "name"):
            if isinstance(value.get(key), str):
                return value[key]
        return "；".join(text for text in (readable(v) for v in value.values()) if text)
    if isinstance(value, str):
        return shown_text(value)
    return str(value)


def shown_text(text: str) -> str:
    """An audit value already stored as text: an ISO date or time (written before values were
    formatted) in the one format, a Python literal (a dict) as sentences."""
    if not isinstance(text, str):
        return readable(text)
    stripped = text.strip()
    moment = as_date_or_datetime(stripped)
    if moment is not None:
        return cn_datetime(moment) if isinstance(moment, datetime.datetime) else cn_date(moment)
    if stripped[:1] in "{[" and stripped[-1:] in "}]":
        import ast
        try:
            return readable(ast.literal_eval(stripped))
        except (ValueError, SyntaxError):
            return text
    return text
