from django.urls import NoReverseMatch, reverse

from .roles import Role, roles_of

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
    return {
        "nav_stages": items,
        "nav_current": current,
        "nav_roles": [r.label for r in roles_of(user)],
        "nav_is_admin": user.is_staff and Role.ADMIN in roles_of(user),
    }
