"""The party registry (当事人): obligors and other parties, shared by every stage.

One party per identity code (DOMAIN §6: "an obligor is one party across cases, matched by
credit code / ID number"), so that a party's history across clues and cases is one query
(parties/history.py) and the "same obligor again within two years" exception (CQ 四; SX
第十一条) can be checked. The registry is not department-scoped; what is linked to a party
(clues, cases) is."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.scoping import ScopedQuerySet
from workflow.audit import AuditedModel
from workflow.excel_import import ExcelUpload

from .validators import (
    mask_id_number,
    normalise_code,
    validate_credit_code,
    validate_id_number,
)

CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9X]$"


class PartyQuerySet(models.QuerySet):
    def by_code(self, code: str):
        """The party with this 统一社会信用代码 or 身份证号码 (normalised first); one indexed
        lookup."""
        code = normalise_code(code)
        if not code:
            return self.none()
        return self.filter(Q(credit_code=code) | Q(id_number=code))

    def search(self, text: str):
        """Name prefix, 统一社会信用代码 prefix, or a complete identity code. A partial ID number
        finds nothing: the ID number is personal data, found only by someone who has it."""
        text = (text or "").strip()
        if not text:
            return self
        code = normalise_code(text)
        q = Q(name__startswith=text)
        if code.isascii() and code.isalnum():
            if len(code) == 18:
                q |= Q(credit_code=code) | Q(id_number=code)
            elif len(code) >= 2:
                q |= Q(credit_code__startswith=code)
        return self.filter(q)


class Party(AuditedModel):
    """An organisation (单位) or a natural person (自然人), identified by its code."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "单位"
        PERSON = "person", "自然人"

    kind = models.CharField("当事人类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称或姓名", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code],
        help_text="18位，GB 32100-2015；个体工商户按单位登记")
    id_number = models.CharField(
        "身份证号码", max_length=18, blank=True, validators=[validate_id_number],
        help_text="18位，GB 11643-1999")
    legal_representative = models.CharField(
        "法定代表人（负责人）", max_length=100, blank=True)
    representative_title = models.CharField("职务", max_length=100, blank=True)
    work_unit = models.CharField("工作单位", max_length=200, blank=True)
    address = models.CharField("住所地", max_length=300, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
        related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    audit_exclude = ("created_at", "updated_at")
    objects = PartyQuerySet.as_manager()

    # Fields that belong to one kind only.
    ORGANISATION_FIELDS = ("credit_code", "legal_representative", "representative_title")
    PERSON_FIELDS = ("id_number", "work_unit")

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        permissions = [
            ("view_full_identity", "查看完整身份证号码"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["organisation", "person"]),
                name="party_kind_known",
                violation_error_message="当事人类型只能是单位或自然人。",
            ),
            models.CheckConstraint(
                condition=~Q(kind="organisation") | (~Q(credit_code="") & Q(id_number="")),
                name="party_organisation_has_credit_code",
                violation_error_message="单位须填写统一社会信用代码，且不填写身份证号码。",
            ),
            models.CheckConstraint(
                condition=~Q(kind="person") | (~Q(id_number="") & Q(credit_code="")),
                name="party_person_has_id_number",
                violation_error_message="自然人须填写身份证号码，且不填写统一社会信用代码。",
            ),
            models.CheckConstraint(
                condition=Q(credit_code="") | Q(credit_code__regex=CREDIT_CODE_PATTERN),
                name="party_credit_code_format",
                violation_error_message="统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。",
            ),
            models.CheckConstraint(
                condition=Q(id_number="") | Q(id_number__regex=ID_NUMBER_PATTERN),
                name="party_id_number_format",
                violation_error_message="身份证号码应为17位数字加1位数字或X。",
            ),
            # The same code is the same party (DOMAIN §6). These partial unique indexes also
            # serve the exact-code lookups.
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""),
                name="party_unique_credit_code",
                violation_error_message="该统一社会信用代码已登记，同一代码即同一当事人，请勿重复登记。",
            ),
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""),
                name="party_unique_id_number",
                violation_error_message="该身份证号码已登记，同一号码即同一当事人，请勿重复登记。",
            ),
        ]
        indexes = [
            # The list is keyset-paginated on (created_at, id).
            models.Index(fields=["-created_at", "-id"], name="party_keyset"),
            # Name and credit-code prefix search (LIKE 'x%' on PostgreSQL needs pattern ops).
            models.Index(fields=["name"], name="party_name_prefix",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["credit_code"], name="party_credit_code_prefix",
                         opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("parties:party_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.credit_code = normalise_code(self.credit_code)
        self.id_number = normalise_code(self.id_number)
        self.name = (self.name or "").strip()
        super().save(*args, **kwargs)

    @property
    def is_person(self) -> bool:
        return self.kind == self.Kind.PERSON

    @property
    def code(self) -> str:
        """The identity code in full: only for someone allowed to see it (see `code_for`)."""
        return self.id_number if self.is_person else self.credit_code

    @property
    def code_label(self) -> str:
        return "身份证号码" if self.is_person else "统一社会信用代码"

    @property
    def masked_code(self) -> str:
        """What lists, look-ups and histories show: a credit code in full (public), an ID
        number masked (personal data)."""
        return mask_id_number(self.id_number) if self.is_person else self.credit_code

    def code_for(self, user) -> str:
        """The code as `user` may see it: the full ID number needs parties.view_full_identity."""
        if self.is_person and not can_see_full_identity(user):
            return self.masked_code
        return self.code


def can_see_full_identity(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("parties.view_full_identity"))


class HistoricalRecordQuerySet(ScopedQuerySet):
    pass


class HistoricalRecord(AuditedModel):
    """历史记录: an obligor's damage event or closed case from before the system (before its
    jurisdiction's first rule profile), entered or imported by a department so that the repeat
    check (CQ 四(二); SX 第十一条(二)) sees it. It counts as damage, opens no deadlines, and is
    scoped like a clue (department, jurisdiction)."""

    class Kind(models.TextChoices):
        DAMAGE_EVENT = "damage_event", "历史损害事件"
        CLOSED_CASE = "closed_case", "历史已结案件"

    number = models.CharField("记录编号", max_length=40, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        "accounts.Jurisdiction", verbose_name="赔偿权利人", on_delete=models.PROTECT,
        related_name="+")
    department = models.ForeignKey(
        "accounts.Department", verbose_name="登记部门", on_delete=models.PROTECT,
        related_name="+")
    party = models.ForeignKey(Party, verbose_name="赔偿义务人", on_delete=models.PROTECT,
                              related_name="historical_records")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    event_date = models.DateField("发生日期", help_text="损害发生日期；已结案件填立案或损害发生日期")
    place = models.CharField("发生地点", max_length=200)
    description = models.TextField("情况描述")
    document_number = models.CharField("文书文号", max_length=100,
                                       help_text="处罚决定书、结案文书等的文号")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    audit_exclude = ("created_at",)
    objects = HistoricalRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "历史记录"
        verbose_name_plural = "历史记录"
        ordering = ["-event_date", "-id"]
        constraints = [
            # The same record entered or imported twice (DOMAIN §6: one fact, one record).
            models.UniqueConstraint(
                fields=["department", "party", "kind", "document_number"],
                name="historical_record_unique",
                violation_error_message="本部门已登记该义务人同一文号的同类历史记录。"),
        ]
        indexes = [models.Index(fields=["party", "-event_date"], name="historical_by_party")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("parties:historical_detail", args=[self.pk])


def historical_import_path(instance: HistoricalImport, filename: str) -> str:
    return f"imports/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.xlsx"


class HistoricalImport(ExcelUpload):
    """An uploaded .xlsx of 历史记录 between the dry-run preview and the confirmation
    (parties/imports.py, workflow/excel_import.py)."""

    file = models.FileField("文件", upload_to=historical_import_path, blank=True)
    resource_path = "parties.imports.HistoricalImportResource"

    class Meta:
        verbose_name = "历史记录导入"
        verbose_name_plural = "历史记录导入"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "-created_at"],
                                name="historical_import_by_user")]

    def get_absolute_url(self) -> str:
        return reverse("parties:historical_import_preview", args=[self.pk])

    @property
    def progress_url(self) -> str:
        return reverse("parties:historical_import_progress", args=[self.pk])
