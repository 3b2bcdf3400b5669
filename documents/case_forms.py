"""Forms [1]–[3] of the case stage (NAT 示范文本; DOMAIN §3.2, §3.3): their data from
cases.Case, its obligors, its investigation and the two approvals, and their registration."""

from __future__ import annotations

from cases.models import Case, Investigation

from .data import approval_block, obligor_blocks, person_name, text
from .registry import Form, register

Stage = Case.Stage


def _case_head(case) -> dict:
    return {
        "number": text(case.number),
        "source": text(case.source),
        "cause": text(case.cause),
        "damage_place": text(case.damage_place),
        "department": text(case.department.name),
        "jurisdiction": text(case.jurisdiction.name),
        "obligors": obligor_blocks(case),
    }


def _amounts(case) -> dict:
    return {"estimated_amount": case.estimated_amount, "appraised_amount": case.appraised_amount,
            "fees_amount": case.fees_amount}


def initiation_context(case, obligor=None) -> dict:
    """[1] 索赔启动登记表 (NAT 三; NAT 示范文本 [1])."""
    approval = approval_block(case, "case_initiation")
    return {
        **_case_head(case),
        **_amounts(case),
        "summary": text(case.summary),
        "officer": approval["requested_by"] or person_name(case.created_by),
        "officer_date": approval["requested_on"],
        "division_head": approval["division_head"],
        "department_head": approval["department_head"],
    }


def investigation_context(case, obligor=None) -> dict:
    """[2] 生态环境损害调查情况登记表 (NAT 四; CQ 五; SX 第十三条; NAT 示范文本 [2])."""
    investigation = (Investigation.objects.filter(case=case).prefetch_related("team").first()
                     or Investigation(case=case))
    approval = approval_block(case, "case_initiation")
    team = [person_name(u) for u in investigation.team.all()] if investigation.pk else []
    appraisals = [
        {"method": a.get_method_display(),
         "institution": text(a.institution.name) if a.institution_id else None,
         "report_number": text(a.report_number), "finished_on": a.finished_on,
         "damage_amount": a.damage_amount}
        for a in case.appraisals.filter(status="finished").select_related("institution")
    ]
    evidence = [{"kind": e.get_kind_display(), "title": text(e.title), "date": e.collected_on}
                for e in case.evidence.order_by("collected_on", "id")]
    return {
        **_case_head(case),
        **_amounts(case),
        "opened_on": case.investigation_started_on or approval["department_head"]["date"],
        "approved_by": text(case.department.name),
        "investigation_started_on": case.investigation_started_on,
        "investigation_ended_on": case.investigation_ended_on,
        "team": [name for name in team if name],
        "process": text(investigation.process),
        "obligor_notes": text(investigation.obligor_notes),
        "damage_facts": text(investigation.damage_facts),
        "causation": text(investigation.causation),
        "legal_basis": text(investigation.legal_basis),
        "suggestion": text(investigation.suggestion),
        "restorability": case.get_restorability_display()
        if case.restorability != Case.Restorability.UNKNOWN else None,
        "restorable_area": text(case.restorable_area),
        "restoration_requirements": text(case.restoration_requirements),
        "appraisals": appraisals,
        "evidence": evidence,
        "officer": person_name(case.created_by),
        "officer_date": case.investigation_ended_on,
    }


def termination_context(case, obligor=None) -> dict:
    """[3] 索赔终止登记表 (NAT 示范文本 [3]; DOMAIN §3.3: the same two approvals as [1])."""
    approval = approval_block(case, "case_termination")
    return {
        **_case_head(case),
        **_amounts(case),
        "termination_reason": text(case.termination_reason) or approval["summary"],
        "officer": approval["requested_by"] or person_name(case.created_by),
        "officer_date": approval["requested_on"],
        "division_head": approval["division_head"],
        "department_head": approval["department_head"],
    }


INITIATION = register(Form(
    code="1", title="索赔启动登记表", template="documents/forms/form_1.html",
    context=initiation_context))
INVESTIGATION = register(Form(
    code="2", title="生态环境损害调查情况登记表", template="documents/forms/form_2.html",
    context=investigation_context,
    # from the approved start of the claim on (the investigation opens with it)
    excluded_stages=(Stage.DRAFT, Stage.INITIATION_APPROVAL)))
TERMINATION = register(Form(
    code="3", title="索赔终止登记表", template="documents/forms/form_3.html",
    context=termination_context,
    stages=(Stage.CONCLUDED, Stage.TERMINATION_APPROVAL, Stage.TERMINATED)))
