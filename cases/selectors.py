"""Read-side queries of cases for other pages: 我的案件 (the case list's filter and the home
page's panel). Always within the scoping rule (Case.objects.visible_to)."""

from django.db.models import Q

from .models import Case, Investigation

MY_CASES_PANEL_SIZE = 8


def my_cases_q(user) -> Q:
    """Cases where the user is the handler (经办人, `Case.created_by`) or a member of the
    investigation team (调查人员, `Investigation.team`)."""
    teams = Investigation.team.through.objects.filter(user=user.pk).values("investigation__case")
    return Q(created_by=user.pk) | Q(pk__in=teams)


def my_cases(user):
    return Case.objects.visible_to(user).filter(my_cases_q(user))


def my_cases_panel(user) -> dict:
    """The home page's 我的案件 panel: the user's newest cases still open, and how to see all."""
    from django.urls import reverse

    if not user.has_perm("cases.view_case"):
        return {"visible": False}
    open_cases = my_cases(user).exclude(stage__in=[Case.Stage.TERMINATED, Case.Stage.CLOSED])
    rows = list(open_cases.select_related("department").order_by("-opened_on", "-id")
                [:MY_CASES_PANEL_SIZE + 1])
    return {"visible": True, "cases": rows[:MY_CASES_PANEL_SIZE],
            "more": len(rows) > MY_CASES_PANEL_SIZE,
            "url": reverse("cases:case_list") + "?mine=on"}
