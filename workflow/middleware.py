from .audit import acting_as


class AuditActorMiddleware:
    """Every change made while handling a request is attributed to the requesting user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)
