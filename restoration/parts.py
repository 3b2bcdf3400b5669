"""The restoration stage's records on the case page (timeline and deadlines)."""

from cases.parts import case_parts
from workflow.models import ApprovalRequest, ApprovalStep

from .models import (
    Deposit,
    DepositMovement,
    EffectAssessment,
    FundObligation,
    Payment,
    RestorationProject,
    ScheduleItem,
    SiteVisit,
    SpendingRequest,
)


@case_parts
def restoration_parts(case) -> dict:
    projects = list(case.restoration_projects.values_list("pk", flat=True))
    obligations = list(case.fund_obligations.values_list("pk", flat=True))
    requests = list(ApprovalRequest.objects.filter(
        content_type__app_label="restoration", content_type__model="restorationproject",
        object_id__in=projects).values_list("pk", flat=True))
    deposits = list(Deposit.objects.filter(case=case).values_list("pk", flat=True))
    return {
        RestorationProject: projects,
        EffectAssessment: EffectAssessment.objects.filter(project__in=projects)
                                                  .values_list("pk", flat=True),
        SiteVisit: SiteVisit.objects.filter(project__in=projects).values_list("pk", flat=True),
        FundObligation: obligations,
        ScheduleItem: ScheduleItem.objects.filter(obligation__in=obligations)
                                          .values_list("pk", flat=True),
        Payment: case.fund_payments.values_list("pk", flat=True),
        Deposit: deposits,
        DepositMovement: DepositMovement.objects.filter(deposit__in=deposits)
                                                .values_list("pk", flat=True),
        SpendingRequest: case.spending_requests.values_list("pk", flat=True),
        ApprovalRequest: requests,
        ApprovalStep: ApprovalStep.objects.filter(request__in=requests)
                                          .values_list("pk", flat=True),
    }
