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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
