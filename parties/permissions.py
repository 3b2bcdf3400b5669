"""What each role may do with the party registry (DOMAIN §1).

The registry is shared by every stage and not department-scoped for reading; the records
linked to a party (clues, cases) keep their own scope. `parties.change_party` is necessary but
not enough to correct a party: parties/editing.py adds who (a department whose records name
the party, or an administrator). The full 身份证号码 is personal data: lists,
look-ups and histories always mask it, and the detail page shows it in full only with
`parties.view_full_identity` — given to the roles that register parties or sign the forms
that carry the number (索赔启动登记表, 司法确认申请书 for a natural person), and to the
administrator who corrects records. The coordinator and the procuratorate liaison see the
masked number."""

from accounts.roles import Role

_VIEW = ["parties.view_party"]
_FULL = ["parties.view_full_identity"]

ROLE_PERMISSIONS = {
    Role.OFFICER: _VIEW + _FULL + ["parties.add_party", "parties.change_party"],
    Role.DIVISION_HEAD: _VIEW + _FULL,
    Role.DEPARTMENT_HEAD: _VIEW + _FULL,
    Role.COORDINATOR: _VIEW,
    Role.PROCURATORATE: _VIEW,
    Role.FINANCE: [],
    Role.ADMIN: _VIEW + _FULL + ["parties.change_party"],
}

# --- 历史记录 (parties/historical.py): officers of a department enter or import their
# obligors' damage before the system; the other case roles read them (scoped like clues).
_HISTORICAL_READ = ["parties.view_historicalrecord"]
for _role, _extra in {
    Role.OFFICER: [*_HISTORICAL_READ, "parties.add_historicalrecord"],
    Role.DIVISION_HEAD: _HISTORICAL_READ,
    Role.DEPARTMENT_HEAD: _HISTORICAL_READ,
    Role.COORDINATOR: _HISTORICAL_READ,
    Role.PROCURATORATE: _HISTORICAL_READ,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS.get(_role, []), *_extra]
