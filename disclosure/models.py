"""Information disclosure (信息公开): what a department publishes of a case, masked.

SX 第三十八条: the agreement, the judgments, the use of the compensation funds and the
restoration effect are published (依法向社会公开); NT 三(十二): each department publishes
within its remit (官方网站 …). A publication is prepared from a case by an officer who can work
the case, masked automatically (disclosure/masking.py), and published only with the
机构负责人's approval (workflow.approvals, action "disclosure_publish"): 草稿 → 待审批 →
已发布, sent back to 草稿; a published item can be withdrawn with a reason (已撤回)."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Jurisdiction
from accounts.roles import Role, has_role
from cases.models import Case
from cases.models.case import CasePartQuerySet
from workflow.audit import AuditedModel
from workflow.transitions import condition


def public_token() -> str:
    # The public site names an item by this token, never by a primary key: no other object's
    # id can be tried there, and the ids of drafts cannot be counted.
    return secrets.token_urlsafe(12)


def public_pdf_path(instance, filename: str) -> str:
    return f"disclosure/{instance.public_token}.pdf"


def can_prepare(publication, user) -> bool:
    return user.has_perm("disclosure.change_publication") and \
        Case.objects.workable_by(user).filter(pk=publication.case_id).exists()


def division_head(publication, user) -> bool:
    # the approval step checks the department; the transition checks the role again
    return has_role(user, Role.DIVISION_HEAD)


@condition("须填写标题和正文")
def has_text(publication) -> bool:
    return bool(publication.title.strip() and publication.original_text.strip())


@condition("脱敏结果须为最新（请保存后再提交）")
def masks_current(publication) -> bool:
    from .services import masked_now

    return masked_now(publication)


@condition("须先生成脱敏后的公开PDF")
def pdf_rendered(publication) -> bool:
    return bool(publication.public_pdf)


class PublicationQuerySet(CasePartQuerySet):
    def published(self):
        return self.filter(state=Publication.State.PUBLISHED)


class Publication(FSMModelMixin, AuditedModel):
    class Kind(models.TextChoices):
        # SX 第三十八条: 赔偿协议、诉讼裁判文书、赔偿资金使用情况、修复效果
        AGREEMENT = "agreement", "赔偿协议或协议摘要"
        JUDGMENT = "judgment", "判决或裁定"
        FUNDS = "funds", "赔偿资金使用情况"
        ASSESSMENT = "assessment", "修复效果评估"
        TYPICAL = "typical", "典型案例"

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PENDING = "pending", "待审批"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT,
                             related_name="publications")
    kind = models.CharField("公开类别", max_length=16, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    masked_title = models.CharField("脱敏后标题", max_length=200, blank=True, editable=False)
    original_text = models.TextField("原文", help_text="脱敏前的正文，不对外公开")
    masked_text = models.TextField("脱敏后正文", blank=True, editable=False)
    extra_masks = models.TextField(
        "补充隐去的内容", blank=True,
        help_text="每行一项；只能增加，不能删去已隐去的内容")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="赔偿权利人（行政区）",
                                     on_delete=models.PROTECT, related_name="publications")
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(2000, "年度不能早于2000年。"),
                          MaxValueValidator(2100, "年度不能晚于2100年。")])
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.DRAFT,
                     protected=True)
    public_token = models.CharField("公开编号", max_length=32, unique=True, default=public_token,
                                    editable=False)
    public_pdf = models.FileField("公开PDF", upload_to=public_pdf_path, blank=True,
                                  editable=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField("撤回理由", blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "信息公开"
        verbose_name_plural = "信息公开"
        indexes = [
            # the public list: published items, newest first, filtered by place/year/kind
            models.Index(fields=["state", "-published_at", "-id"], name="publication_public"),
            models.Index(fields=["state", "jurisdiction", "year", "kind"],
                         name="publication_filters"),
            models.Index(fields=["state", "year"], name="publication_years"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("disclosure:publication_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("public:item", args=[self.public_token])

    @property
    def department(self):
        return self.case.department

    def after_transition(self, name: str, by=None) -> None:
        if name in ("publish", "withdraw"):
            from .public import published_set_changed

            published_set_changed()

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @transition(field=state, source=State.DRAFT, target=State.PENDING, permission=can_prepare,
                conditions=[has_text, masks_current, pdf_rendered],
                custom={"label": "提交发布审批", "hidden": True})
    def submit(self, by=None, reason=""):
        pass

    @transition(field=state, source=State.PENDING, target=State.PUBLISHED,
                permission=division_head, custom={"label": "批准发布", "hidden": True})
    def publish(self, by=None, reason=""):
        from django.utils import timezone

        self.published_at = timezone.now()

    @transition(field=state, source=State.PENDING, target=State.DRAFT,
                permission=division_head, custom={"label": "退回修改", "hidden": True})
    def send_back(self, by=None, reason=""):
        pass

    @transition(field=state, source=State.PUBLISHED, target=State.WITHDRAWN,
                permission=can_prepare,
                custom={"label": "撤回", "reason_required": True, "style": "danger",
                        "hidden": True})
    def withdraw(self, by=None, reason=""):
        from django.utils import timezone

        self.withdrawn_at = timezone.now()
        self.withdrawal_reason = reason


class SourceFile(AuditedModel):
    """A PDF the officer attached (the agreement, the judgment …): the upload itself stays
    private (a workflow Attachment of the publication); its text is extracted, masked and
    printed into the public PDF, so nothing of the uploaded file is published as it is."""

    publication = models.ForeignKey(Publication, verbose_name="信息公开", on_delete=models.CASCADE,
                                    related_name="source_files")
    attachment = models.ForeignKey("workflow.Attachment", verbose_name="上传的文件",
                                   on_delete=models.PROTECT, related_name="+")
    name = models.CharField("文件名", max_length=255)
    extracted_text = models.TextField("提取的文字", blank=True, editable=False)
    masked_text = models.TextField("脱敏后文字", blank=True, editable=False)

    class Meta:
        verbose_name = "公开材料"
        verbose_name_plural = "公开材料"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
