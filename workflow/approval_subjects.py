"""What an approver sees of the record being decided (issue 17): each stage app says, for its
own models, which facts, obligors, evidence, classification and amounts matter, so the approval
page (workflow/views_approvals.py) shows them without workflow knowing the stage apps.

A stage registers a provider in `<app>/approval_subjects.py` (discovered at start-up, like
`worklist.py` and `party_links.py`):

    from workflow.approval_subjects import SubjectSummary, register_subject

    @register_subject(Clue)
    def clue_summary(clue, request) -> SubjectSummary:
        return SubjectSummary(facts=[("线索概要", clue.summary)], ...)

A model without a provider gets the generic summary: its name and its attachments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from .attachments import attachments_of


@dataclass
class EvidenceItem:
    title: str
    detail: str = ""
    url: str = ""


@dataclass
class SubjectSummary:
    # (label, text) pairs, already formatted (cn_date / amount from workflow.formatting)
    facts: list[tuple[str, str]] = field(default_factory=list)
    obligors: list[str] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)
    classification: str = ""
    classification_reasons: list[str] = field(default_factory=list)
    # (label, amount or None when not known yet)
    amounts: list[tuple[str, Decimal | None]] = field(default_factory=list)
    # other records whose approvals are earlier opinions on the same matter (a case's clues)
    related: list = field(default_factory=list)
    # a remark on the decision itself (e.g. why this approval follows an earlier one), with its
    # seed citation
    note: str = ""


_providers: dict[type, Callable] = {}


def register_subject(model: type) -> Callable:
    """Register `func(subject, approval_request) -> SubjectSummary` for `model`."""
    def decorator(func: Callable) -> Callable:
        _providers[model] = func
        return func
    return decorator


def attachment_items(owner) -> list[EvidenceItem]:
    return [EvidenceItem(title=a.original_name, detail=a.description or a.kind,
                         url=reverse("workflow:download_attachment", args=[a.pk]))
            for a in attachments_of(owner)]


def generic_summary(subject, request) -> SubjectSummary:
    return SubjectSummary(facts=[(subject._meta.verbose_name, str(subject))],
                          evidence=attachment_items(subject))


def summary_for(subject, request) -> SubjectSummary:
    provider = _providers.get(type(subject), generic_summary)
    return provider(subject, request)
