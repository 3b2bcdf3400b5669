"""How values are written on the forms (NAT 示范文本; DOMAIN §4, §6).

The forms render from frozen data (JSON: dates as ISO strings, amounts as decimal strings), so
each helper accepts the Python value or its JSON form. Unknown values are None here; the
template filters (templatetags/documents_format.py) print them as a blank line to fill by
hand, never as "None"."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an
from django.utils import timezone

CENT = Decimal("0.01")
# The model texts leave "年 月 日" with room to write the date by hand.
BLANK_DATE = "\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def as_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value)
    try:
        if "T" in text or " " in text:
            return as_date(datetime.datetime.fromisoformat(text))
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def cn_date(value) -> str | None:
    """2026年5月6日 (no leading zeros, as in Chinese official documents)."""
    day = as_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else None


def as_amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    if amount < 0:
        raise ValueError("金额不能为负数。")  # DOMAIN §6: amounts are never negative
    return amount


def yuan(value) -> str | None:
    """123,000.00元"""
    amount = as_amount(value)
    return f"{amount:,.2f}元" if amount is not None else None


def yuan_capitals(value) -> str | None:
    """人民币壹拾贰万叁仟元整. cn2an's "rmb" mode writes the capitals and already ends a whole
    amount with 整 (壹拾贰万叁仟元整; 壹仟元壹角; 伍分), as the rules for writing amounts in
    capitals ask; only the 人民币 prefix is ours."""
    amount = as_amount(value)
    if amount is None:
        return None
    return "人民币" + cn2an.an2cn(str(amount), "rmb")
