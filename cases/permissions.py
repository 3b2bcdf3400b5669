from accounts.roles import Role

_READ = ["cases.view_case", "cases.view_caseobligor", "cases.view_investigation",
         "cases.view_evidence"]

ROLE_PERMISSIONS = {
    Role.OFFICER: _READ + ["cases.change_case", "cases.handle_case", "cases.add_caseobligor",
                           "cases.change_caseobligor", "cases.delete_caseobligor",
                           "cases.change_investigation", "cases.add_evidence"],
    Role.DIVISION_HEAD: _READ,
    Role.DEPARTMENT_HEAD: _READ,
    Role.COORDINATOR: _READ,
    Role.PROCURATORATE: ["cases.view_case"],
}
