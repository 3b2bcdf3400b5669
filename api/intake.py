"""Clue intake from another system (行政执法衔接, CQ 十一; 检察机关移送, NAT 十六).

The payload is checked by the page's own form (`screening.forms.ClueForm`: the same rules and
Chinese messages), the parties by `parties.services.identify` (parties/validators.py), the
files by `workflow.attachments.validate_upload`; the clue is then registered by
`screening.services.register_clue`, like a clue entered on the page, so it gets its number, its
初步核查 deadline and a place in the department's 待办线索. A sender's key (`Idempotency-Key`,
else the 来源文号) is taken once per client: a repeat returns the first answer, creates
nothing."""

import base64
import binascii
import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Department, Jurisdiction
from parties.models import Party
from parties.services import find_or_create_party, identify
from rules.errors import RuleError
from screening.forms import ClueForm
from screening.models import Clue, SourceChannel
from screening.services import register_clue
from workflow.attachments import attach, validate_upload

from .errors import ApiError
from .models import ApiClient, ApiIntake
from .schemas import ClueIn, ClueStatus
from .status import clue_status

ATTACHMENT_KIND = "接口报送材料"


def fingerprint(payload: ClueIn) -> str:
    canonical = json.dumps(payload.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lookup(model, field, value, message, **filters):
    if not value:
        return ""
    found = list(model.objects.filter(**{field: value}, **filters).values_list("pk", flat=True)[:2])
    if len(found) != 1:
        raise ValidationError(message)
    return found[0]


def _form(payload: ClueIn, department) -> tuple[ClueForm, dict]:
    """The page's form, bound to the payload with codes and names turned into its choices."""
    errors: dict[str, list[str]] = {}
    data = {
        "found_on": payload.found_on.isoformat(), "registered_on": timezone.localdate().isoformat(),
        "source_organisation": payload.source_organisation,
        "source_reference": payload.source_reference, "summary": payload.summary,
        "place_detail": payload.place_detail, "damage_type": payload.damage_type,
        "estimated_amount": payload.estimated_amount,
        "in_protected_area": "on" if payload.in_protected_area else "",
        "rectification": payload.rectification, "obligor_codes": "",
    }
    lookups = {
        "channel": (SourceChannel, "code", payload.channel,
                    f"没有代码为“{payload.channel}”的线索渠道。", {"active": True}),
        "place": (Jurisdiction, "code", payload.place,
                  f"没有行政区划代码为“{payload.place}”的区县，或不在本部门辖区内。",
                  {"path__startswith": department.jurisdiction.path}),
        "referring_procuratorate": (
            Department, "name", payload.referring_procuratorate.strip(),
            f"没有名为“{payload.referring_procuratorate}”的检察机关（名称须与系统登记的一致）。",
            {"kind": Department.Kind.PROCURATORATE}),
    }
    for name, (model, field, value, message, filters) in lookups.items():
        try:
            data[name] = _lookup(model, field, value.strip(), message, **filters)
        except ValidationError as e:
            errors[name] = e.messages
    form = ClueForm(data, department=department)
    if not form.is_valid():
        for name, messages in form.errors.items():
            errors.setdefault("__all__" if name == "__all__" else name, list(messages))
    return form, errors


def _parties(payload: ClueIn, errors: dict) -> list[tuple[str, str, str]]:
    checked = []
    for i, party in enumerate(payload.parties):
        if not party.name.strip():
            errors.setdefault(f"parties[{i}].name", []).append("请填写名称或姓名。")
        try:
            code = identify(party.kind, party.credit_code, party.id_number)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                errors.setdefault(f"parties[{i}].{field}", []).extend(messages)
            continue
        checked.append((party.kind, party.name.strip(), code))
    return checked


def _files(payload: ClueIn, errors: dict) -> list[tuple[ContentFile, str]]:
    files = []
    for i, item in enumerate(payload.attachments):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors.setdefault(f"attachments[{i}].content_base64", []).append(
                "不是有效的 Base64 编码内容。")
            continue
        upload = ContentFile(content, name=item.filename)
        try:
            if not content:
                raise ValidationError("文件内容为空。")
            validate_upload(upload)
        except ValidationError as e:
            errors.setdefault(f"attachments[{i}].filename", []).extend(e.messages)
            continue
        files.append((upload, item.description))
    return files


def intake_clue(client: ApiClient, payload: ClueIn, *, key: str | None) -> tuple[dict, bool]:
    """(the answer, created). Raises ApiError 409 when the key was used for another payload or
    the department already registered the 来源文号 otherwise, 422 with the fields' errors."""
    user = client.user
    department = user.handling_department
    if department is None:
        raise ApiError(403, "本客户端代表的单位不办理索赔，不能登记线索。")
    key = (key or "").strip()[:150] or f"来源文号:{payload.source_reference.strip()}"
    digest = fingerprint(payload)
    with transaction.atomic():
        # one intake at a time per client: a repeat sent while the first runs waits for it
        ApiClient.objects.select_for_update().filter(pk=client.pk).first()
        done = ApiIntake.objects.filter(client=client, key=key).select_related("clue").first()
        if done is not None:
            if done.fingerprint != digest:
                raise ApiError(409, f"幂等键“{key}”已用于内容不同的另一次报送（线索"
                                    f"{done.clue.number}），请使用新的幂等键。")
            return done.response, False

        form, errors = _form(payload, department)
        parties = _parties(payload, errors)
        files = _files(payload, errors)
        if errors:
            raise ApiError(422, errors=errors)
        existing = (Clue.objects.filter(department=department,
                                        source_reference=form.cleaned_data["source_reference"])
                    .values_list("number", flat=True).first())
        if existing:
            raise ApiError(409, f"本部门已登记来源文号为“{payload.source_reference}”的线索"
                                f"（{existing}），未重复登记。")

        obligors = []
        for kind, name, code in parties:
            code_field = "id_number" if kind == Party.Kind.PERSON else "credit_code"
            obligors.append(find_or_create_party(kind=kind, name=name, by=user,
                                                 **{code_field: code}).party)
        clue = form.save(commit=False)
        clue.jurisdiction, clue.department = department.jurisdiction, department
        try:
            register_clue(clue, by=user, obligors=obligors)
        except RuleError as e:  # no rule profile in force on the day it was found
            raise ApiError(422, errors={"found_on": [str(e)]}) from e
        for upload, description in files:
            attach(clue, upload, by=user, kind=ATTACHMENT_KIND, description=description)
        response = ClueStatus.model_validate(clue_status(clue, user)).model_dump(mode="json")
        ApiIntake.objects.create(client=client, key=key, fingerprint=digest, clue=clue,
                                 response=response)
    return response, True
