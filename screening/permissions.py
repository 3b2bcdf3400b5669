from accounts.roles import Role

_READ = ["screening.view_clue", "screening.view_sourcechannel"]

ROLE_PERMISSIONS = {
    Role.OFFICER: _READ + ["screening.add_clue", "screening.change_clue",
                           "screening.handle_clue"],
    Role.DIVISION_HEAD: _READ + ["screening.handle_clue"],
    Role.DEPARTMENT_HEAD: _READ,
    Role.COORDINATOR: _READ,
    Role.PROCURATORATE: _READ,
    Role.FINANCE: [],
    Role.ADMIN: ["screening.view_sourcechannel", "screening.add_sourcechannel",
                 "screening.change_sourcechannel"],
}

# Screening rounds, the quarterly list and the half-year aggregation (CQ 二; SX 第八条). The
# jurisdiction-wide list and the aggregation are the lead department's coordination work; the
# procuratorate and finance take no part in screening.
_ROUNDS_READ = ["screening.view_screeninground"]
_EXPORT = ["screening.export_screening_report"]
for _role, _extra in {
    Role.OFFICER: [*_ROUNDS_READ, "screening.add_screeninground", *_EXPORT],
    Role.DIVISION_HEAD: [*_ROUNDS_READ, *_EXPORT],
    Role.DEPARTMENT_HEAD: [*_ROUNDS_READ, *_EXPORT],
    Role.COORDINATOR: [*_ROUNDS_READ, *_EXPORT, "screening.export_jurisdiction_report"],
}.items():
    # a new list: several roles share the _READ list object above
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_extra]
