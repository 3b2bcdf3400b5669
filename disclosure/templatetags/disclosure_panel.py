"""The case page's 信息公开 panel (templates/disclosure/_case_panel.html), without touching
cases/views.py: the case's publications and, for whoever can work the case, the link to prepare
one."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def disclosure_panel(context, case) -> dict:
    user = context["request"].user
    if not user.has_perm("disclosure.view_publication"):
        return {"visible": False}
    can_prepare = user.has_perm("disclosure.add_publication") and case.is_workable_by(user)
    publications = list(case.publications.order_by("-created_at", "-pk")[:20])
    return {"visible": bool(publications) or can_prepare, "publications": publications,
            "can_prepare": can_prepare}
