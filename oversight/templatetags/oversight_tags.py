from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def figure(value, href="", name="", key="", css=""):
    """A figure with the link to the list it counts, or the bare figure where the user may not
    open that list (a finance department has no clue or case list)."""
    attrs = format_html(' data-figure="{}{}"', name, key) if name else ""
    cls = format_html(' class="{}"', css) if css else ""
    if href:
        return format_html('<a{} href="{}"{}>{}</a>', cls, href, attrs, value)
    return format_html("<span{}{}>{}</span>", cls, attrs, value)
