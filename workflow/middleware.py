from django.conf import settings

from .audit import acting_as


class AuditActorMiddleware:
    """Every change made while handling a request is attributed to the requesting user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie nobody is logged in; not reading request.user then leaves
        # the session untouched, so an anonymous page (/public/) does not vary on Cookie.
        user = getattr(request, "user", None) \
            if settings.SESSION_COOKIE_NAME in request.COOKIES else None
        with acting_as(user):
            return self.get_response(request)
