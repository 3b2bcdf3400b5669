"""Filters of the form templates: dates, amounts, and a blank line for what is not known yet.

    {{ data.number|fill }}            the value, or a blank line to fill by hand
    {{ data.opened_on|cn_date }}      2026年5月6日, or "　　年　　月　　日"
    {{ data.amount|yuan }}            123,000.00元, or a blank line
    {{ data.amount|yuan_capitals }}   人民币壹拾贰万叁仟元整, or a blank line
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from documents import formatting

register = template.Library()

BLANK = mark_safe('<span class="blank"></span>')


def _or_blank(text, autoescape=True):
    if text is None or (isinstance(text, str) and not text.strip()):
        return BLANK
    return conditional_escape(text) if autoescape else text


@register.filter(needs_autoescape=True)
def fill(value, autoescape=True):
    return _or_blank(value if value is None else str(value), autoescape)


@register.filter
def cn_date(value):
    return formatting.cn_date(value) or formatting.BLANK_DATE


@register.filter(needs_autoescape=True)
def yuan(value, autoescape=True):
    return _or_blank(formatting.yuan(value), autoescape)


@register.filter(needs_autoescape=True)
def yuan_capitals(value, autoescape=True):
    return _or_blank(formatting.yuan_capitals(value), autoescape)


@register.filter
def chars(value):
    """The characters of a label, one per line (the vertical 赔偿义务人 cell of forms [1], [3]:
    WeasyPrint has no vertical writing mode)."""
    return list(str(value))


@register.filter
def clause(value):
    """User text set inside a sentence of the form: without its own closing 。；; (so the form's
    punctuation does not double it)."""
    if value is None:
        return None
    return str(value).rstrip("。；;，,. \n")
