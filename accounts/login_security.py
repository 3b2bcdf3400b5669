"""Who is logging in, and when to stop them (django-axes hooks, wired in config/settings/base.py).

- `client_ip`: the client's address behind ECOCLAIM_TRUSTED_PROXY_COUNT reverse proxies
  (AXES_CLIENT_IP_CALLABLE; use it wherever an address is recorded).
- `LoginLockoutHandler`: axes's database handler with two limits, one per user name and address
  (AXES_FAILURE_LIMIT) and one per address across user names
  (ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT).
- `lockout_response`: the Chinese lockout page (AXES_LOCKOUT_CALLABLE), status 429.
"""

import ipaddress
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


def client_ip(request) -> str | None:
    """The address of the client that sent `request`.

    With N trusted proxies each appends the address it was connected from to X-Forwarded-For,
    so the client's address is the N-th entry from the right; whatever a client wrote into the
    header itself stands further left and is never used. Without proxies (N = 0), or when the
    header does not hold N valid entries (a request that did not pass the proxies), it is
    REMOTE_ADDR.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.ECOCLAIM_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote_addr
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return remote_addr
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote_addr


def _own_limit(parameter) -> int | None:
    """The address-only lockout parameter has its own limit; the others use axes's."""
    if parameter in ("ip_address", ["ip_address"]):
        return settings.ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT
    return None


class LoginLockoutHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler with one limit per lockout parameter.

    axes compares the largest failure count over AXES_LOCKOUT_PARAMETERS with one limit;
    here an address's count across user names is held against its own (higher) limit, and
    the result is told to axes as "at the limit" or "below it".
    """

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        failures = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own_limit = _own_limit(parameter)
            if own_limit is not None:
                count = max(count, limit) if count >= own_limit else min(count, limit - 1)
            failures = max(failures, count)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login forgives that user's failures from that address only: logging in
        to one's own account must not wipe the address's failures on other user names."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address).delete()
        return count


def zh_duration(delta: timedelta) -> str:
    """30 minutes → "30分钟"; 90 minutes → "1小时30分钟"; 1 day → "1天"."""
    seconds = max(int(delta.total_seconds()), 0)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    parts = [f"{value}{unit}" for value, unit in
             ((days, "天"), (hours, "小时"), (minutes, "分钟"), (seconds, "秒")) if value]
    return "".join(parts) or "0秒"


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login outcome while locked: 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    response = render(request, "registration/locked_out.html", {
        "cooloff_text": zh_duration(cool_off) if cool_off else None,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    add_never_cache_headers(response)
    return response
