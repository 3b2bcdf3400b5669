"""Who may do what in information disclosure: the officer of a department that can work the
case prepares, masks, submits and withdraws (`change_publication`, checked with `workable_by`);
the 机构负责人 approves through the approval step (its role in the case's department); the
heads and the coordinator read. The public site needs no permission and shows only what is
published."""

from accounts.roles import Role

_READ = ["disclosure.view_publication", "disclosure.view_sourcefile"]

ROLE_PERMISSIONS = {
    Role.OFFICER: _READ + ["disclosure.add_publication", "disclosure.change_publication"],
    Role.DIVISION_HEAD: _READ,
    Role.DEPARTMENT_HEAD: _READ,
    Role.COORDINATOR: _READ,
}
