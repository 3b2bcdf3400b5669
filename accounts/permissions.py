from .roles import Role

_CONFIG = [
    f"accounts.{verb}_{model}"
    for model in ("jurisdiction", "department", "user")
    for verb in ("view", "add", "change")
] + ["auth.view_group"]

ROLE_PERMISSIONS = {
    Role.ADMIN: _CONFIG,
}
