"""The case page's 下一步 card (issue 17): every action the user may take now anywhere in the
case — on the case itself or on the pages of its parts (rounds, agreements, court records,
appraisals, restoration projects, funds, documents, approvals) — each with where it is done,
and the actions not yet possible with their unmet conditions.

Each app registers a provider `func(ctx) -> iterable of NextStep` (in its own
`next_steps.py`, autodiscovered by cases/apps.py), so cases never imports a later stage. The
rules stay where they are: a provider asks the models' transitions (`options_for`, with their
permissions and conditions) and the flags its own pages already use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse

from workflow.approvals import inbox
from workflow.models import ApprovalStep
from workflow.transitions import TransitionOption, options_for, state_field


@dataclass
class NextStep:
    label: str
    url: str
    where: str = ""  # the record the action belongs to, when not the case itself
    method: str = "get"  # "post": a button posting `fields` to `url`
    fields: dict = field(default_factory=dict)
    unmet: list[str] = field(default_factory=list)
    style: str = "primary"
    testid: str = ""

    @property
    def allowed(self) -> bool:
        return not self.unmet


@dataclass
class Context:
    """What every provider gets: the case, the user, whether the user may handle the case (the
    scoping rule's `workable_by` and the role), and the case's parts ({Model: [pk]})."""
    case: object
    user: object
    can_handle: bool
    parts: dict


Provider = Callable[[Context], Iterable[NextStep]]
_providers: list[Provider] = []


def provider(func: Provider) -> Provider:
    if func not in _providers:
        _providers.append(func)
    return func


def next_steps(case, user, *, can_handle: bool, parts: dict) -> tuple[list, list]:
    """(possible now, not yet possible) for this user on this case."""
    context = Context(case, user, can_handle, parts)
    steps = [step for func in _providers for step in func(context)]
    return [s for s in steps if s.allowed], [s for s in steps if not s.allowed]


def transition_steps(obj, user, *, url: str, where: str = "", post_url: str = "",
                     hidden: bool = False) -> list[NextStep]:
    """The transitions the user may run on `obj` from its state (its permission and its
    conditions, via `options_for`): buttons posting to `post_url`, or links to `url` (the
    record's page) where the action is done. `hidden`: also the transitions a page runs
    through its own form (a court ruling recorded …), named with their conditions."""
    options = options_for(obj, user)
    if hidden:
        fsm = state_field(type(obj))
        shown = {o.name for o in options}
        options += [_option(t, obj) for t in fsm.get_all_transitions(type(obj))
                    if t.source in (getattr(obj, fsm.name), "*") and t.name not in shown
                    and t.custom.get("hidden") and t.has_perm(obj, user)]
    state = getattr(obj, state_field(type(obj)).name)
    steps = []
    for option in options:
        if option.reason_required or not post_url:
            steps.append(NextStep(option.label, url, where=where, unmet=option.unmet,
                                  style=option.style))
        else:
            steps.append(NextStep(option.label, post_url, where=where, method="post",
                                  fields={"transition": option.name, "seen_state": state},
                                  unmet=option.unmet, style=option.style))
    return steps


def _option(transition, obj) -> TransitionOption:
    return TransitionOption(
        name=transition.name, label=transition.custom.get("label", transition.name),
        target=transition.target,
        unmet=[c.description for c in transition.conditions if not c(obj)],
        style=transition.custom.get("style", "primary"))


@provider
def approvals_waiting(ctx: Context) -> list[NextStep]:
    """Approval steps of the case or its parts waiting for this user's decision (the inbox's
    own rule: the user's roles in the step's department)."""
    steps = list(ctx.parts.get(ApprovalStep, []))
    waiting = inbox(ctx.user).filter(pk__in=steps).prefetch_related(None)
    return [NextStep(f"审批：{step.request.title}",
                     reverse("workflow:approval_decide", args=[step.pk]),
                     where=step.get_role_display(), testid="next-approval")
            for step in waiting]


def option_named(obj, name: str, user) -> TransitionOption | None:
    """The transition `name` from the record's state (hidden ones too: a view runs them), with
    its unmet conditions; None without that transition or its permission."""
    fsm = state_field(type(obj))
    for transition in fsm.get_all_transitions(type(obj)):
        if transition.name == name and transition.source in (getattr(obj, fsm.name), "*"):
            return _option(transition, obj) if transition.has_perm(obj, user) else None
    return None


@provider
def case_steps(ctx: Context) -> list[NextStep]:
    """The case's own actions: form [1] and its approval, the investigation, the appraisals,
    the conclusion, termination and the transitions of the case page."""
    from .models import Appraisal, Case

    case, user = ctx.case, ctx.user
    if not ctx.can_handle or case.is_read_only:
        return []
    S = Case.Stage
    steps = []
    if case.stage == S.DRAFT:
        steps.append(NextStep("填写索赔启动登记表", reverse("cases:case_initiation", args=[case.pk]),
                              style="outline-primary"))
        submit = option_named(case, "submit_initiation", user)
        if submit:
            steps.append(NextStep(submit.label, reverse("cases:case_submit_initiation",
                                                        args=[case.pk]),
                                  method="post", fields={"seen_state": case.stage},
                                  unmet=submit.unmet, style="success"))
    if case.stage in (S.INVESTIGATING, S.APPRAISING):
        steps.append(NextStep("填写调查情况登记表", reverse("cases:case_investigation",
                                                           args=[case.pk]),
                              style="outline-primary"))
        steps.append(NextStep("委托鉴定评估", reverse("cases:appraisal_entrust", args=[case.pk]),
                              style="outline-primary", testid="next-appraisal-entrust"))
    running = (case.appraisals.filter(status=Appraisal.Status.RUNNING)
               if case.stage in (S.INVESTIGATING, S.APPRAISING) else [])
    for appraisal in running:
        where = f"鉴定评估：{appraisal.get_method_display()}"
        steps.append(NextStep("录入结果", reverse("cases:appraisal_result", args=[appraisal.pk]),
                              where=where))
        if not appraisal.period_extended and appraisal.deadline:  # as the 鉴定评估 panel
            steps.append(NextStep("延长期限", reverse("cases:appraisal_extend",
                                                    args=[appraisal.pk]),
                                  where=where, style="outline-secondary"))
    steps += transition_steps(case, user, url=case.get_absolute_url(),
                              post_url=reverse("cases:case_transition", args=[case.pk]))
    if case.stage == S.CONCLUDED and option_named(case, "request_termination", user):
        steps.append(NextStep("申请索赔终止", reverse("cases:case_terminate", args=[case.pk]),
                              style="outline-danger"))
    return steps
