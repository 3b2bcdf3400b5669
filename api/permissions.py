from accounts.roles import Role

# The 系统管理员 registers external systems and revokes their tokens (issue 16).
ROLE_PERMISSIONS = {
    Role.ADMIN: ["api.view_apiclient", "api.add_apiclient", "api.change_apiclient",
                 "api.view_apicall"],
}
