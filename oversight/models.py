"""The annual work report's own records (SX 第四十条): the part the coordinator writes (one per
jurisdiction and year) and the final versions, approved and archived. Every figure of a draft
is counted when it is generated (oversight/annual.py); a final version keeps its files."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Department, Jurisdiction
from accounts.roles import Role
from accounts.scoping import ScopedQuerySet, department_q
from workflow import approvals
from workflow.audit import AuditedModel


class AnnualReportText(AuditedModel):
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


def _coordinator(instance, user) -> bool:
    from .annual import may_write_text

    return may_write_text(user)


def _own_coordinator(instance, user) -> bool:
    """The coordinator of the report's own jurisdiction (not one above it) reports it up."""
    from .annual import may_write_text

    return may_write_text(user) and user.department.jurisdiction_id == instance.jurisdiction_id


def _has_superior(instance) -> bool:
    return instance.jurisdiction.parent_id is not None


_has_superior.description = "本行政区没有上级行政区，无需报送。"


def _department_head(instance, user) -> bool:
    from accounts.roles import Role, has_role

    return has_role(user, Role.DEPARTMENT_HEAD)


class AnnualReportFinalQuerySet(models.QuerySet):
    """Seen by those who may generate the report (协调员, 部门负责人) whose department sees the
    submitting department's records (`department_q`, the department part of the one scoping
    rule: its own, the lead's jurisdiction and below, the same system below); also guards
    workflow's generic attachment download of its files."""

    def visible_to(self, user):
        from accounts.scoping import department_q

        from .annual import may_generate

        if not may_generate(user):
            return self.none()
        # in its own jurisdiction by the scope rule; above it only once reported (报送)
        own = models.Q(jurisdiction=user.department.jurisdiction_id)
        reported = models.Q(state=AnnualReportFinal.State.SUBMITTED)
        return self.filter(department_q(user.department, "department__") & (own | reported))


