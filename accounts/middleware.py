import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreForUsersMiddleware:
    """Every response to a logged-in user, pages and downloads (attachments, generated PDFs,
    exports) alike, is `Cache-Control: no-store, private`: case data must stay neither in a
    shared cache nor in the browser's history after logout. Static files never get here
    (WhiteNoise answers them earlier and keeps their long caching)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "public_page", False):
            # /public/ (disclosure/public.py): the same page for everyone and nothing of the
            # user's; not reading request.user keeps the session untouched (no Vary: Cookie)
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


def stamp_session_at_login(sender, request, user, **kwargs):
    """The login saves the session anyway: stamp it then, so the first page does not write."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRefreshMiddleware.KEY] = int(time.time())


class SessionRefreshMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE (8 hours) without activity, as with
    SESSION_SAVE_EVERY_REQUEST, but the session row is written only when its last refresh is
    ECOCLAIM_SESSION_REFRESH_SECONDS old or more, not on every page: an active user's session
    ends at most that long before 8 idle hours are over, never after."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # nothing to keep alive (anonymous, logged out)
        now = int(time.time())
        refreshed = session.get(self.KEY)
        if (session.modified or not isinstance(refreshed, int)
                or now - refreshed >= settings.ECOCLAIM_SESSION_REFRESH_SECONDS):
            session[self.KEY] = now  # SessionMiddleware saves it, expiry 8 hours from now
        return response
