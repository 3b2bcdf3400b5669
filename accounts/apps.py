from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "机构与用户"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_session_at_login
        from .signals import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self,
                             dispatch_uid="accounts.sync_roles")
        user_logged_in.connect(stamp_session_at_login, dispatch_uid="accounts.session_stamp")
