from django.db import transaction
from django.utils import timezone

from workflow import approvals, transitions
from workflow.approvals import requests_of
from workflow.models import ApprovalRequest
from workflow.numbering import next_number

from .classification import reclassify
from .models import Case, CaseObligor, Investigation


def open_case_from_clue(clue, *, by, note: str, join_case: Case | None = None,
                        seen_state: str | None = None, trivial_assessment=None) -> Case:
    """The officer's 启动索赔 on a clue (issue 17): a new case in 索赔启动登记 (the officer
    completes form [1] and submits it for its 启动审批), or the clue joins a case of the same
    department (several clues, one case). Starting a claim is approved once (NAT 三), on the
    case: the clue waits for that approval (`clue_started`), or, joining a case already
    started, is covered by the approval the case had."""
    with transaction.atomic():
        if join_case is not None:
            case = Case.objects.select_for_update().get(pk=join_case.pk,
                                                        department=clue.department)
        else:
            today = timezone.localdate()
            seq = next_number(f"case:{clue.jurisdiction.code}", today.year)
            case = Case.objects.create(
                number=f"{clue.jurisdiction.code}-{today.year}-SP{seq:04d}",
                jurisdiction=clue.jurisdiction,
                department=clue.department,
                rule_profile=clue.rule_profile,
                source=f"{clue.channel}（线索 {clue.number}）",
                cause=clue.summary[:200],
                summary=note,
                damage_place=" ".join(filter(None, [str(clue.place or ""), clue.place_detail])),
                damage_type=clue.damage_type,
                estimated_amount=clue.estimated_amount,
                opened_on=today,
                created_by=by,
            )
            Investigation.objects.create(case=case)
        started = case.stage not in (Case.Stage.DRAFT, Case.Stage.INITIATION_APPROVAL)
        if started:
            transitions.perform(clue, "join_started_case", by=by, reason=note,
                                expected_state=seen_state, approval=start_approval(case),
                                trivial_assessment=trivial_assessment)
        else:
            transitions.perform(clue, "request_case_opening", by=by, reason=note,
                                expected_state=seen_state,
                                trivial_assessment=trivial_assessment)
        # whoever takes part in the clue (a referring procuratorate, SX 第八条; NT 三(二)
        # 信息共享) follows the case it is opened into or joins
        case.participants.add(*clue.participants.all())
        case.clues.add(clue)
        for party in clue.suspected_obligors.all():
            CaseObligor.objects.get_or_create(case=case, party=party)
        reclassify(case, by=by)
    return case


def start_approval(case: Case) -> dict:
    """The approved 启动审批 of `case` (who, when, opinions), as a transition's approval record."""
    request = (requests_of(case).filter(action="case_initiation",
                                        status=ApprovalRequest.Status.APPROVED)
               .order_by("-closed_at").first())
    return approvals.opinions(request) if request is not None else {}


def clue_started(case: Case, request, by) -> None:
    """The case's 启动审批 is approved: its clues waiting for it are 已启动索赔, with the same
    approval record (one decision, NAT 三)."""
    from screening.models import Clue

    record = approvals.opinions(request)
    opinion = request.steps.order_by("-order").first().opinion
    for clue in case.clues.filter(state=Clue.State.AWAITING_APPROVAL,
                                  decision=Clue.Decision.OPEN_CASE).order_by("pk"):
        transitions.perform(clue, "approve_case_opening", by=by, reason=opinion,
                            approval=record)
