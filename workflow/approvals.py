"""The reusable approval mechanism: an officer requests a decision, heads approve in order with
an opinion, or send it back with an opinion.

An approval action names the subject's transitions: `request_transition` moves the record
into "待审批" when the request is made, `approve_transition` runs when the last step approves
(with the opinions as the transition's approval record), `return_transition` when any step
sends it back. `on_approved` does the multi-object work of an approval (e.g. opening a case)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role, roles_of

from . import transitions
from .models import ApprovalRequest, ApprovalStep


class ApprovalError(transitions.TransitionError):
    pass


@dataclass(frozen=True)
class ApprovalAction:
    code: str
    title: str
    steps: tuple[Role, ...]
    request_transition: str
    approve_transition: str
    return_transition: str
    on_approved: Callable | None = None


_actions: dict[str, ApprovalAction] = {}


def register(action: ApprovalAction) -> ApprovalAction:
    _actions[action.code] = action
    return action


def action(code: str) -> ApprovalAction:
    return _actions[code]


def request_approval(subject, code: str, *, by, summary: str,
                     payload: dict | None = None, seen_state: str | None = None,
                     **transition_kwargs) -> ApprovalRequest:
    spec = action(code)
    if not summary.strip():
        raise ApprovalError("请填写申请理由。")
    with transaction.atomic():
        subject = transitions.perform(subject, spec.request_transition, by=by, reason=summary,
                                      expected_state=seen_state, **transition_kwargs)
        request = ApprovalRequest.objects.create(
            content_type=ContentType.objects.get_for_model(subject),
            object_id=subject.pk,
            department=subject.department,
            action=spec.code,
            title=spec.title,
            summary=summary,
            payload=payload or {},
            requested_by=by,
        )
        for order, role in enumerate(spec.steps, start=1):
            ApprovalStep.objects.create(
                request=request, order=order, role=role, department=subject.department,
                decision=ApprovalStep.Decision.PENDING if order == 1
                else ApprovalStep.Decision.WAITING,
            )
    return request


def opinions(request: ApprovalRequest) -> dict:
    return {
        "request": request.pk,
        "title": request.title,
        "requested_by": str(request.requested_by),
        "steps": [
            {"role": s.get_role_display(), "by": str(s.decided_by) if s.decided_by else "",
             "at": s.decided_at.isoformat() if s.decided_at else "",
             "decision": s.get_decision_display(), "opinion": s.opinion}
            for s in request.steps.order_by("order")
        ],
    }


def decide(step: ApprovalStep, *, by, approve: bool, opinion: str) -> ApprovalRequest:
    """Approve or send back the step that is waiting for `by`. Two heads deciding the same step
    at once: the second finds it decided and is told so."""
    if not opinion.strip():
        raise ApprovalError("请填写审批意见。")
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=step.request_id)
        step = ApprovalStep.objects.select_related("department").get(pk=step.pk)
        if request.status != ApprovalRequest.Status.PENDING or \
                step.decision != ApprovalStep.Decision.PENDING:
            raise ApprovalError("该申请已由他人处理，请刷新页面。")
        if not can_decide(step, by):
            raise PermissionDenied("您不是该环节的审批人。")
        spec = action(request.action)
        step.decision = ApprovalStep.Decision.APPROVED if approve else \
            ApprovalStep.Decision.RETURNED
        step.decided_by, step.decided_at, step.opinion = by, timezone.now(), opinion
        step.save()
        subject = request.subject
        if not approve:
            for waiting in request.steps.filter(decision=ApprovalStep.Decision.WAITING):
                waiting.decision = ApprovalStep.Decision.SKIPPED
                waiting.save()
            _close(request, ApprovalRequest.Status.RETURNED)
            transitions.perform(subject, spec.return_transition, by=by, reason=opinion,
                                approval=opinions(request))
            return request
        following = request.steps.filter(order__gt=step.order).order_by("order").first()
        if following is not None:
            following.decision = ApprovalStep.Decision.PENDING
            following.save()
            return request
        _close(request, ApprovalRequest.Status.APPROVED)
        subject = transitions.perform(subject, spec.approve_transition, by=by, reason=opinion,
                                      approval=opinions(request))
        if spec.on_approved is not None:
            spec.on_approved(subject, request, by)
    return request


def decision_message(request: ApprovalRequest, approve: bool) -> str:
    """What the decision did and what comes next (the message after it; issue 17)."""
    request.refresh_from_db()
    if not approve:
        return f"已退回申请人。“{request.title}”可以补充修改后重新提交。"
    waiting = request.steps.filter(decision=ApprovalStep.Decision.PENDING).first()
    if waiting is not None:
        return f"已同意。“{request.title}”待{Role(waiting.role).label}审批。"
    subject = request.content_type.get_object_for_this_type(pk=request.object_id)
    model = type(subject)
    state = transitions.state_label(model, getattr(subject, transitions.state_field(model).name))
    return f"已同意。“{request.title}”已批准，{model._meta.verbose_name}现为“{state}”。"


def _close(request: ApprovalRequest, status: str) -> None:
    request.status = status
    request.closed_at = timezone.now()
    request.save()


def can_decide(step: ApprovalStep, user) -> bool:
    return (step.decision == ApprovalStep.Decision.PENDING
            and user.department_id == step.department_id
            and Role(step.role) in roles_of(user))


def inbox(user):
    """Steps waiting for this user's decision (one indexed query)."""
    roles = [r.value for r in roles_of(user)]
    if not roles or user.department_id is None:
        return ApprovalStep.objects.none()
    return (ApprovalStep.objects
            .filter(decision=ApprovalStep.Decision.PENDING, department_id=user.department_id,
                    role__in=roles)
            .select_related("request", "request__requested_by", "request__content_type")
            .prefetch_related("request__subject")
            .order_by("request__requested_at", "pk"))


def upcoming(user):
    """Steps of this user's roles and department still waiting for an earlier step (the
    部门负责人 sees what the 机构负责人 has yet to decide: "即将到达", read-only)."""
    roles = [r.value for r in roles_of(user)]
    if not roles or user.department_id is None:
        return ApprovalStep.objects.none()
    return (ApprovalStep.objects
            .filter(decision=ApprovalStep.Decision.WAITING, department_id=user.department_id,
                    role__in=roles, request__status=ApprovalRequest.Status.PENDING)
            .select_related("request", "request__requested_by", "request__content_type")
            .prefetch_related("request__subject", "request__steps")
            .order_by("request__requested_at", "pk"))


def earlier_requests(request: ApprovalRequest, related=()) -> list[ApprovalRequest]:
    """The closed requests on the same record and on ``related`` records (a case's clues): the
    earlier opinions an approver reads before deciding."""
    found = []
    for subject in (request.subject, *related):
        found.extend(r for r in requests_of(subject)
                     if r.pk != request.pk and r.status != ApprovalRequest.Status.PENDING)
    return sorted(found, key=lambda r: (r.requested_at, r.pk))


def pending_step(user, subject) -> ApprovalStep:
    """The one step of ``subject`` waiting for this user (by content type and id: a clue and a
    case may share a primary key)."""
    return inbox(user).get(request__content_type=ContentType.objects.get_for_model(subject),
                           request__object_id=subject.pk)


def requests_of(subject):
    return (ApprovalRequest.objects
            .filter(content_type=ContentType.objects.get_for_model(subject),
                    object_id=subject.pk)
            .prefetch_related("steps__decided_by")
            .select_related("requested_by"))
