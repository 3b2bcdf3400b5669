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
