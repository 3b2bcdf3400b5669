"""Helpers that keep stage views thin: one way to run a transition from a POST."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from . import transitions


def transition_from_post(request, obj, *, success_url):
    """POST carries `transition`, `reason` and the state the user saw (`seen_state`)."""
    name = request.POST.get("transition", "")
    try:
        obj = transitions.perform(
            obj, name, by=request.user,
            reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("seen_state") or None,
        )
    except transitions.TransitionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except transitions.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, transitions.done_message(obj, name))
    return redirect(success_url)


def workable_or_refuse(request, queryset, pk, *states):
    """The record the user may act on (404 outside `workable_by`), and a redirect with a
    Chinese message when its state is not one of `states` or it is read-only; else None."""
    obj = get_object_or_404(queryset.workable_by(request.user), pk=pk)
    fsm = transitions.state_field(type(obj))
    current = getattr(obj, fsm.name)
    if getattr(obj, "is_read_only", False) or (states and current not in states):
        messages.error(request, f"{obj._meta.verbose_name}处于“"
                                f"{transitions.state_label(type(obj), current)}”"
                                f"{fsm.verbose_name}，不能办理此事项。")
        return obj, redirect(obj.get_absolute_url())
    return obj, None
