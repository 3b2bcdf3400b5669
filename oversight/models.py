"""The annual work report's own record (SX 第四十条): the part the coordinator writes. Every
figure of the report is counted when it is generated (oversight/annual.py); only the text is
stored, one per jurisdiction and year."""

from django.conf import settings
from django.db import models

from accounts.models import Jurisdiction


class AnnualReportText(models.Model):
    """工作情况综述: what the coordinator writes beside the figures (achievements, problems,
    next year's plan), per jurisdiction and year."""

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="行政区", on_delete=models.PROTECT,
                                     related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("工作情况综述", blank=True, help_text=(
        "本年度生态环境损害赔偿工作开展情况、主要成效、存在问题和下一步工作打算（SX 第四十条）"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填写人",
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("填写时间", auto_now=True)

    class Meta:
        verbose_name = "年度工作情况综述"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"],
                                               name="annual_text_once_per_year")]

    def __str__(self):
        return f"{self.jurisdiction} {self.year}年度工作情况综述"
