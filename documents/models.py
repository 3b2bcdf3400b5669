"""The archive of generated forms: every PDF generated from a case is kept, with the data it was
built from, and the signed and stamped scan the officer uploads against it (issue 7)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from workflow.audit import AuditedModel


class GeneratedDocumentQuerySet(models.QuerySet):
    """Seen by whoever may see its case (the one scoping rule, through Case) and holds
    documents.view_generateddocument. A document that prints a natural person's full 身份证号码
    is seen only with parties.view_full_identity (the rule of parties/models.py): this also
    guards workflow's generic attachment download, which asks this queryset."""

    def visible_to(self, user):
        from cases.models import Case

        if not user.is_authenticated or not user.has_perm("documents.view_generateddocument"):
            return self.none()
        visible = self.filter(case__in=Case.objects.visible_to(user).values("pk"))
        if not user.has_perm("parties.view_full_identity"):
            visible = visible.filter(contains_id_number=False)
        return visible

    def workable_by(self, user):
        from cases.models import Case

        return self.visible_to(user).filter(
            case__in=Case.objects.workable_by(user).values("pk"))


class GeneratedDocument(AuditedModel):
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="generated_documents")
    form_code = models.CharField("文书代码", max_length=8,
                                 help_text="示范文本编号：1–7（documents/registry.py）")
    title = models.CharField("文书名称", max_length=100)
    obligor = models.ForeignKey(
        "parties.Party", verbose_name="赔偿义务人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", help_text="按赔偿义务人分别制作的文书")
    version = models.PositiveIntegerField("版本")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人",
                                     on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField("生成时间", default=timezone.now)
    sha256 = models.CharField("SHA-256", max_length=64)
    data = models.JSONField("生成所依据的数据", default=dict)
    contains_id_number = models.BooleanField("含身份证号码", default=False)
    pdf = models.ForeignKey("workflow.Attachment", verbose_name="PDF文件", null=True,
                            on_delete=models.PROTECT, related_name="+")
    scan = models.ForeignKey("workflow.Attachment", verbose_name="签章扫描件", null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="扫描件上传人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    scan_uploaded_at = models.DateTimeField("扫描件上传时间", null=True, blank=True)

    # The data is kept on the row (it never changes); the PDF is attached right after the row
    # is created (an attachment needs its owner's id), which is not a change worth a timeline
    # entry. The scan is: its upload is an audited update.
    audit_exclude = ("data", "pdf")
    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "生成文书"
        verbose_name_plural = "生成文书"
        ordering = ["-generated_at", "-id"]
        permissions = [
            ("generate_document", "生成文书PDF"),
            ("upload_scan", "上传签章扫描件"),
        ]
        constraints = [
            # One version number per case, form and obligor (NULL obligor: a form of the case).
            models.UniqueConstraint(fields=["case", "form_code", "version"],
                                    condition=Q(obligor__isnull=True),
                                    name="generated_document_version"),
            models.UniqueConstraint(fields=["case", "form_code", "obligor", "version"],
                                    condition=Q(obligor__isnull=False),
                                    name="generated_document_obligor_version"),
        ]
        indexes = [models.Index(fields=["case", "-generated_at", "-id"],
                                name="generated_document_case")]

    def __str__(self) -> str:
        who = f"（{self.obligor.name}）" if self.obligor_id else ""
        return f"[{self.form_code}]{self.title}{who} 第{self.version}版"

    def get_absolute_url(self) -> str:
        return reverse("documents:case_documents", args=[self.case_id]) + f"#document-{self.pk}"
