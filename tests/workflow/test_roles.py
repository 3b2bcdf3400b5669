import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role, declared_permissions, group_name

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_exactly_its_declared_permissions():
    declared = declared_permissions()
    for role in Role:
        group = Group.objects.get(name=group_name(role))
        held = {f"{p.content_type.app_label}.{p.codename}"
                for p in group.permissions.select_related("content_type")}
        assert held == declared[role], role


def test_only_officers_register_clues_and_nobody_but_admins_configures():
    declared = declared_permissions()
    assert [r for r in Role if "screening.add_clue" in declared[r]] == [Role.OFFICER]
    assert [r for r in Role if "accounts.change_user" in declared[r]] == [Role.ADMIN]
