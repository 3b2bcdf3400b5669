"""{% my_cases_panel user as my_cases %}: the home page's 我的案件 panel data
(cases.selectors.my_cases_panel), so that the home view needs no change to show it."""

from django import template

from cases.selectors import my_cases_panel as panel

register = template.Library()


@register.simple_tag
def my_cases_panel(user) -> dict:
    return panel(user)
