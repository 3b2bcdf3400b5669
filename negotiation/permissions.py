"""Who may do what in negotiation and the court stages. Transitions and services check
`cases.handle_case` (the officer of the handling or joint department); the models' own
permissions decide what each role reads. The procuratorate reads the negotiation and court
records it supports (CQ 七(一)、八; SX 第三十二、三十三条); finance reads the agreements whose
money it will review."""

from accounts.roles import Role

_MODELS = ["negotiation", "serviceattempt", "meeting", "agreement", "restorationterm",
           "paymentterm", "instalment", "judicialconfirmation", "litigation", "enforcement",
           "performancereport"]
_READ = [f"negotiation.view_{m}" for m in _MODELS]
_WRITE = [f"negotiation.{action}_{m}" for m in _MODELS for action in ("add", "change")]

ROLE_PERMISSIONS = {
    Role.OFFICER: _READ + _WRITE + ["negotiation.delete_restorationterm",
                                    "negotiation.delete_paymentterm",
                                    "negotiation.delete_instalment"],
    Role.DIVISION_HEAD: _READ,
    Role.DEPARTMENT_HEAD: _READ,
    Role.COORDINATOR: _READ,
    Role.PROCURATORATE: _READ,
    Role.FINANCE: ["negotiation.view_agreement", "negotiation.view_restorationterm",
                   "negotiation.view_paymentterm", "negotiation.view_instalment"],
}
