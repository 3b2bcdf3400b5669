from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

UserModel = get_user_model()


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend, loading the session's user with their department and its
    jurisdiction in one query: every scoped page (accounts/scoping.py) needs both."""

    def get_user(self, user_id):
        try:
            user = (UserModel._default_manager.select_related("department__jurisdiction")
                    .get(pk=user_id))
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
