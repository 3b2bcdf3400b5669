"""Registering and revoking API clients."""

import secrets

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role, group_name

from .models import ApiClient, token_digest

TOKEN_PREFIX = "eck_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def register_client(*, name: str, department, role: str = Role.OFFICER, operations=(),
                    by=None) -> tuple[ApiClient, str]:
    """A new client with its service user (the department, the role, no usable password) and
    its token. The token is returned once and only its SHA-256 is kept."""
    token = new_token()
    with transaction.atomic():
        user = User(username=f"api-{secrets.token_hex(6)}", full_name=f"接口：{name}"[:50],
                    department=department, title="外部系统接口")
        user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get(name=group_name(Role(role)))])
        client = ApiClient.objects.create(
            name=name, department=department, role=role, operations=sorted(set(operations)),
            user=user, token_hash=token_digest(token), token_prefix=token[:10], created_by=by)
    return client, token


def sync_service_user(client: ApiClient) -> None:
    """After the administrator edits a client: its service user follows the department and
    role (the token stays)."""
    user = client.user
    user.department, user.full_name = client.department, f"接口：{client.name}"[:50]
    user.save(update_fields=["department", "full_name"])
    user.groups.set([Group.objects.get(name=group_name(Role(client.role)))])


def revoke_client(client: ApiClient) -> None:
    """The token stops working at once; the client and its history stay."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            client.user.is_active = False
            client.user.save(update_fields=["is_active"])
