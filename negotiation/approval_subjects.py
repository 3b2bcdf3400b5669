"""What an approver sees of a negotiation round (more meetings, going on past the period;
issue 17): the round and its case (obligors, evidence, classification, amounts)."""

from cases.approval_subjects import case_summary
from workflow.approval_subjects import attachment_items, register_subject

from .models import Negotiation


@register_subject(Negotiation)
def negotiation_summary(negotiation: Negotiation, request):
    summary = case_summary(negotiation.case)
    summary.facts = [("磋商", str(negotiation)),
                     ("磋商状态", negotiation.get_state_display()),
                     ("会议次数", str(negotiation.meetings.count()))] + summary.facts
    summary.evidence = attachment_items(negotiation) + summary.evidence
    summary.related = []
    return summary
