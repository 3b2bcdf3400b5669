"""Who is calling: a bearer token of a registered, unrevoked `ApiClient`; how often: a fixed
window per client in Django's cache (ECOCLAIM_API_RATE_LIMIT); as whom: the client's service
user, for scoping, permissions and the audit trail."""

import functools
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from workflow.audit import acting_as

from .models import ApiClient, token_digest

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400,
            "day": 86400}


class ClientToken(HttpBearer):
    def authenticate(self, request, token):
        if not token:
            return None
        client = (ApiClient.objects.select_related("user__department__jurisdiction",
                                                   "department__jurisdiction")
                  .filter(token_hash=token_digest(token), revoked_at__isnull=True).first())
        if client is None or not client.user.is_active:
            return None
        request.user = client.user
        return client


def parse_rate(rate: str) -> tuple[int, int]:
    """"120/min" → (120, 60)."""
    try:
        count, period = rate.split("/")
        return int(count), _PERIODS[period.strip().lower()]
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"ECOCLAIM_API_RATE_LIMIT must look like '120/min', not {rate!r}") from exc


class ClientRateThrottle(BaseThrottle):
    """A fixed window per client: the (limit+1)-th call of a window answers 429."""

    def allow_request(self, request) -> bool:
        limit, period = parse_rate(settings.ECOCLAIM_API_RATE_LIMIT)
        now = time.time()
        key = f"api-rate:{request.auth.pk}:{int(now // period)}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
        self._wait = math.ceil(period - now % period)
        return count <= limit

    def wait(self):
        return self._wait


def as_client(func):
    """Run the operation with every change attributed to the client's service user."""

    @functools.wraps(func)
    def wrapper(request, *args, **kwargs):
        with acting_as(request.auth.user):
            return func(request, *args, **kwargs)

    return wrapper
