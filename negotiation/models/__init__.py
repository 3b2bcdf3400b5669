from .agreement import (
    PUNITIVE_FACTORS,
    Agreement,
    AgreementLocked,
    Instalment,
    PaymentKind,
    PaymentTerm,
    RestorationMode,
    RestorationTerm,
)
from .court import Enforcement, JudicialConfirmation, Litigation, PerformanceReport
from .negotiation import MAX_ROUNDS, Meeting, Negotiation, ServiceAttempt

__all__ = [
    "MAX_ROUNDS", "PUNITIVE_FACTORS", "Agreement", "AgreementLocked", "Enforcement", "Instalment",
    "JudicialConfirmation", "Litigation", "Meeting", "Negotiation", "PaymentKind", "PaymentTerm",
    "PerformanceReport", "RestorationMode", "RestorationTerm", "ServiceAttempt",
]
