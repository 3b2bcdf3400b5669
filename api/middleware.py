from .models import ApiCall, ApiClient


class ApiCallLogMiddleware:
    """Every call an API client made is recorded as that client, whatever its answer (reads,
    denials and refusals too); calls without a valid token have no client to record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        client = getattr(request, "auth", None)
        if isinstance(client, ApiClient):
            ApiCall.objects.create(client=client, method=request.method,
                                   path=request.get_full_path()[:300],
                                   status=response.status_code)
        return response
