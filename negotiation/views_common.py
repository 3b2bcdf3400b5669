"""What the negotiation and court pages share: fetching a record within the user's scope,
refusing an action in a read-only state, running a service and putting its Chinese refusal
where the user sees it, and the actions a record offers with the conditions still unmet."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from cases.models import Case
from workflow.transitions import (
    ConditionsNotMet,
    TransitionError,
    TransitionOption,
    state_field,
)

# What a service may refuse with: its own NegotiationError, a transition's conditions, a stale
# state, an approval error (all TransitionError), an upload or a locked agreement
# (ValidationError).
SERVICE_ERRORS = (TransitionError, ValidationError)

# When an obligor's performance may be reported (CQ 七(四)): from the negotiation on, while the
# case is still being handled.
REPORT_STAGES = (Case.Stage.NEGOTIATING, Case.Stage.PERFORMING, Case.Stage.CONFIRMING,
                 Case.Stage.LITIGATING, Case.Stage.ENFORCING)


def messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ConditionsNotMet):
        return list(exc.unmet)
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


def show_errors(form, exc: Exception) -> None:
    """A service's refusal next to the form field it concerns, else above the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                if name in form.fields:
                    form.add_error(name, message)
                else:
                    form.add_service_error(message)
        return
    for message in messages_of(exc):
        form.add_service_error(message)


def refuse(request, obj, message: str):
    messages.error(request, message)
    return redirect(obj.get_absolute_url())


def for_action(request, queryset, pk):
    """A record for a POST that runs a service with the state the user saw: 404 outside the
    user's handling scope, a redirect with a message when the case is closed or terminated.
    The record's own state is left to the service, whose refusal (e.g. "该记录已被他人处理…")
    is shown to the user."""
    obj = get_object_or_404(queryset.workable_by(request.user), pk=pk)
    if obj.case.is_read_only:
        return obj, refuse(request, obj, f"案件处于“{obj.case.get_stage_display()}”阶段，"
                                         "不能办理此事项。")
    return obj, None


def case_for_action(request, pk, *stages):
    case = get_object_or_404(Case.objects.workable_by(request.user).select_related(
        "department", "rule_profile"), pk=pk)
    if case.is_read_only or (stages and case.stage not in stages):
        return case, refuse(request, case, f"案件处于“{case.get_stage_display()}”阶段，"
                                           "不能办理此事项。")
    return case, None


def run(request, operation: Callable, *, success: str | Callable | None = None):
    """Run a service; its result, or None after a refusal shown as an error message. A
    refusal of permission (TransitionDenied, a PermissionDenied) answers 403."""
    try:
        result = operation()
    except SERVICE_ERRORS as exc:
        for message in messages_of(exc):
            messages.error(request, message)
        return None
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return result


def option(obj, name: str, user) -> TransitionOption | None:
    """The transition `name` (hidden ones included: they are run by the services) from the
    record's current state, with the conditions it still lacks; None when the state has no
    such transition or the user lacks its permission."""
    fsm = state_field(type(obj))
    current = getattr(obj, fsm.name)
    for transition in fsm.get_all_transitions(type(obj)):
        if transition.name != name or transition.source not in (current, "*"):
            continue
        if not transition.has_perm(obj, user):
            return None
        return TransitionOption(
            name=name, label=transition.custom.get("label", name), target=transition.target,
            unmet=[c.description for c in transition.conditions if not c(obj)])
    return None


def options(obj, names, user) -> list[TransitionOption]:
    return [o for o in (option(obj, name, user) for name in names) if o is not None]
