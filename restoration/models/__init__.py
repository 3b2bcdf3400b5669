from .funds import (
    Deposit,
    DepositMovement,
    FundAccount,
    FundObligation,
    Payment,
    ScheduleItem,
    SpendingRequest,
)
from .library import AlternativeProject
from .project import EffectAssessment, RestorationProject, SiteVisit

__all__ = [
    "AlternativeProject", "Deposit", "DepositMovement", "EffectAssessment", "FundAccount",
    "FundObligation", "Payment", "RestorationProject", "ScheduleItem", "SiteVisit",
    "SpendingRequest",
]
