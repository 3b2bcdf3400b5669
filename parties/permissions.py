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
