"""The negotiation stage's records on the case page (timeline and deadlines)."""

from cases.parts import case_parts
from workflow.models import ApprovalRequest, ApprovalStep

from .models import (
    Agreement,
    Enforcement,
    JudicialConfirmation,
    Litigation,
    Meeting,
    Negotiation,
    PerformanceReport,
    ServiceAttempt,
)


@case_parts
def negotiation_parts(case) -> dict:
    rounds = list(case.negotiations.values_list("pk", flat=True))
    requests = list(ApprovalRequest.objects.filter(
        content_type__app_label="negotiation", content_type__model="negotiation",
        object_id__in=rounds).values_list("pk", flat=True))
    return {
        Negotiation: rounds,
        ServiceAttempt: ServiceAttempt.objects.filter(negotiation__in=rounds)
                                              .values_list("pk", flat=True),
        Meeting: Meeting.objects.filter(negotiation__in=rounds).values_list("pk", flat=True),
        Agreement: case.agreements.values_list("pk", flat=True),
        JudicialConfirmation: case.confirmations.values_list("pk", flat=True),
        Litigation: case.litigations.values_list("pk", flat=True),
        Enforcement: case.enforcements.values_list("pk", flat=True),
        PerformanceReport: case.performance_reports.values_list("pk", flat=True),
        ApprovalRequest: requests,
        ApprovalStep: ApprovalStep.objects.filter(request__in=requests)
                                          .values_list("pk", flat=True),
    }