class AnnualReportFinal(FSMModelMixin, AuditedModel):
    """A final version of the annual work report (SX 第四十条): the PDF and Excel frozen when the
    coordinator submits it, approved by the 部门负责人 through workflow.approvals (action
    "annual_report_final") and kept as the archive, as the generated forms are (documents/):
    待审批 → 已定稿, or 已退回 (a new version is then submitted); an approved version is then
    reported to the jurisdiction above (已报送; SX 第四十条: 12月底前报送省生态环境厅), which
    sees only reported versions."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已定稿"
        RETURNED = "returned", "已退回"
        SUBMITTED = "submitted", "已报送"

    # approved, whether or not reported up since
    APPROVED_STATES = (State.APPROVED, State.SUBMITTED)

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="行政区", on_delete=models.PROTECT,
                                     related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("版本")
    department = models.ForeignKey(Department, verbose_name="报送部门", on_delete=models.PROTECT,
                                   related_name="+")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.DRAFT,
                     protected=True)
    sha256 = models.CharField("PDF SHA-256", max_length=64)
    totals = models.JSONField("主要数据", default=dict)
    pdf = models.ForeignKey("workflow.Attachment", verbose_name="PDF文件", null=True,
                            on_delete=models.PROTECT, related_name="+")
    xlsx = models.ForeignKey("workflow.Attachment", verbose_name="Excel文件", null=True,
                             on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    approved_at = models.DateTimeField("定稿时间", null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True,
                                     blank=True, editable=False, on_delete=models.PROTECT,
                                     related_name="+")

    objects = AnnualReportFinalQuerySet.as_manager()

    class Meta:
        verbose_name = "年度工作情况报告（定稿）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year", "version"],
                                               name="annual_final_version_once")]

    def __str__(self):
        return f"{self.jurisdiction.name}{self.year}年度生态环境损害赔偿工作情况（第{self.version}版）"

    def get_absolute_url(self) -> str:
        """The frozen PDF: what the 部门负责人 approves."""
        if self.pdf_id is None:
            return reverse("oversight:reports")
        return reverse("workflow:download_attachment", args=[self.pdf_id])

    @transition(field=state, source=State.DRAFT, target=State.PENDING, permission=_coordinator,
                custom={"label": "提交定稿审批", "hidden": True})
    def submit(self, by=None, reason=""):
        pass

    @transition(field=state, source=State.PENDING, target=State.APPROVED,
                permission=_department_head, custom={"label": "批准定稿", "hidden": True})
    def approve(self, by=None, reason=""):
        self.approved_at = timezone.now()

    @transition(field=state, source=State.PENDING, target=State.RETURNED,
                permission=_department_head, custom={"label": "退回修改", "hidden": True})
    def send_back(self, by=None, reason=""):
        pass

    # SX 第四十条: 每年12月底前将本年度生态环境损害赔偿工作情况报送省生态环境厅
    @transition(field=state, source=State.APPROVED, target=State.SUBMITTED,
                permission=_own_coordinator, conditions=[_has_superior],
                custom={"label": "报送上级", "hidden": True})
    def report_up(self, by=None, reason=""):
        self.submitted_at = timezone.now()
        self.submitted_by = by


# The one approval mechanism (workflow/approvals.py): the final version is approved by the
# 部门负责人 of the submitting department. Registered here, when the app's models load.
approvals.register(approvals.ApprovalAction(
    code="annual_report_final", title="年度工作情况报告定稿",
    steps=(Role.DEPARTMENT_HEAD,),
    request_transition="submit", approve_transition="approve", return_transition="send_back",
))


class SummaryQuerySet(ScopedQuerySet):
    """Summary rows are scoped like the records they count (accounts/scoping.py): by the counted
    records' department and jurisdiction. The participant part of the rule (joint records of
    other departments) is not in the key: oversight/summary.py counts those from the records.

    The rule's department part is applied to the departments (and the lead's to the
    jurisdictions) and the rows kept by id: the same set as the joined form, without joining
    every summary row to its department and jurisdiction (a hashed subquery of a few ids)."""

    def own_scope_q(self, department) -> Q:
        if department.is_lead:
            return Q(jurisdiction_id__in=Jurisdiction.objects.filter(
                path__startswith=department.jurisdiction.path).values("pk"))
        return Q(department_id__in=Department.objects.filter(department_q(department))
                 .values("pk"))


class ClueCount(models.Model):
    """How many clues there are per registration month, department, jurisdiction, channel,
    damage type and screening outcome (screening.reports.outcome_expression): the dashboard's
    clue figures (issue 15) read these rows instead of millions of clues. Kept current by
    PostgreSQL triggers on screening_clue and screening_referral (migration 0003: every insert,
    update and delete, whichever code path runs it, bulk imports included), and rebuilt nightly
    from the clues with a check that nothing drifted (oversight/summary.py)."""

    month = models.DateField("登记月份")  # the first day of the month of registered_on
    department = models.ForeignKey(Department, on_delete=models.DO_NOTHING, db_constraint=False,
                                   related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.DO_NOTHING,
                                     db_constraint=False, related_name="+")
    channel = models.ForeignKey("screening.SourceChannel", on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+")
    damage_type = models.CharField(max_length=16)
    outcome = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = "线索汇总"
        verbose_name_plural = "线索汇总"
        constraints = [models.UniqueConstraint(
            fields=["month", "department", "jurisdiction", "channel", "damage_type", "outcome"],
            name="cluecount_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.outcome} {self.n}"


class CaseCount(models.Model):
    """How many cases there are, and their appraised damage (索赔金额), per month opened,
    department, jurisdiction, damage type, stage and classification: the dashboard's case
    figures (by stage, opened in the period, the trend's 启动, claimed money, 重大 counts) read
    these rows. Kept by triggers on cases_case and rebuilt nightly, like ClueCount."""

    month = models.DateField("启动月份")  # the first day of the month of opened_on
    department = models.ForeignKey(Department, on_delete=models.DO_NOTHING, db_constraint=False,
                                   related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.DO_NOTHING,
                                     db_constraint=False, related_name="+")
    damage_type = models.CharField(max_length=16)
    stage = models.CharField(max_length=24)
    classification = models.CharField(max_length=16)
    n = models.IntegerField(default=0)
    claimed = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = "案件汇总"
        verbose_name_plural = "案件汇总"
        constraints = [models.UniqueConstraint(
            fields=["month", "department", "jurisdiction", "damage_type", "stage",
                    "classification"], name="casecount_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.stage} {self.n}"


class MoneyCount(models.Model):
    """The money of the cases per department, jurisdiction and damage type of the case: the
    dashboard's money figures (赔偿资金; CQ 十五; NAT 十一; NT 三(十一); SX 第三十七条) read these
    rows instead of every obligation, deposit and spending request of the scope. Agreed and
    judged are the obligations' amounts by source, paid and outstanding theirs (cancelled
    obligations excluded); held and applied the deposits'; spent adds the paid spending for
    restoration purposes to the applied deposits. Kept by triggers on the three tables and on
    cases_case (a case moved takes its money along; migration 0005), rebuilt nightly with the
    other summaries (oversight/summary.py)."""

    department = models.ForeignKey(Department, on_delete=models.DO_NOTHING, db_constraint=False,
                                   related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.DO_NOTHING,
                                     db_constraint=False, related_name="+")
    damage_type = models.CharField(max_length=16)
    agreed = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    judged = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    paid = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    outstanding = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    held = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = "赔偿资金汇总"
        verbose_name_plural = "赔偿资金汇总"
        constraints = [models.UniqueConstraint(
            fields=["department", "jurisdiction", "damage_type"], name="moneycount_key")]

    def __str__(self) -> str:
        return f"{self.damage_type} {self.paid}"
