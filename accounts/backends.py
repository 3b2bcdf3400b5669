from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

UserModel = get_user_model()


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend, loading the session's user with their department and its
    jurisdiction in one query (every scoped page, accounts/scoping.py, needs both), and their
    permissions, their own and their groups', in one query instead of two."""

    def get_user(self, user_id):
        try:
            user = (UserModel._default_manager.select_related("department__jurisdiction")
                    .get(pk=user_id))
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                return super().get_all_permissions(user_obj, obj)
            with connection.cursor() as cursor:
                cursor.execute(_ALL_PERMISSIONS, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{codename}" for app, codename in cursor}
        return user_obj._perm_cache


_own = UserModel._meta.get_field("user_permissions")
_groups = UserModel._meta.get_field("groups")
_group_perms = Group._meta.get_field("permissions")
# Plain SQL: the ORM's compilation of this query cost more than running it, on every page.
_ALL_PERMISSIONS = f"""
    SELECT ct.app_label, p.codename
    FROM {Permission._meta.db_table} p
    JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id
    WHERE p.id IN (
        SELECT up.{_own.m2m_reverse_name()} FROM {_own.m2m_db_table()} up
        WHERE up.{_own.m2m_column_name()} = %s
        UNION
        SELECT gp.{_group_perms.m2m_reverse_name()} FROM {_group_perms.m2m_db_table()} gp
        JOIN {_groups.m2m_db_table()} ug
          ON ug.{_groups.m2m_reverse_name()} = gp.{_group_perms.m2m_column_name()}
        WHERE ug.{_groups.m2m_column_name()} = %s)"""
