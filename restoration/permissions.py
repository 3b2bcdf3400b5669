"""Who may do what in restoration and the funds. Steps of a project, payments, deposits and
spending requests are done by holders of `cases.handle_case` (the officer of the handling or a
joint department); instalments and extensions need `restoration.extend_schedule` (the heads,
SX 第二十五条); the finance role reviews and pays out spending requests sent to its department
(`review_spending`, `pay_spending`, NT 三(十一)) and reads the fund ledger of its treasury. The
procuratorate invited to supervise reads the restoration (CQ 十二)."""

from accounts.roles import Role

_PROJECT = ["restorationproject", "effectassessment", "sitevisit"]
_FUNDS = ["fundobligation", "scheduleitem", "payment", "fundaccount", "deposit",
          "depositmovement", "spendingrequest"]
_READ = [f"restoration.view_{m}" for m in [*_PROJECT, *_FUNDS, "alternativeproject"]]
_LIBRARY = ["restoration.add_alternativeproject", "restoration.change_alternativeproject"]

ROLE_PERMISSIONS = {
    Role.OFFICER: _READ + _LIBRARY + [
        "restoration.change_restorationproject", "restoration.add_sitevisit",
        "restoration.add_effectassessment", "restoration.add_payment",
        "restoration.add_depositmovement", "restoration.add_fundobligation",
        "restoration.add_spendingrequest", "restoration.change_spendingrequest"],
    Role.DIVISION_HEAD: _READ + ["restoration.extend_schedule"],
    Role.DEPARTMENT_HEAD: _READ + ["restoration.extend_schedule"],
    Role.COORDINATOR: _READ + _LIBRARY,
    Role.PROCURATORATE: [f"restoration.view_{m}" for m in _PROJECT],
    Role.FINANCE: ["restoration.view_spendingrequest", "restoration.view_fundaccount",
                   "restoration.view_fundobligation", "restoration.view_payment",
                   "restoration.review_spending", "restoration.pay_spending"],
}
