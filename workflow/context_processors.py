from django.urls import NoReverseMatch, reverse

from accounts.roles import Role, roles_of

# The stages in the order a case passes them; an entry shows once its app has its URLs.
STAGES = [
    ("screening", "线索筛查", "screening:clue_list"),
    ("cases", "索赔案件", "cases:case_list"),
    ("negotiation", "磋商与司法确认", "negotiation:index"),
    ("restoration", "修复与资金", "restoration:index"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for key, label, url_name in STAGES:
        try:
            items.append({"key": key, "label": label, "url": reverse(url_name)})
        except NoReverseMatch:
            continue
    current = request.resolver_match.app_name if request.resolver_match else ""
    unread = _load_roles_and_unread(user)
    return {
        "nav_stages": items,
        "nav_current": current,
        "nav_roles": [r.label for r in roles_of(user)],
        "nav_is_admin": user.is_staff and Role.ADMIN in roles_of(user),
        "nav_unread": unread,
        "nav_unread_label": f"{UNREAD_CAP}+" if unread > UNREAD_CAP else str(unread),
    }


UNREAD_CAP = 99


def _load_roles_and_unread(user) -> int:
    """The unread-notification count for the navbar's badge, read in the query that loads the
    user's roles (roles_of's cache is filled from it), so that a page makes no more queries
    than it did before the badge existed."""
    from django.db.models import IntegerField, Value
    from django.db.models.functions import Coalesce

    from .notifications import unread_count, unread_count_expression

    if getattr(user, "_roles_cache", None) is not None:
        return unread_count(user)
    rows = list(user.groups.annotate(
        unread=Coalesce(unread_count_expression(user), Value(0), output_field=IntegerField())
    ).values_list("name", "unread"))
    by_label = {r.label: r for r in Role}
    # the same list roles_of() builds and caches
    user._roles_cache = sorted((by_label[name] for name, _ in rows if name in by_label),
                               key=list(Role).index)
    return rows[0][1] if rows else unread_count(user)
