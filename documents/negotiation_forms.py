"""Forms [4]–[7] of the negotiation and court stages (NAT 示范文本 [4]–[7]; DOMAIN §4): their
data from negotiation.models (the round, the agreement and its terms, the judicial
confirmation, the enforcement) and their registration.

A form here is offered when the records it prints exist, not only by the case's stage
(`RecordForm.requires`): [4] once the case has a negotiation round (a round still in
preparation prints as a draft to check), [5] once an agreement draft exists, [6] once a signed
agreement exists, [7] once a confirmed agreement exists.

Missing in the models (printed as blank lines to fill by hand): the department's 统一社会信用代码,
法定代表人, address and telephone (accounts.Department has none of them).

Frozen party data: a signed agreement ([5], and the agreement content summarised in [6]) prints
its obligors as they stood when it was signed, and a served notice ([4]) its addressee as at
the service, read back from the party's audit trail (parties/snapshots.py) — a later
correction in the registry does not rewrite them. [6] and [7] are new applications to a court
and print the parties' current data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from negotiation import services as negotiation_services
from negotiation.models import (
    PUNITIVE_FACTORS,
    Agreement,
    Enforcement,
    JudicialConfirmation,
    Negotiation,
    PaymentKind,
)
from parties.snapshots import event_of, party_as_of
from workflow.models import AuditEvent

from . import formatting
from .data import party_block, text
from .registry import Form, register


@dataclass(frozen=True)
class RecordForm(Form):
    """A form offered only when `requires(case)` finds the records it prints."""

    requires: Callable | None = None

    def available_for(self, case) -> bool:
        if not super().available_for(case):
            return False
        if self.requires is None:
            return True
        return case.pk is not None and bool(self.requires(case))  # an unsaved case has none


# --- shared -------------------------------------------------------------------------------------

def _claimant(case) -> dict:
    """赔偿权利人指定的部门 as the forms print it. accounts.Department records no credit code,
    legal representative, address or telephone: those print as blank lines."""
    return {"name": text(case.department.name), "jurisdiction": text(case.jurisdiction.name),
            "code": None, "legal_representative": None, "address": None, "phone": None}


def _clause(value: str) -> str:
    """Text set inside a sentence, without its own closing punctuation."""
    return value.rstrip("。；;，,. \n")


SUFFIX = "生态环境损害赔偿"


def _case_name(case) -> str | None:
    """××生态环境损害赔偿 (the model's "对（××生态环境损害赔偿）一案"): the case's cause, which
    often already ends in 生态环境损害 (not repeated)."""
    cause = text(case.cause)
    if not cause:
        return None
    cause = _clause(cause)
    for n in range(len(SUFFIX), 3, -1):  # at least 生态环境
        if cause.endswith(SUFFIX[:n]):
            return cause + SUFFIX[n:]
    return cause + SUFFIX


def _agreement_title(case) -> str | None:
    """××生态环境损害赔偿协议: named after the case."""
    name = _case_name(case)
    return f"{name}协议" if name else None


def _obligor_label(link) -> str | None:
    return link.get_role_display() if link.role != link.Role.PRINCIPAL else None


def _link_block(link, as_of=None) -> dict:
    return {**party_block(party_as_of(link.party, as_of)), "role": _obligor_label(link)}


def _signed_event(agreement: Agreement):
    """The signing of a signed (or since superseded) agreement; None for a draft."""
    if agreement.state == Agreement.State.DRAFT:
        return None
    # The only way out of 草稿 is the signing, so the agreement's first transition is it.
    return event_of(agreement, action=AuditEvent.Action.TRANSITION)


def _served_event(negotiation: Negotiation, link):
    """The recording of the first successful service of the notice on this obligor."""
    served = negotiation.service_attempts.filter(obligor=link, succeeded=True) \
        .order_by("attempted_on", "id").first() if link is not None else None
    return event_of(served, action=AuditEvent.Action.CREATE) if served else None


def _latest_agreement(case) -> Agreement | None:
    """The agreement form [5] prints: a draft in the making (a first draft or a correction) to
    check and sign, else the agreement in force."""
    latest = case.agreements.order_by("-version").first()
    if latest is None or latest.state == Agreement.State.DRAFT:
        return latest
    return negotiation_services.current_agreement(case) or latest


def _local(value):
    return timezone.localtime(value) if value and timezone.is_aware(value) else value


def _cn_datetime(value) -> str | None:
    """2026年10月20日17时30分 (local time)."""
    value = _local(value)
    if value is None:
        return None
    minutes = f"{value.minute:02d}分" if value.minute else ""
    return f"{formatting.cn_date(value)}{value.hour}时{minutes}"


def _obligor_name(term, as_of=None) -> str | None:
    return text(party_as_of(term.obligor.party, as_of).name) if term.obligor_id else None


def _terms(agreement: Agreement, as_of=None) -> dict:
    """The agreement's structured obligations: restoration, payments with their instalments,
    the deposit and punitive damages (NT 三(八)、(九)、(十一); SX 第二十、二十三、二十五条)."""
    restoration = [
        {"item": text(t.item), "obligor": _obligor_name(t, as_of), "mode": t.get_mode_display(),
         "target": text(t.target), "estimated_cost": t.estimated_cost, "start_by": t.start_by,
         "finish_by": t.finish_by, "assessment_by": t.assessment_by}
        for t in agreement.restoration_terms.select_related("obligor__party").order_by("id")]
    payments = [
        {"kind": t.get_kind_display(), "kind_code": t.kind, "obligor": _obligor_name(t, as_of),
         "amount": t.amount,
         "due_on": t.due_on, "guarantee": text(t.guarantee),
         "instalments": [{"sequence": i.sequence, "amount": i.amount, "due_on": i.due_on}
                         for i in t.instalments.order_by("sequence")]}
        for t in agreement.payment_terms.select_related("obligor__party").order_by("id")]
    punitive = [p for p in payments if p["kind_code"] == PaymentKind.PUNITIVE]
    return {
        "restoration_terms": restoration,
        "payment_terms": payments,
        "payments_total": sum((p["amount"] for p in payments), 0) if payments else None,
        "deposit_amount": agreement.deposit_amount,
        "punitive_claimed": agreement.punitive_claimed,
        "punitive_base": agreement.punitive_base,
        "punitive_factors": [PUNITIVE_FACTORS.get(f, f) for f in agreement.punitive_factors],
        "punitive_amount": sum((p["amount"] for p in punitive), 0) if punitive else None,
        "punitive_note": text(agreement.punitive_note),
    }


def _terms_summary(terms: dict) -> list[str]:
    """The agreement's content in sentences (form [6] 事实和理由: 写明赔偿协议内容)."""
    lines = []
    for t in terms["restoration_terms"]:
        who = t["obligor"] or "赔偿义务人"
        line = f"{who}以{t['mode']}方式履行“{t['item']}”修复义务"
        if t["target"]:
            line += f"，修复目标为{_clause(t['target'])}"
        if t["finish_by"]:
            line += f"，于{formatting.cn_date(t['finish_by'])}前完成"
        lines.append(line)
    for p in terms["payment_terms"]:
        who = p["obligor"] or "赔偿义务人"
        line = (f"{who}缴纳{p['kind']}{formatting.yuan(p['amount'])}"
                f"（{formatting.yuan_capitals(p['amount'])}）")
        if p["instalments"]:
            line += f"，分{len(p['instalments'])}期缴纳，最后一期于" \
                    f"{formatting.cn_date(p['instalments'][-1]['due_on'])}前缴清"
        elif p["due_on"]:
            line += f"，于{formatting.cn_date(p['due_on'])}前缴纳"
        lines.append(line)
    if terms["deposit_amount"]:
        lines.append(f"赔偿义务人缴纳修复保证金{formatting.yuan(terms['deposit_amount'])}"
                     f"（{formatting.yuan_capitals(terms['deposit_amount'])}）")
    return lines


# --- [4] 生态环境损害赔偿磋商告知书 -------------------------------------------------------------

def notice_context(case, obligor=None) -> dict:
    """[4] per obligor, from the case's current round (negotiation.services.current_round)."""
    negotiation = negotiation_services.current_round(case)
    link = case.obligor_links.select_related("party").filter(party=obligor).first()
    return {
        "claimant": _claimant(case),
        "addressee": _link_block(link, _served_event(negotiation, link)) if link
        else party_block(obligor),
        "draft": negotiation.state == Negotiation.State.PREPARING,
        "round_number": negotiation.round_number,
        "renegotiation": negotiation.kind == Negotiation.Kind.RENEGOTIATION,
        "cause": text(negotiation.notice_cause),
        "findings": text(negotiation.notice_findings),
        "restorable": text(negotiation.notice_restorable),
        "group_own": text(negotiation.group_own),
        "group_invited": text(negotiation.group_invited),
        "first_meeting_at": _cn_datetime(negotiation.first_meeting_at),
        "first_meeting_place": text(negotiation.first_meeting_place),
        "reply_due": negotiation.reply_due,
        "other_matters": text(negotiation.other_matters),
        "issued_on": negotiation.notice_issued_on,
    }


# --- [5] 生态环境损害赔偿协议 -------------------------------------------------------------------

def agreement_context(case, obligor=None) -> dict:
    """[5] with its cover page; every obligor of the agreement listed."""
    agreement = _latest_agreement(case)
    links = agreement.obligors.select_related("party").order_by("id")
    signed = _signed_event(agreement)
    return {
        "claimant": _claimant(case),
        "title": _agreement_title(case),
        "obligors": [_link_block(link, signed) for link in links],
        "version": agreement.version,
        "correction_reason": text(agreement.correction_reason),
        "draft": agreement.state == Agreement.State.DRAFT,
        "superseded": agreement.state == Agreement.State.SUPERSEDED,
        "signed_on": agreement.signed_on,
        "signed_place": text(agreement.signed_place),
        "facts": text(agreement.facts),
        "evidence": text(agreement.evidence),
        "legal_basis": text(agreement.legal_basis),
        "opinions": text(agreement.opinions),
        "liability": text(agreement.liability),
        "performance": text(agreement.performance),
        "assessment_method": text(agreement.assessment_method),
        "assessment_due": agreement.assessment_due,
        "breach_liability": text(agreement.breach_liability),
        "other_terms": text(agreement.other_terms),
        **_terms(agreement, signed),
    }


# --- [6] 司法确认申请书 -------------------------------------------------------------------------

def confirmation_context(case, obligor=None) -> dict:
    """[6] per obligor: the signed agreement in force, the court of the latest application."""
    agreement = negotiation_services.current_agreement(case)
    confirmation = case.confirmations.order_by("-pk").first()
    applied = confirmation if confirmation and confirmation.agreement_id == agreement.pk else None
    link = case.obligor_links.select_related("party").filter(party=obligor).first()
    profile = case.rule_profile
    return {
        "claimant": _claimant(case),
        "applicant": _link_block(link) if link else party_block(obligor),
        "title": _agreement_title(case),
        "signed_on": agreement.signed_on,
        "version": agreement.version,
        "liability": text(agreement.liability),
        "performance": text(agreement.performance),
        "terms_summary": _terms_summary(_terms(agreement, _signed_event(agreement))),
        "source_document": text(profile.source_document) if profile else None,
        "court": text(confirmation.court) if confirmation else None,
        "applied_on": applied.applied_on if applied else None,
    }


# --- [7] 强制执行申请书 -------------------------------------------------------------------------

def _ruling_reference(number: str | None) -> str | None:
    """"（2026）晋01民特1号" is already a 文号; the model's "××号" adds 号 only when missing."""
    if not number:
        return None
    return number if number.endswith("号") else f"{number}号"


def enforcement_context(case, obligor=None) -> dict:
    """[7]: the confirmed agreement (negotiation.services.confirmed_agreement), its round and
    meetings, the ruling, and the latest enforcement of it with its respondents."""
    confirmation: JudicialConfirmation = negotiation_services.confirmed_agreement(case)
    agreement = confirmation.agreement
    negotiation = agreement.negotiation
    meetings = list(negotiation.meetings.order_by("sequence"))
    enforcement = (case.enforcements.filter(basis=Enforcement.Basis.CONFIRMED_AGREEMENT,
                                            confirmation=confirmation)
                   .order_by("-pk").first())
    links = (enforcement.respondents if enforcement else agreement.obligors) \
        .select_related("party").order_by("id")
    respondents = [_link_block(link) for link in links]
    investigation = getattr(case, "investigation", None)
    facts = text(agreement.facts) or (text(investigation.damage_facts) if investigation else None)
    return {
        "claimant": _claimant(case),
        "agent": text(enforcement.agent) if enforcement else None,
        "contact": text(enforcement.contact) if enforcement else None,
        "respondents": respondents,
        "respondent_names": "、".join(r["name"] for r in respondents if r["name"]) or None,
        "case_name": _case_name(case),
        "investigation_started_on": case.investigation_started_on,
        "facts": facts,
        "notice_on": negotiation.notice_issued_on or negotiation.served_on,
        "first_meeting_on": meetings[0].held_on if meetings else None,
        "last_meeting_on": meetings[-1].held_on if meetings else None,
        "meeting_count": len(meetings) or None,
        "title": _agreement_title(case),
        "signed_on": agreement.signed_on,
        "confirmation_court": text(confirmation.court),
        "confirmation_applied_on": confirmation.applied_on,
        "ruling_number": text(confirmation.ruling_number),
        "ruling_reference": _ruling_reference(text(confirmation.ruling_number)),
        "ruling_date": confirmation.ruling_date,
        "non_performance": text(enforcement.non_performance) if enforcement else None,
        "court": text(enforcement.court) if enforcement and enforcement.court.strip()
        else text(confirmation.court),
        "applied_on": enforcement.applied_on if enforcement else None,
    }


# --- registration -------------------------------------------------------------------------------

NOTICE = register(RecordForm(
    code="4", title="生态环境损害赔偿磋商告知书", template="documents/forms/form_4.html",
    context=notice_context, per_obligor=True,
    requires=negotiation_services.current_round))
AGREEMENT = register(RecordForm(
    code="5", title="生态环境损害赔偿协议", template="documents/forms/form_5.html",
    context=agreement_context, requires=_latest_agreement))
CONFIRMATION = register(RecordForm(
    code="6", title="司法确认申请书", template="documents/forms/form_6.html",
    context=confirmation_context, per_obligor=True,
    requires=negotiation_services.current_agreement))
ENFORCEMENT = register(RecordForm(
    code="7", title="强制执行申请书", template="documents/forms/form_7.html",
    context=enforcement_context, requires=negotiation_services.confirmed_agreement))
