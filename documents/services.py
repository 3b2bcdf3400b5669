"""Building a form's data, generating and archiving its PDF, and the signed scan."""

from __future__ import annotations

import hashlib
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases.models import Case
from workflow.attachments import attach

from .data import contains_id_number, freeze, party_block
from .models import GeneratedDocument
from .registry import Form
from .rendering import render_pdf


class DocumentError(ValueError):
    """A form asked for in a way that cannot be produced (a message in Chinese)."""


def check_obligor(form: Form, case, obligor) -> None:
    if form.per_obligor and obligor is None:
        raise DocumentError(f"{form.label}须按赔偿义务人分别制作，请选择赔偿义务人。")
    if not form.per_obligor and obligor is not None:
        raise DocumentError(f"{form.label}不按赔偿义务人分别制作。")
    if obligor is not None and not case.obligor_links.filter(party=obligor).exists():
        raise DocumentError("所选当事人不是本案的赔偿义务人。")


def build_data(form: Form, case, obligor=None) -> dict:
    """The form's data after the JSON round trip: what is rendered and what is archived."""
    check_obligor(form, case, obligor)
    data = form.context(case, obligor)
    data["form"] = {"code": form.code, "title": form.title, "citation": form.citation}
    data["obligor"] = party_block(obligor) if obligor is not None else None
    return freeze(data)


def _file_name(case, form: Form, obligor, version: int) -> str:
    parts = [case.number, form.title] + ([obligor.name] if obligor is not None else [])
    name = "-".join(re.sub(r'[\\/:*?"<>|\s]+', "", p) for p in parts)
    return f"{name}-第{version}版.pdf"


def generate(case, form: Form, *, by, obligor=None) -> GeneratedDocument:
    """Render the form from the case's data now and archive it as the next version of (case,
    form, obligor). Rendering happens before the lock; the case row is locked only to number
    the version (two officers generating at once get 1 and 2)."""
    data = build_data(form, case, obligor)
    pdf = render_pdf(form.template, data)
    with transaction.atomic():
        Case.objects.select_for_update().only("pk").get(pk=case.pk)
        last = (GeneratedDocument.objects
                .filter(case=case, form_code=form.code, obligor=obligor)
                .aggregate(last=Max("version"))["last"] or 0)
        document = GeneratedDocument.objects.create(
            case=case, form_code=form.code, title=form.title, obligor=obligor,
            version=last + 1, generated_by=by, generated_at=timezone.now(),
            sha256=hashlib.sha256(pdf).hexdigest(), data=data,
            contains_id_number=contains_id_number(data))
        document.pdf = attach(
            document, ContentFile(pdf, name=_file_name(case, form, obligor, last + 1)),
            by=by, kind="生成文书", description=str(document)[:200])
        document.save()
    return document


def attach_scan(document: GeneratedDocument, uploaded, *, by) -> GeneratedDocument:
    """The signed and stamped scan of a generated version (a later upload replaces it on the
    record; the earlier file stays stored and the change is on the timeline)."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        document.scan = attach(document, uploaded, by=by, kind="签章扫描件",
                               description=f"{document}签章扫描件"[:200])
        document.scan_uploaded_by = by
        document.scan_uploaded_at = timezone.now()
        document.save()
    return document
