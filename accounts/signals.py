from django.apps import apps
from django.contrib.auth.management import create_permissions

from .roles import sync_role_groups


def sync_roles_after_migrate(sender, using="default", **kwargs):
    # Permissions of every app must exist before roles can reference them.
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_role_groups()
