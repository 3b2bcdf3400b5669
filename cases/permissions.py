from accounts.roles import Role

ROLE_PERMISSIONS = {
    role: ["cases.view_case"]
    for role in (Role.OFFICER, Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD, Role.COORDINATOR,
                 Role.PROCURATORATE)
}
