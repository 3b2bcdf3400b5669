"""What each role may do with the forms (DOMAIN §1, §4).

The officer drafts every form: previews it, generates the PDF (a new archived version each
time) and uploads the signed and stamped scan. The division and department heads sign forms
[1] and [3] and read every form of the cases they see. The lead department's coordinator reads
them too; a version that prints a natural person's full 身份证号码 stays hidden from a role
without parties.view_full_identity (the coordinator), and the preview masks the number for it.
The procuratorate liaison, finance and the administrator get nothing here: the forms are the
department's internal registers and its own filings (the procuratorate sees the case itself,
cases/permissions.py)."""

from accounts.roles import Role

_READ = ["documents.view_generateddocument"]

ROLE_PERMISSIONS = {
    Role.OFFICER: _READ + ["documents.generate_document", "documents.upload_scan"],
    Role.DIVISION_HEAD: _READ,
    Role.DEPARTMENT_HEAD: _READ,
    Role.COORDINATOR: _READ,
}
