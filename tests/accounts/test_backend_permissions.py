"""The session user's permissions, their own and their groups', come in one query (issue 14
§4: one query less on every page) and are exactly what Django's ModelBackend gives."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission

from accounts.backends import ModelBackend
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_own_and_group_permissions_in_one_query(django_assert_num_queries):
    user = UserFactory(role=Role.OFFICER)
    user.user_permissions.add(Permission.objects.get(codename="export_screening_report"))
    extra = Group.objects.create(name="临时组")
    extra.permissions.add(Permission.objects.get(codename="view_party"))
    user.groups.add(extra)
    expected = DjangoModelBackend().get_all_permissions(fresh(user))
    assert "screening.export_screening_report" in expected and "parties.view_party" in expected
    assert len(expected) > 5  # the officer's group's own
    user = fresh(user)
    with django_assert_num_queries(1):
        assert ModelBackend().get_all_permissions(user) == expected
        assert user.has_perm("parties.view_party") and user.has_perm("screening.view_clue")
    assert not user.has_perm("auth.delete_group")


def test_no_permissions_for_an_inactive_user_all_for_a_superuser():
    user = UserFactory(role=Role.OFFICER)
    user.is_active = False
    assert ModelBackend().get_all_permissions(user) == set()
    boss = UserFactory(is_superuser=True)
    assert ModelBackend().get_all_permissions(fresh(boss)) == \
        DjangoModelBackend().get_all_permissions(fresh(boss))
    assert len(ModelBackend().get_all_permissions(fresh(boss))) == Permission.objects.count()


def test_a_user_without_groups_or_permissions_has_none():
    user = UserFactory()
    user.groups.clear()
    assert ModelBackend().get_all_permissions(fresh(user)) == set()
