"""Case classification (显著轻微 / 简单 / 一般 / 重大) and the major-case ledger (DOMAIN §3.2).

- CaseClassificationInput: the facts the officer records for the 简单 conditions that are not
  amounts (SX 第十五条: 损害事实简单、责任认定无争议、经办案部门或机构同意、与赔偿义务人协商一致).
- CaseMajorCriterion: the 重大案件 criteria of the case's profile the officer ticked (CQ 十;
  SX 第十二条), with a snapshot of the label and article.
- CaseClassification: the history of the results of cases.classification.classify (a row only
  when the result or the reasons change), with the inputs it was computed from.
- MajorCaseProgress: the progress notes of the 重大案件台帐 (SX 第十二条 定期调度).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from workflow.audit import AuditedModel
from workflow.formatting import cn_date

from .case import Case


class CaseClassificationInput(AuditedModel):
    """The non-amount facts the classification needs; one row per case, created on first save."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.CASCADE,
                                related_name="classification_input")
    facts_simple = models.BooleanField(
        "损害事实简单", default=False, help_text="违法事实清楚，因果关系明确（CQ 九；SX 第十五条）")
    no_dispute = models.BooleanField(
        "责任认定无争议", default=False,
        help_text="赔偿权利人与赔偿义务人之间、赔偿义务人相互之间对责任认定、划分无争议")
    department_agrees = models.BooleanField(
        "办案部门或机构同意适用简易评估程序", default=False, help_text="SX 第十五条")
    obligor_consents = models.BooleanField(
        "与赔偿义务人协商一致", default=False, help_text="赔偿义务人同意适用简易评估程序（SX 第十五条）")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更新人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")

    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = "案件分类要素"
        verbose_name_plural = "案件分类要素"

    def __str__(self) -> str:
        return f"{self.case} 分类要素"


class CaseMajorCriterion(AuditedModel):
    """A 重大案件 criterion of the case's rule profile (major.criteria) that applies to the case.
    The label and article are copied when ticked; unticking deletes the row (audited)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="major_criteria")
    code = models.CharField("情形代码", max_length=64)
    label = models.CharField("重大案件情形", max_length=300)
    citation = models.CharField("依据条款", max_length=100)
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    ticked_at = models.DateTimeField("认定时间", default=timezone.now)

    class Meta:
        verbose_name = "重大案件情形"
        verbose_name_plural = "重大案件情形"
        ordering = ["case", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "code"],
                                               name="unique_case_major_criterion")]

    def __str__(self) -> str:
        return f"{self.case}：{self.label}"


class ClassificationRecordLocked(Exception):
    pass


class CaseClassification(models.Model):
    """One result of the classification service; rows are only ever added (the history)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="classifications")
    result = models.CharField("案件类别", max_length=16, choices=Case.Classification.choices)
    pending = models.BooleanField("待损害数额确定", default=False,
                                  help_text="损害数额未知，暂按一般案件")
    reasons = models.JSONField("理由", default=list,
                               help_text='[{"text": "…", "citation": "CQ 九"}, …]')
    inputs = models.JSONField("分类依据数据", default=dict,
                              help_text="损害数额、费用、同意情况、重大案件情形的快照")
    profile = models.ForeignKey("rules.RuleProfile", verbose_name="适用规则版本",
                                on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField("分类时间", default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "案件分类记录"
        verbose_name_plural = "案件分类记录"
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["case", "-computed_at", "-id"],
                                name="case_classification_history")]

    def __str__(self) -> str:
        return f"{self.case} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ClassificationRecordLocked("分类记录不得修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ClassificationRecordLocked("分类记录不得删除。")

    @property
    def label(self) -> str:
        return self.get_result_display() + ("（待定）" if self.pending else "")


class MajorCaseProgress(AuditedModel):
    """A progress note of a 重大案件 (SX 第十二条 建立台帐，定期调度). Recording one meets the open
    dispatch deadline and opens the next (cases.ledger.record_progress)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="major_progress")
    noted_on = models.DateField("进展日期")
    text = models.TextField("进展情况")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                           on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    deadline = models.ForeignKey("workflow.Deadline", verbose_name="所办结的调度期限", null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "重大案件进展"
        verbose_name_plural = "重大案件进展"
        ordering = ["-noted_on", "-id"]
        indexes = [models.Index(fields=["case", "-noted_on", "-id"], name="major_progress_by_case")]

    def __str__(self) -> str:
        return f"{self.case} {cn_date(self.noted_on)} 进展"
