"""Uploading evidence to a record and handing it back only to users who may see the record."""

from __future__ import annotations

from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .models import Attachment

# Types a browser may show inline; anything else is sent as application/octet-stream.
SAFE_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def validate_upload(uploaded) -> None:
    limit = settings.ECOCLAIM_UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"文件“{uploaded.name}”大小为 {filesizeformat(uploaded.size)}，超过上限 "
            f"{filesizeformat(limit)}。"
        )
    allowed = settings.ECOCLAIM_UPLOAD_ALLOWED_EXTENSIONS
    suffix = PurePosixPath(uploaded.name).suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise ValidationError(
            f"不支持的文件类型“.{suffix or '（无扩展名）'}”，允许的类型：{'、'.join(allowed)}。"
        )


def attach(owner, uploaded, *, by, kind: str = "", description: str = "") -> Attachment:
    validate_upload(uploaded)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(owner),
        object_id=owner.pk,
        kind=kind,
        original_name=PurePosixPath(uploaded.name).name[:255],
        size=uploaded.size,
        sha256=Attachment.digest(uploaded),
        description=description,
        uploaded_by=by,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    return attachment


def attachments_of(owner):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk
    ).select_related("uploaded_by")


def download_content_type(attachment: Attachment) -> str:
    suffix = PurePosixPath(attachment.original_name).suffix.lower().lstrip(".")
    return SAFE_CONTENT_TYPES.get(suffix, "application/octet-stream")


class AttachmentForm(forms.Form):
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件。"})
    description = forms.CharField(label="说明", max_length=200, required=False)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_upload(uploaded)
        return uploaded


def link_copy(attachment: Attachment, owner, *, by) -> Attachment:
    """The same stored file, also belonging to another record (e.g. a referred clue)."""
    return Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk,
        kind=attachment.kind, file=attachment.file.name,
        original_name=attachment.original_name, size=attachment.size,
        sha256=attachment.sha256, description=attachment.description, uploaded_by=by,
    )
