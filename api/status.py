"""What a referring body is told about a clue or a case it may see (NT 三(二); SX 第八条): where
it stands, the next deadline, the decisions taken and the result. Linked records are listed
only when the same user may see them too (the one scoping rule)."""

from cases.models import Case
from cases.parts import deadlines_of_case
from screening.models import Clue
from workflow.approvals import requests_of
from workflow.deadlines import deadlines_of
from workflow.models import Deadline

ACTIVE = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)


def _deadline(deadlines):
    d = deadlines.filter(status__in=ACTIVE).first()
    if d is None:
        return None
    return {"kind": d.kind, "title": d.title, "due": d.due, "status": d.status,
            "status_label": d.get_status_display(), "explanation": d.explanation,
            "citation": d.citation}


def _decisions(subject):
    return [{
        "title": r.title, "status": r.status, "status_label": r.get_status_display(),
        "requested_at": r.requested_at, "closed_at": r.closed_at,
        "steps": [{"role_label": s.get_role_display(), "decision": s.decision,
                   "decision_label": s.get_decision_display(), "decided_at": s.decided_at,
                   "opinion": s.opinion} for s in r.steps.all()],
    } for r in requests_of(subject).order_by("requested_at", "id")]


def clue_status(clue: Clue, user) -> dict:
    cases = Case.objects.visible_to(user).filter(clues=clue).order_by("opened_on", "id")
    return {
        "kind": "clue", "number": clue.number, "state": clue.state,
        "state_label": clue.get_state_display(), "department": clue.department.name,
        "channel": clue.channel.code, "source_reference": clue.source_reference,
        "found_on": clue.found_on, "registered_on": clue.registered_on,
        "next_deadline": _deadline(deadlines_of(clue)),
        "decisions": _decisions(clue),
        "result": {
            "decision": clue.decision, "decision_label": clue.get_decision_display(),
            "decision_reason": clue.decision_reason,
            "decision_reason_label": clue.get_decision_reason_display(),
            "decision_note": clue.decision_note, "decided_on": clue.decided_on,
            "cases": [{"number": c.number, "stage": c.stage, "stage_label": c.get_stage_display()}
                      for c in cases],
            "referrals": [{"to_department": r.to_department.name, "sent_on": r.sent_on,
                           "received_clue": r.received_clue.number if r.received_clue else None}
                          for r in clue.referrals.select_related("to_department",
                                                                 "received_clue")],
            "feedbacks": [{"sent_on": f.sent_on, "content": f.content}
                          for f in clue.feedbacks.order_by("sent_on", "id")],
        },
    }


def _amount(value):
    return None if value is None else f"{value:.2f}"


def case_status(case: Case, user) -> dict:
    clues = Clue.objects.visible_to(user).filter(cases=case).order_by("registered_on", "id")
    return {
        "kind": "case", "number": case.number, "stage": case.stage,
        "stage_label": case.get_stage_display(), "department": case.department.name,
        "opened_on": case.opened_on, "clues": [c.number for c in clues],
        "next_deadline": _deadline(deadlines_of_case(case)),
        "decisions": _decisions(case),
        "result": {
            "closed": case.stage == Case.Stage.CLOSED,
            "terminated": case.stage == Case.Stage.TERMINATED,
            "termination_reason": case.termination_reason,
            "classification": case.classification,
            "estimated_amount": _amount(case.estimated_amount),
            "appraised_amount": _amount(case.appraised_amount),
        },
    }
