"""The one way a state changes: `perform(obj, "transition_name", by=user, reason=...)`.

It locks the row, checks that the state is still the one the user saw, checks the
transition's permission and conditions, runs the django-fsm transition and saves, all in one
transaction; AuditedModel.save records who, when, from, to, why and the approval. Two users
moving the same record at once: the second waits on the row lock, then finds the state changed
and gets StaleState (after pretix's services/orders.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django_fsm import FSMFieldMixin


class TransitionError(Exception):
    """A transition that cannot be done; the message is for the user, in Chinese."""


class StaleState(TransitionError):
    pass


class ConditionsNotMet(TransitionError):
    def __init__(self, unmet: list[str]):
        self.unmet = unmet
        super().__init__("条件不满足：" + "；".join(unmet))


class TransitionDenied(PermissionDenied):
    pass


def condition(description: str) -> Callable[[Callable[[Any], bool]], Callable[[Any], bool]]:
    """Mark a django-fsm condition with the Chinese sentence shown when it is not met."""

    def mark(func: Callable[[Any], bool]) -> Callable[[Any], bool]:
        func.description = description
        return func

    return mark


def state_field(model: type[models.Model]) -> FSMFieldMixin:
    for f in model._meta.concrete_fields:
        if isinstance(f, FSMFieldMixin):
            return f
    raise TypeError(f"{model.__name__} has no FSM field")


def state_label(model: type[models.Model], value: str) -> str:
    return str(dict(state_field(model).flatchoices).get(value, value))


@dataclass
class TransitionOption:
    name: str
    label: str
    target: str
    unmet: list[str] = field(default_factory=list)
    reason_required: bool = False
    style: str = "primary"

    @property
    def allowed(self) -> bool:
        return not self.unmet


def _transition_for(obj: models.Model, name: str):
    method = getattr(type(obj), name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TransitionError(f"未知操作：{name}")
    return meta.get_transition(getattr(obj, state_field(type(obj)).name))


def options_for(obj: models.Model, user) -> list[TransitionOption]:
    """Transitions from the current state that this user holds the permission for, each with
    the conditions it still lacks (shown greyed out with the reasons)."""
    fsm = state_field(type(obj))
    options = []
    for transition in fsm.get_all_transitions(type(obj)):
        if transition.source not in (getattr(obj, fsm.name), "*"):
            continue
        if transition.custom.get("hidden") or not transition.has_perm(obj, user):
            continue
        options.append(TransitionOption(
            name=transition.name,
            label=transition.custom.get("label", transition.name),
            target=transition.target,
            unmet=[c.description for c in transition.conditions if not c(obj)],
            reason_required=transition.custom.get("reason_required", False),
            style=transition.custom.get("style", "primary"),
        ))
    return options


def done_message(obj: models.Model, name: str) -> str:
    """What a transition did and what comes next, for the message after it (issue 17): the
    transition's `custom["done"]`, else its label and the state the record is now in."""
    model = type(obj)
    transition = next((t for t in state_field(model).get_all_transitions(model)
                       if t.name == name), None)
    custom = transition.custom if transition is not None else {}
    if custom.get("done"):
        return custom["done"]
    state = state_label(model, getattr(obj, state_field(model).name))
    return f"已办理“{custom.get('label', name)}”，{model._meta.verbose_name}现为“{state}”。"


def perform(obj: models.Model, name: str, *, by, reason: str = "",
            approval: dict | None = None, expected_state: str | None = None,
            **kwargs: Any) -> models.Model:
    model = type(obj)
    fsm = state_field(model)
    seen = expected_state if expected_state is not None else getattr(obj, fsm.name)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        current = getattr(locked, fsm.name)
        if current != seen:
            raise StaleState(
                f"该记录已被他人处理，当前状态为“{state_label(model, current)}”，请刷新页面后重试。"
            )
        transition = _transition_for(locked, name)
        if transition is None:
            raise TransitionError(f"当前状态“{state_label(model, current)}”下不能执行此操作。")
        label = transition.custom.get("label", name)
        if not transition.has_perm(locked, by):
            raise TransitionDenied(f"您没有“{label}”的权限。")
        unmet = [c.description for c in transition.conditions if not c(locked)]
        if unmet:
            raise ConditionsNotMet(unmet)
        if transition.custom.get("reason_required") and not reason.strip():
            raise TransitionError(f"“{label}”须填写理由。")
        getattr(locked, name)(by=by, reason=reason, **kwargs)
        locked._audit_transition = {
            "name": label,
            "from_state": state_label(model, current),
            "to_state": state_label(model, getattr(locked, fsm.name)),
            "reason": reason,
            "approval": approval or {},
            "by": by,
            "state_field": fsm.name,
        }
        locked.save()
        follow_up = getattr(locked, "after_transition", None)
        if follow_up is not None:  # same transaction: e.g. a period ends with the stage
            follow_up(name, by=by)
    return locked
