"""Preparing, masking, submitting and withdrawing a publication (SX 第三十八条; NT 三(十二)).

Every way in checks the one scoping rule: only a user the case is `workable_by` prepares or
changes a publication; publishing is the 机构负责人's approval (workflow.approvals, action
"disclosure_publish"); every state change goes through workflow.transitions.perform and so
into the audit trail."""

from __future__ import annotations

import io
import re
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from cases.models import Case
from workflow import approvals, transitions
from workflow.attachments import attach

from . import masking
from .models import Publication, SourceFile

APPROVAL = "disclosure_publish"


class DisclosureError(transitions.TransitionError):
    """Something the officer must change; the message is in Chinese."""


def _check_workable(case: Case, user) -> None:
    if not user.has_perm("disclosure.change_publication"):
        raise PermissionDenied("您没有准备信息公开的权限。")
    if not Case.objects.workable_by(user).filter(pk=case.pk).exists():
        raise PermissionDenied("只有办理该案件的部门才能准备信息公开。")


def _check_draft(publication: Publication) -> None:
    if publication.state != Publication.State.DRAFT:
        raise DisclosureError(
            f"只有草稿可以修改，当前状态为“{publication.get_state_display()}”。")


def terms_for(publication: Publication) -> masking.Terms:
    return masking.case_terms(publication.case).with_extra(
        masking.parse_extra(publication.extra_masks))


def _masked(publication: Publication, terms: masking.Terms) -> tuple[str, str, list[str]]:
    return (masking.mask(publication.title, terms).text,
            masking.mask(publication.original_text, terms).text,
            [masking.mask(f.extracted_text, terms).text for f in publication.source_files.all()])


def masked_now(publication: Publication) -> bool:
    """The stored masked texts are those the rules and terms give today (a party recorded on
    the case since the last save is masked before anything is submitted)."""
    title, text, files = _masked(publication, terms_for(publication))
    return (title == publication.masked_title and text == publication.masked_text
            and files == [f.masked_text for f in publication.source_files.all()])


def remask(publication: Publication) -> Publication:
    terms = terms_for(publication)
    title, text, _ = _masked(publication, terms)
    with transaction.atomic():
        for source in publication.source_files.all():
            new = masking.mask(source.extracted_text, terms).text
            if new != source.masked_text:
                source.masked_text = new
                source.save()
        if (title, text) != (publication.masked_title, publication.masked_text):
            publication.masked_title, publication.masked_text = title, text
            publication.save()
    return publication


def prepare(case: Case, *, by, kind: str, title: str, original_text: str,
            year: int) -> Publication:
    _check_workable(case, by)
    with transaction.atomic():
        publication = Publication.objects.create(
            case=case, kind=kind, title=title, original_text=original_text, year=year,
            jurisdiction=case.jurisdiction, created_by=by)
        return remask(publication)


def removed_terms(old: str, new: str) -> list[str]:
    return [t for t in masking.parse_extra(old) if t not in masking.parse_extra(new)]


def update_draft(publication: Publication, *, by, **fields) -> Publication:
    """Title, kind, year, the original text and the extra terms of a draft. The extra terms
    can grow, never shrink: what was hidden stays hidden."""
    _check_workable(publication.case, by)
    _check_draft(publication)
    if "extra_masks" in fields:
        removed = removed_terms(publication.extra_masks, fields["extra_masks"])
        if removed:
            raise DisclosureError(
                "已隐去的内容不能恢复公开：" + "、".join(removed) + "。只能增加需隐去的内容。")
        fields["extra_masks"] = "\n".join(masking.parse_extra(fields["extra_masks"]))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(publication, name, value)
        _drop_pdf(publication)
        publication.save()
        return remask(publication)


def add_masks(publication: Publication, terms: list[str], *, by) -> Publication:
    current = masking.parse_extra(publication.extra_masks)
    wanted = current + [t for t in terms if t.strip() and t.strip() not in current]
    return update_draft(publication, by=by, extra_masks="\n".join(wanted))


def extract_pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError("无法读取该PDF文件，请确认文件完好。") from exc
    # a number wrapped at the end of a line is one number again (so its pattern finds it)
    return re.sub(r"(?<=[0-9])\n(?=[0-9Xx])", "", text)


def add_source_pdf(publication: Publication, uploaded, *, by, description: str = "") -> SourceFile:
    _check_workable(publication.case, by)
    _check_draft(publication)
    if PurePosixPath(uploaded.name).suffix.lower() != ".pdf":
        raise ValidationError("只能上传PDF文件。")
    uploaded.seek(0)
    text = extract_pdf_text(uploaded.read())
    uploaded.seek(0)
    with transaction.atomic():
        attachment = attach(publication, uploaded, by=by, kind="disclosure_source",
                            description=description)
        source = SourceFile.objects.create(publication=publication, attachment=attachment,
                                           name=attachment.original_name, extracted_text=text)
        _drop_pdf(publication)
        publication.save()
        remask(publication)
    return source


def _drop_pdf(publication: Publication) -> None:
    if publication.public_pdf:
        publication.public_pdf.delete(save=False)
        publication.public_pdf = ""


def public_html(publication: Publication) -> str:
    terms = terms_for(publication)
    sources = [{"name": masking.mask(PurePosixPath(f.name).stem, terms).text,
                "text": f.masked_text, "empty": not f.extracted_text.strip()}
               for f in publication.source_files.all()]
    return render_to_string("disclosure/publication_pdf.html", {
        "p": publication, "sources": sources})


def render_public_pdf(publication: Publication) -> Publication:
    """The published PDF, printed from the masked texts by the documents service (WeasyPrint):
    an uploaded file is never published as it is."""
    from documents.rendering import html_to_pdf

    remask(publication)
    pdf = html_to_pdf(public_html(publication))
    _drop_pdf(publication)
    publication.public_pdf.save(f"{publication.public_token}.pdf", ContentFile(pdf), save=True)
    return publication


def submit(publication: Publication, *, by, summary: str, seen_state: str | None = None):
    """草稿 → 待审批: masks brought up to date, the public PDF rendered for the approver to
    read, and the 机构负责人's approval requested."""
    _check_workable(publication.case, by)
    _check_draft(publication)
    if not summary.strip():
        raise approvals.ApprovalError("请填写申请理由。")
    with transaction.atomic():
        render_public_pdf(publication)
        return approvals.request_approval(publication, APPROVAL, by=by, summary=summary,
                                          seen_state=seen_state)


def withdraw(publication: Publication, *, by, reason: str,
             seen_state: str | None = None) -> Publication:
    """已发布 → 已撤回, with the reason; the item leaves the public site at once."""
    _check_workable(publication.case, by)
    return transitions.perform(publication, "withdraw", by=by, reason=reason,
                               expected_state=seen_state)
