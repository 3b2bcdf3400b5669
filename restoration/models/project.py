"""Restoration projects (生态环境修复) and their supervision: one project per restoration
obligation of an agreement or a judgment, or agreed before the agreement (CQ 十三; SX 第三十条).

Plan → expert review → filing (备案) → restoration under supervision → completion reported →
effect assessment → passed, or failed and back to restoration (SX 第二十六–二十八条; CQ 十四;
NAT 十二). The assessment may be waived (CQ 十四; SX 第二十七条); restoration may end early
with the department's consent, the unfinished part then paid (SX 第二十九条)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.roles import Role, has_role
from cases.models import Case, CaseObligor
from cases.models.case import CasePartQuerySet
from negotiation.models import Agreement, Litigation, RestorationMode, RestorationTerm
from rules.calendar import cn_date
from workflow.audit import AuditedModel
from workflow.transitions import condition

from .common import PERCENT, money, yuan
from .library import AlternativeProject

# SX 第二十六条(一) asks for an expert-reviewed plan where the obligor restores the damaged
# environment; labour compensation and a carbon-sink purchase have no restoration plan to review.
NO_REVIEW_MODES = (RestorationMode.LABOUR, RestorationMode.CARBON_SINK)


def department_head(project, user) -> bool:
    return has_role(user, Role.DEPARTMENT_HEAD)


def division_or_department_head(project, user) -> bool:
    return has_role(user, Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD)


@condition("案件已结案或终止，不能再办理")
def case_open(project) -> bool:
    return not project.case.is_read_only


@condition("须填写修复方案概要并上传修复方案（SX 第二十六条(一)）")
def plan_recorded(project) -> bool:
    return bool(project.plan_summary.strip() and project.plan_file_id and project.plan_drafted_on)


@condition("替代修复须选定替代修复项目库中的项目（CQ 十三）")
def alternative_chosen(project) -> bool:
    return project.mode != RestorationMode.ALTERNATIVE or project.alternative_project_id is not None


@condition("劳务代偿须核算劳务价值量：劳务时长、计量单位和单位价值（NT 三(九)）")
def labour_accounted(project) -> bool:
    return project.mode != RestorationMode.LABOUR or project.labour_value is not None


@condition("委托第三方修复须登记受委托的第三方机构（CQ 十三）")
def executor_named(project) -> bool:
    return project.mode != RestorationMode.THIRD_PARTY or project.executor_id is not None


@condition("须填写专家论证日期、论证专家和论证意见（SX 第二十六条(一)）")
def review_recorded(project) -> bool:
    return bool(project.reviewed_on and project.review_experts.strip()
                and project.review_opinion.strip())


@condition("修复方案须经专家论证通过后备案（SX 第二十六条(一)）")
def reviewed_if_required(project) -> bool:
    return project.mode in NO_REVIEW_MODES or project.state == RestorationProject.State.REVIEWED


@condition("须填写备案日期和备案编号")
def filing_recorded(project) -> bool:
    return bool(project.filed_on and project.filing_number.strip())


@condition("须填写开工日期，且不早于备案日期")
def start_recorded(project) -> bool:
    return bool(project.started_on and (project.filed_on is None
                                        or project.started_on >= project.filed_on))


@condition("须填写完工通报日期和完成情况（CQ 十四；NAT 十二）")
def completion_recorded(project) -> bool:
    return bool(project.completion_reported_on and project.completion_note.strip()
                and (project.started_on is None
                     or project.completion_reported_on >= project.started_on))


@condition("劳务代偿的价值量须不低于应承担的修复费用（NT 三(九)）")
def labour_covers_cost(project) -> bool:
    if project.mode != RestorationMode.LABOUR or project.estimated_cost is None:
        return True
    return project.labour_value is not None and project.labour_value >= project.estimated_cost


@condition("须先登记效果评估的组织情况（评估单位、开始日期）")
def assessment_open(project) -> bool:
    current = project.current_assessment()
    return current is not None and current.result == EffectAssessment.Result.PENDING


def _concluded(project, result) -> bool:
    current = project.current_assessment()
    return bool(current and current.result == result and current.concluded_on
                and current.conclusion.strip() and current.report_id)


@condition("须登记评估结论为“达到修复目标”，并上传效果评估报告")
def assessment_passed(project) -> bool:
    return _concluded(project, EffectAssessment.Result.PASSED)


@condition("须登记评估结论为“未达到修复目标”，并上传效果评估报告（SX 第二十八条）")
def assessment_failed(project) -> bool:
    return _concluded(project, EffectAssessment.Result.FAILED)


@condition("须选择不组织效果评估的情形（CQ 十四；SX 第二十七条）")
def waiver_reason_given(project) -> bool:
    return bool(project.waiver_reason)


@condition("以已形成的监测、验收、调查报告代替效果评估的，须上传该报告（CQ 十四(一)；SX 第二十七条(一)）")
def waiver_report_attached(project) -> bool:
    return project.waiver_reason != RestorationProject.Waiver.EXISTING_REPORT or \
        project.waiver_file_id is not None


@condition("只有以劳务代偿方式承担责任的，才能以此为由不组织效果评估（CQ 十四(二)；SX 第二十七条(二)）")
def waiver_labour_matches(project) -> bool:
    return project.waiver_reason != RestorationProject.Waiver.LABOUR or \
        project.mode == RestorationMode.LABOUR


@condition("以其他情形不组织效果评估的，须写明具体情况（CQ 十四(三)；SX 第二十七条(三)）")
def waiver_note_given(project) -> bool:
    return project.waiver_reason != RestorationProject.Waiver.OTHER or \
        bool(project.waiver_note.strip())


@condition("须选择终止修复的情形并写明情况（SX 第二十九条）")
def end_reason_given(project) -> bool:
    return bool(project.end_reason and project.end_note.strip())


@condition("须填写未完成部分应缴纳的赔偿资金及缴纳期限（SX 第二十九条：依法缴纳赔偿资金）")
def end_amount_given(project) -> bool:
    if project.end_amount is None:
        return False
    return project.end_amount == 0 or project.end_due_on is not None


class RestorationProject(FSMModelMixin, AuditedModel):
    class State(models.TextChoices):
        PLANNING = "planning", "待编制方案"
        PLAN_DRAFTED = "plan_drafted", "方案已编制"
        REVIEWED = "reviewed", "方案经专家论证"
        FILED = "filed", "方案已备案"
        IN_PROGRESS = "in_progress", "修复实施中"
        COMPLETED = "completed", "已通报完成"
        ASSESSING = "assessing", "效果评估中"
        PASSED = "passed", "效果评估通过"
        WAIVED = "waived", "不组织效果评估"
        END_APPROVAL = "end_approval", "终止修复审批中"
        ENDED = "ended", "经同意终止修复"
        WITHDRAWN = "withdrawn", "已撤销"

    # Performed, for closing the case (cases/closing.py): passed, waived, ended with its money
    # owed as a fund obligation, or withdrawn by a corrected agreement.
    DONE = (State.PASSED, State.WAIVED, State.ENDED, State.WITHDRAWN)

    class Origin(models.TextChoices):
        AGREEMENT = "agreement", "赔偿协议"
        JUDGMENT = "judgment", "生效判决"
        EARLY = "early", "协议签订前先行修复"

    class LabourUnit(models.TextChoices):
        HOUR = "hour", "小时"
        DAY = "day", "日"

    class Waiver(models.TextChoices):
        # CQ 十四; SX 第二十七条
        EXISTING_REPORT = "existing_report", "已形成的监测、验收、调查等报告包括修复情况，且可以满足修复效果评估需要"
        LABOUR = "labour", "以劳务代偿方式承担生态环境损害责任"
        OTHER = "other", "其他可以不组织开展修复效果评估的情形"

    class EndReason(models.TextChoices):
        # SX 第二十九条
        RISK_ACCEPTABLE = "risk_acceptable", "确实无法达到修复目标，但已修复至生态环境风险可接受水平"
        FORCE_MAJEURE = "force_majeure", "因不可抗力导致修复中止并无法继续"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="restoration_projects")
    sequence = models.PositiveSmallIntegerField("序号", editable=False)
    origin = models.CharField("修复义务来源", max_length=16, choices=Origin.choices)
    agreement = models.ForeignKey(Agreement, verbose_name="赔偿协议", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text="现行有效的协议版本")
    term = models.ForeignKey(RestorationTerm, verbose_name="协议修复条款", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    litigation = models.ForeignKey(Litigation, verbose_name="生效判决", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    obligor = models.ForeignKey(CaseObligor, verbose_name="履行义务人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text="不填表示全体赔偿义务人共同履行")
    item = models.CharField("修复事项", max_length=200)
    mode = models.CharField("修复方式", max_length=24, choices=RestorationMode.choices)
    target = models.TextField("修复目标")
    place = models.CharField("修复地点", max_length=200, blank=True)
    estimated_cost = money("修复费用（元）", null=True)
    start_by = models.DateField("开工期限", null=True, blank=True)
    finish_by = models.DateField("完成期限", null=True, blank=True)
    assessment_by = models.DateField("效果评估期限", null=True, blank=True)
    # 委托第三方 (CQ 十三): the entrusted organisation, a registered party
    executor = models.ForeignKey("parties.Party", verbose_name="受委托第三方机构", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    # 替代修复 (CQ 十三): the library project and what this case takes of it
    alternative_project = models.ForeignKey(
        AlternativeProject, verbose_name="替代修复项目", null=True, blank=True,
        on_delete=models.PROTECT, related_name="restoration_projects")
    allocated_amount = money("占用项目预算（元）", null=True)
    allocated_quantity = models.DecimalField("占用项目规模", max_digits=14, decimal_places=2,
                                             null=True, blank=True)
    # 劳务代偿 (NT 三(九): 做好劳务代偿工作价值量核算)
    labour_unit = models.CharField("劳务计量单位", max_length=8, choices=LabourUnit.choices,
                                   blank=True)
    labour_quantity = models.DecimalField("劳务时长", max_digits=10, decimal_places=1,
                                          null=True, blank=True)
    labour_unit_value = money("单位劳务价值（元）", null=True)
    labour_value = money("劳务代偿价值量（元）", null=True, editable=False,
                         help_text="劳务时长 × 单位劳务价值，系统计算")
    # 修复方案 → 专家论证 → 备案 (SX 第二十六条)
    plan_summary = models.TextField("修复方案概要", blank=True)
    plan_file = models.ForeignKey("workflow.Attachment", verbose_name="修复方案", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    plan_drafted_on = models.DateField("方案编制日期", null=True, blank=True)
    reviewed_on = models.DateField("专家论证日期", null=True, blank=True)
    review_experts = models.CharField("论证专家", max_length=300, blank=True)
    review_opinion = models.TextField("专家论证意见", blank=True)
    review_file = models.ForeignKey("workflow.Attachment", verbose_name="专家论证意见文件",
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    filed_on = models.DateField("备案日期", null=True, blank=True)
    filing_number = models.CharField("备案编号", max_length=100, blank=True)
    # 实施与监督
    started_on = models.DateField("开工日期", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("修复进度（%）", default=0, validators=PERCENT)
    procuratorate = models.ForeignKey(
        "accounts.Department", verbose_name="受邀监督的检察机关", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", help_text="CQ 十二：可邀请检察机关参与监督")
    procuratorate_invited_on = models.DateField("邀请检察机关监督日期", null=True, blank=True)
    taken_over_on = models.DateField(
        "部门组织修复日期", null=True, blank=True,
        help_text="赔偿义务人未履行修复义务，部门使用保证金组织修复（NT 三(九)、三(十一)）")
    completion_reported_on = models.DateField("完工通报日期", null=True, blank=True)
    completion_note = models.TextField("完成情况", blank=True)
    completion_file = models.ForeignKey("workflow.Attachment", verbose_name="完工通报",
                                        null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    # 不组织效果评估 (CQ 十四; SX 第二十七条)
    waiver_reason = models.CharField("不组织效果评估的情形", max_length=24,
                                     choices=Waiver.choices, blank=True)
    waiver_note = models.TextField("不组织效果评估的说明", blank=True)
    waiver_file = models.ForeignKey("workflow.Attachment", verbose_name="已形成的报告",
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # 终止修复 (SX 第二十九条)
    end_reason = models.CharField("终止修复的情形", max_length=24, choices=EndReason.choices,
                                  blank=True)
    end_note = models.TextField("终止修复情况说明", blank=True)
    end_amount = money("未完成部分应缴纳的赔偿资金（元）", null=True)
    end_due_on = models.DateField("赔偿资金缴纳期限", null=True, blank=True)
    # the engine's deadlines for the agreed dates (SX 第二十条: 履行期限)
    start_deadline = models.ForeignKey("workflow.Deadline", verbose_name="开工期限", null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+",
                                       editable=False)
    finish_deadline = models.ForeignKey("workflow.Deadline", verbose_name="完成期限", null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+",
                                        editable=False)
    assessment_deadline = models.ForeignKey(
        "workflow.Deadline", verbose_name="效果评估期限", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人",
                                   on_delete=models.PROTECT, related_name="+")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PLANNING,
                     protected=True)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = "修复项目"
        verbose_name_plural = "修复项目"
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"],
                                    name="unique_restoration_project_sequence"),
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="restoration_progress_at_most_100"),
        ]
        indexes = [models.Index(fields=["state", "-id"], name="restoration_by_state")]

    def __str__(self) -> str:
        return f"{self.case.number} 修复项目{self.sequence}：{self.item}"

    def get_absolute_url(self) -> str:
        return reverse("restoration:project_detail", args=[self.pk])

    @property
    def department(self):
        return self.case.department

    @property
    def is_done(self) -> bool:
        return self.state in self.DONE

    @property
    def is_read_only(self) -> bool:
        return self.is_done or self.case.is_read_only

    def current_assessment(self):
        return self.assessments.order_by("-sequence").first()

    def compute_labour_value(self) -> Decimal | None:
        """NT 三(九): hours or days × unit value, in yuan to the cent."""
        if self.labour_quantity is None or self.labour_unit_value is None \
                or not self.labour_unit:
            return None
        return yuan(self.labour_quantity * self.labour_unit_value)

    def save(self, *args, **kwargs):
        self.labour_value = self.compute_labour_value()
        super().save(*args, **kwargs)

    # --- transitions (restoration/services.py runs them through workflow.transitions) ---

    @transition(field=state, source=State.PLANNING, target=State.PLAN_DRAFTED,
                permission="cases.handle_case",
                conditions=[case_open, plan_recorded, alternative_chosen, labour_accounted,
                            executor_named],
                custom={"label": "修复方案已编制"})
    def draft_plan(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.PLAN_DRAFTED, target=State.REVIEWED,
                permission="cases.handle_case", conditions=[case_open, review_recorded],
                custom={"label": "专家论证通过"})
    def review(self, *, by, reason=""):
        pass

    @transition(field=state, source=[State.PLAN_DRAFTED, State.REVIEWED], target=State.FILED,
                permission="cases.handle_case",
                conditions=[case_open, reviewed_if_required, filing_recorded],
                custom={"label": "方案备案"})
    def file_plan(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.FILED, target=State.IN_PROGRESS,
                permission="cases.handle_case", conditions=[case_open, start_recorded],
                custom={"label": "开工实施"})
    def start(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.COMPLETED,
                permission="cases.handle_case",
                conditions=[case_open, completion_recorded, labour_covers_cost],
                custom={"label": "通报修复完成"})
    def report_completion(self, *, by, reason=""):
        self.progress = 100

    @transition(field=state, source=State.COMPLETED, target=State.ASSESSING,
                permission="cases.handle_case", conditions=[case_open, assessment_open],
                custom={"label": "组织效果评估"})
    def start_assessment(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.ASSESSING, target=State.PASSED,
                permission="cases.handle_case", conditions=[case_open, assessment_passed],
                custom={"label": "效果评估通过"})
    def pass_assessment(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.ASSESSING, target=State.IN_PROGRESS,
                permission="cases.handle_case", conditions=[case_open, assessment_failed],
                custom={"label": "效果评估未通过，继续修复", "style": "warning"})
    def fail_assessment(self, *, by, reason=""):
        # SX 第二十八条: restoration continues until the target is reached
        self.completion_reported_on = None

    @transition(field=state, source=State.COMPLETED, target=State.WAIVED,
                permission="cases.handle_case",
                conditions=[case_open, waiver_reason_given, waiver_report_attached,
                            waiver_labour_matches, waiver_note_given],
                custom={"label": "不组织效果评估"})
    def waive_assessment(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.END_APPROVAL,
                permission="cases.handle_case",
                conditions=[case_open, end_reason_given, end_amount_given],
                custom={"label": "申请终止修复", "hidden": True})
    def request_early_end(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.END_APPROVAL, target=State.ENDED,
                permission=department_head, conditions=[case_open],
                custom={"label": "同意终止修复", "hidden": True})
    def approve_early_end(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.END_APPROVAL, target=State.IN_PROGRESS,
                permission=division_or_department_head,
                custom={"label": "不同意终止修复", "hidden": True})
    def return_early_end(self, *, by, reason=""):
        pass

    @transition(field=state,
                source=[State.PLANNING, State.PLAN_DRAFTED, State.REVIEWED, State.FILED,
                        State.IN_PROGRESS, State.COMPLETED, State.ASSESSING],
                target=State.WITHDRAWN, permission="cases.handle_case",
                custom={"label": "撤销修复项目", "hidden": True})
    def withdraw(self, *, by, reason=""):
        pass


class EffectAssessment(AuditedModel):
    """One effect assessment (修复效果评估) of a project: organised after the completion notice
    (CQ 十四; NAT 十二); a failed one sends the project back to restoration (SX 第二十八条)."""

    class Result(models.TextChoices):
        PENDING = "pending", "评估中"
        PASSED = "passed", "达到修复目标"
        FAILED = "failed", "未达到修复目标"

    project = models.ForeignKey(RestorationProject, verbose_name="修复项目",
                                on_delete=models.CASCADE, related_name="assessments")
    sequence = models.PositiveSmallIntegerField("评估次序", editable=False)
    assessor = models.CharField("评估单位", max_length=200)
    started_on = models.DateField("评估开始日期")
    concluded_on = models.DateField("评估完成日期", null=True, blank=True)
    result = models.CharField("评估结论", max_length=16, choices=Result.choices,
                              default=Result.PENDING)
    conclusion = models.TextField("评估意见", blank=True)
    report = models.ForeignKey("workflow.Attachment", verbose_name="效果评估报告", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "修复效果评估"
        verbose_name_plural = "修复效果评估"
        ordering = ["project", "sequence"]
        constraints = [models.UniqueConstraint(fields=["project", "sequence"],
                                               name="unique_effect_assessment_sequence")]

    def __str__(self) -> str:
        return f"第{self.sequence}次修复效果评估（{self.get_result_display()}）"


class SiteVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=RestorationProject.objects.visible_to(user).values("pk"))


class SiteVisit(AuditedModel):
    """过程监管: a visit to the site (date, who, findings, photos as attachments, progress seen)
    (CQ 十三 做好过程监管; SX 第三十条)."""

    project = models.ForeignKey(RestorationProject, verbose_name="修复项目",
                                on_delete=models.CASCADE, related_name="site_visits")
    visited_on = models.DateField("检查日期")
    visitors = models.CharField("检查人员", max_length=300)
    findings = models.TextField("检查情况")
    progress = models.PositiveSmallIntegerField("现场核实进度（%）", null=True, blank=True,
                                                validators=PERCENT)
    procuratorate_present = models.BooleanField("检察机关参加", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    objects = SiteVisitQuerySet.as_manager()

    class Meta:
        verbose_name = "现场检查"
        verbose_name_plural = "现场检查"
        ordering = ["project", "-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{cn_date(self.visited_on)}现场检查"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()
