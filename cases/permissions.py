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

# --- Classification and the major-case ledger (分类、重大案件台帐, issue 4) -----------------------
# Officers of the handling department keep the checklist (重大案件情形; SX 第十五条 conditions);
# officers and division heads record the periodic progress (SX 第十二条 定期调度); the heads and
# the lead department's coordinator read the ledger. The procuratorate does not see the ledger.
_CLASSIFICATION_READ = ["cases.view_caseclassification", "cases.view_caseclassificationinput",
                        "cases.view_casemajorcriterion", "cases.view_majorcaseprogress"]
for _role, _extra in {
    Role.OFFICER: [*_CLASSIFICATION_READ, "cases.change_caseclassificationinput",
                   "cases.add_majorcaseprogress"],
    Role.DIVISION_HEAD: [*_CLASSIFICATION_READ, "cases.add_majorcaseprogress"],
    Role.DEPARTMENT_HEAD: _CLASSIFICATION_READ,
    Role.COORDINATOR: _CLASSIFICATION_READ,
}.items():
    # a new list: several roles share the _READ list object above
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_extra]

# --- Appraisal (鉴定评估, issue 4) ----------------------------------------------------------------
# The administrator keeps the registries of appraisal institutions and experts (DOMAIN §1: expert
# pool). Appraisals are entrusted, extended and finished through cases/appraisal.py by holders of
# cases.handle_case; the other case roles read them with the case.
_APPRAISAL_READ = ["cases.view_appraisal", "cases.view_appraisalpanelmember",
                   "cases.view_appraisalinstitution", "cases.view_expert"]
_REGISTRIES = [f"cases.{action}_{model}" for model in ("appraisalinstitution", "expert")
               for action in ("add", "change", "delete", "view")]
for _role, _extra in {
    Role.OFFICER: _APPRAISAL_READ,
    Role.DIVISION_HEAD: _APPRAISAL_READ,
    Role.DEPARTMENT_HEAD: _APPRAISAL_READ,
    Role.COORDINATOR: _APPRAISAL_READ,
    Role.ADMIN: _REGISTRIES,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS.get(_role, []), *_extra]
