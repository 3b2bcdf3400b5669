from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Department
from workflow.audit import AuditedModel

from .clues import Clue


class Referral(AuditedModel):
    """移送: a clue sent to the department responsible, with its evidence (SX 第八条; NT 三(二)).
    Receiving it registers a new clue there, whose own verification clock starts on receipt."""

    clue = models.ForeignKey(Clue, verbose_name="移送线索", on_delete=models.PROTECT,
                             related_name="referrals")
    from_department = models.ForeignKey(Department, verbose_name="移送部门",
                                        on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey(Department, verbose_name="接收部门",
                                      on_delete=models.PROTECT, related_name="referrals_in")
    sent_on = models.DateField("移送日期", default=timezone.localdate)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="移送人",
                                on_delete=models.PROTECT, related_name="+")
    note = models.TextField("移送说明")
    copy_to = models.ForeignKey(
        Department, verbose_name="抄送检察机关", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", limit_choices_to={"kind": Department.Kind.PROCURATORATE})
    received_on = models.DateField("接收日期", null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    received_clue = models.OneToOneField(
        Clue, verbose_name="接收后登记的线索", null=True, blank=True, on_delete=models.PROTECT,
        related_name="received_from")

    class Meta:
        verbose_name = "线索移送"
        verbose_name_plural = "线索移送"
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["to_department", "received_on"], name="referral_inbox")]

    def __str__(self) -> str:
        return f"{self.clue} → {self.to_department}"


class ProcuratorateFeedback(AuditedModel):
    """CQ 三; SX 第八条: the feedback to the procuratorate that referred a clue not started."""

    clue = models.ForeignKey(Clue, verbose_name="线索", on_delete=models.PROTECT,
                             related_name="feedbacks")
    procuratorate = models.CharField("反馈对象（检察机关）", max_length=100)
    sent_on = models.DateField("反馈日期")
    content = models.TextField("反馈内容")
    attachment = models.ForeignKey("workflow.Attachment", verbose_name="反馈文书", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人",
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "检察机关反馈"
        verbose_name_plural = "检察机关反馈"
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.clue} 反馈 {self.procuratorate}"
