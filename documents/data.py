"""Plain data for the forms, shared by every form's context builder: parties, approval opinions,
people; and the JSON round trip (`freeze`) the PDF is rendered from and archived with."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from parties.validators import mask_id_number

NOT_APPLICABLE = "/"  # a row that does not apply (a natural person has no 法定代表人)


def text(value) -> str | None:
    """None for an empty value: the template prints a blank line to fill by hand."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def person_name(user) -> str | None:
    return text(user.get_full_name()) if user is not None else None


def party_block(party) -> dict:
    """An obligor as the forms print it: organisation (统一社会信用代码, 法定代表人（负责人）, 职务)
    or natural person (公民身份证号码, 工作单位); NAT 示范文本 [1], [3], [4], [6]."""
    person = party.is_person
    return {
        "id": party.pk,
        "kind": party.kind,
        "is_person": person,
        "name": text(party.name),
        "code": text(party.code),
        "code_label": party.code_label,
        "legal_representative": NOT_APPLICABLE if person else text(party.legal_representative),
        "representative_title": NOT_APPLICABLE if person else text(party.representative_title),
        "work_unit": text(party.work_unit) if person else NOT_APPLICABLE,
        "address": text(party.address),
        "phone": text(party.phone),
    }


def obligor_blocks(case) -> list[dict]:
    """Every obligor of the case, in the order registered; `role` only for a 共同赔偿义务人 or
    连带责任人 (a plain 赔偿义务人 needs no word)."""
    links = case.obligor_links.select_related("party").order_by("id")
    return [{**party_block(link.party),
             "role": link.get_role_display() if link.role != link.Role.PRINCIPAL else None}
            for link in links]


def approval_block(case, action: str) -> dict:
    """The latest approval request of `action` on the case: who asked and when, and each head's
    opinion, name and date (forms [1], [3]: 机构负责人意见, 部门负责人意见)."""
    from workflow.approvals import requests_of
    from workflow.models import ApprovalStep

    request = requests_of(case).filter(action=action).order_by("-requested_at", "-pk").first()
    block = {"requested_by": None, "requested_on": None, "summary": None,
             "division_head": _step(None), "department_head": _step(None)}
    if request is None:
        return block
    block.update(requested_by=person_name(request.requested_by),
                 requested_on=timezone.localdate(request.requested_at),
                 summary=text(request.summary))
    for step in request.steps.all():
        if step.decision in (ApprovalStep.Decision.APPROVED, ApprovalStep.Decision.RETURNED):
            block[step.role] = _step(step)
    return block


def _step(step) -> dict:
    if step is None:
        return {"opinion": None, "name": None, "date": None, "decision": None}
    return {"opinion": text(step.opinion), "name": person_name(step.decided_by),
            "date": timezone.localdate(step.decided_at) if step.decided_at else None,
            "decision": step.get_decision_display()}


def freeze(data: dict) -> dict:
    """The data as JSON gives it back (dates → "2026-05-06", amounts → "123000.00"): what the
    PDF is rendered from and what the archive keeps, so the two cannot differ."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def contains_id_number(data) -> bool:
    if isinstance(data, dict):
        if data.get("is_person") and data.get("code"):
            return True
        return any(contains_id_number(v) for v in data.values())
    if isinstance(data, list):
        return any(contains_id_number(v) for v in data)
    return False


def mask_id_numbers(data):
    """A copy with every natural person's 身份证号码 masked (parties.validators.mask_id_number):
    the preview for a user without parties.view_full_identity."""
    if isinstance(data, dict):
        masked = {k: mask_id_numbers(v) for k, v in data.items()}
        if masked.get("is_person") and masked.get("code"):
            masked["code"] = mask_id_number(masked["code"])
        return masked
    if isinstance(data, list):
        return [mask_id_numbers(v) for v in data]
    return data
