"""Roles are groups; what each may do is the union of the `ROLE_PERMISSIONS` that every
installed app declares in its own `permissions.py` (DOMAIN §1)."""

from django.db import models

from .discovery import app_modules


class Role(models.TextChoices):
    OFFICER = "officer", "经办人"
    DIVISION_HEAD = "division_head", "机构负责人"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    COORDINATOR = "coordinator", "牵头部门协调员"
    PROCURATORATE = "procuratorate", "检察联络员"
    FINANCE = "finance", "财政"
    ADMIN = "admin", "系统管理员"


def group_name(role: Role) -> str:
    return role.label


def declared_permissions() -> dict[Role, set[str]]:
    """{role: {"app_label.codename", ...}} collected from every app's permissions.py."""
    merged: dict[Role, set[str]] = {role: set() for role in Role}
    for module in app_modules("permissions"):
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged[Role(role)].update(perms)
    return merged


def sync_role_groups() -> None:
    """Create one group per role and give it exactly its declared permissions."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in declared_permissions().items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = []
        for dotted in sorted(perms):
            app_label, codename = dotted.split(".", 1)
            try:
                wanted.append(Permission.objects.get(
                    content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist as exc:
                raise LookupError(f"{role.label}: unknown permission {dotted}") from exc
        group.permissions.set(wanted)


def roles_of(user) -> list[Role]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        by_label = {r.label: r for r in Role}
        cached = [by_label[n] for n in user.groups.values_list("name", flat=True) if n in by_label]
        cached.sort(key=lambda r: list(Role).index(r))
        user._roles_cache = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return any(r in roles for r in roles_of(user))
