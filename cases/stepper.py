"""Where the case stands (issue 17): the stages of a claim in order — clue, start,
investigation/appraisal, conclusion, negotiation, confirmation/litigation,
performance/restoration, closed — each done, current or still ahead, naming the branch the case
took where the road forks (appraisal or not; judicial confirmation, litigation or enforcement;
termination after the conclusion). The branches come from the states the case has been in
(its audit trail: one query)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from workflow.models import AuditEvent

from .models import Case

S = Case.Stage

# (label, the stages that are this step, {stage: the branch's name})
STEPS = [
    ("线索", (), {}),
    ("启动索赔", (S.DRAFT, S.INITIATION_APPROVAL), {}),
    ("调查与鉴定评估", (S.INVESTIGATING, S.APPRAISING), {S.APPRAISING: "鉴定评估"}),
    ("调查结论", (S.CONCLUDED, S.TERMINATION_APPROVAL), {S.TERMINATION_APPROVAL: "申请终止"}),
    ("磋商", (S.NEGOTIATING,), {}),
    ("司法确认或诉讼", (S.CONFIRMING, S.LITIGATING, S.ENFORCING),
     {S.CONFIRMING: "司法确认", S.LITIGATING: "诉讼", S.ENFORCING: "强制执行"}),
    ("履行与修复", (S.PERFORMING,), {}),
    ("结案", (S.CLOSING_APPROVAL, S.CLOSED), {}),
]


@dataclass
class Step:
    label: str
    status: str  # done / current / ahead / skipped
    branches: list[str]

    @property
    def status_label(self) -> str:
        return {"done": "已完成", "current": "当前阶段", "ahead": "未开始",
                "skipped": "未经过"}[self.status]


def visited_stages(case: Case) -> set[str]:
    """The stages the case has been in, from its transitions (to_state holds the label)."""
    by_label = {label: value for value, label in S.choices}
    labels = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk),
        action=AuditEvent.Action.TRANSITION).values_list("to_state", flat=True)
    return {by_label[label] for label in labels if label in by_label} | {case.stage}


def stepper(case: Case, visited: set[str] | None = None) -> list[Step]:
    visited = visited_stages(case) if visited is None else visited
    current = next((i for i, (_, stages, _) in enumerate(STEPS) if case.stage in stages), None)
    steps = []
    for index, (label, stages, branches) in enumerate(STEPS):
        taken = [name for stage, name in branches.items() if stage in visited]
        if case.stage == S.TERMINATED:
            # ended after the conclusion: the later stages were never reached
            status = "done" if index <= 3 else ("current" if index == len(STEPS) - 1 else "skipped")
            if index == len(STEPS) - 1:
                label, taken = "索赔终止", []
        elif current is None or index < current:
            status = "done" if index == 0 or any(s in visited for s in stages) else "skipped"
        elif index == current:
            status = "done" if case.stage == S.CLOSED else "current"
        else:
            status = "ahead"
        steps.append(Step(label, status, taken))
    return steps
