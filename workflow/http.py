"""Helpers that keep stage views thin: one way to run a transition from a POST."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from . import transitions


def transition_from_post(request, obj, *, success_url):
    """POST carries `transition`, `reason` and the state the user saw (`seen_state`)."""
    name = request.POST.get("transition", "")
    try:
        transitions.perform(
            obj, name, by=request.user,
            reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("seen_state") or None,
        )
    except transitions.TransitionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except transitions.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "操作已完成。")
    return redirect(success_url)
