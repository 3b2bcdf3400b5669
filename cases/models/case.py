from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Department, Jurisdiction
from accounts.roles import Role, has_role
from accounts.scoping import ScopedQuerySet
from cases.money import money
from screening.models import Clue
from workflow.audit import AuditedModel
from workflow.transitions import condition


class CaseQuerySet(ScopedQuerySet):
    scope_participants = "participants"


class CasePartQuerySet(models.QuerySet):
    """A record that belongs to a case (appraisal, negotiation, agreement …) is seen and handled
    by whoever may see or handle its case: the one scoping rule, through Case."""

    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))

    def workable_by(self, user):
        return self.filter(case__in=Case.objects.workable_by(user).values("pk"))


def division_or_department_head(case, user) -> bool:
    return has_role(user, Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD)


def department_head(case, user) -> bool:
    return has_role(user, Role.DEPARTMENT_HEAD)


@condition("须登记至少一名赔偿义务人（索赔启动登记表）")
def has_obligor(case) -> bool:
    return case.obligor_links.exists()


@condition("须填写案由及案情简介和启动索赔理由")
def initiation_filled(case) -> bool:
    return bool(case.cause.strip() and case.summary.strip())


@condition("须填写调查情况登记表的损害事实、法律依据和处理建议")
def investigation_recorded(case) -> bool:
    report = getattr(case, "investigation", None)
    return bool(report and report.damage_facts.strip() and report.legal_basis.strip()
                and report.suggestion.strip())


@condition("鉴定评估尚未结束")
def no_running_appraisal(case) -> bool:
    running = getattr(case, "running_appraisal", None)
    return running is None or not running()


@condition("尚有未履行完毕的义务")
def all_obligations_performed(case) -> bool:
    from cases.closing import unperformed

    return not unperformed(case)


class Case(FSMModelMixin, AuditedModel):
    """A 生态环境损害赔偿 case. `stage` is the one place that says where the case is in the
    whole lifecycle (DOMAIN §3.2–§3.7); it moves only by the transitions below, run through
    workflow.transitions.perform. Later stages (磋商 → 司法确认 → 履行 → 结案, 诉讼 → 强制执行)
    extend the same field."""

    class Stage(models.TextChoices):
        DRAFT = "draft", "索赔启动登记"
        INITIATION_APPROVAL = "initiation_approval", "启动审批中"
        INVESTIGATING = "investigating", "调查中"
        APPRAISING = "appraising", "鉴定评估中"
        CONCLUDED = "concluded", "调查结论"
        TERMINATION_APPROVAL = "termination_approval", "终止审批中"
        TERMINATED = "terminated", "索赔终止"
        NEGOTIATING = "negotiating", "磋商"
        PERFORMING = "performing", "履行"
        CONFIRMING = "confirming", "司法确认中"
        LITIGATING = "litigating", "诉讼"
        ENFORCING = "enforcing", "强制执行"
        CLOSING_APPROVAL = "closing_approval", "结案审批中"
        CLOSED = "closed", "结案"

    class Restorability(models.TextChoices):
        UNKNOWN = "unknown", "尚未评估"
        YES = "yes", "可以修复"
        PARTLY = "partly", "部分可以修复"
        NO = "no", "无法修复"

    class Classification(models.TextChoices):
        TRIVIAL = "trivial", "显著轻微"
        SIMPLE = "simple", "简单"
        ORDINARY = "ordinary", "一般"
        MAJOR = "major", "重大"

    number = models.CharField("案件编号", max_length=40, unique=True, editable=False)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="赔偿权利人",
                                     on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(Department, verbose_name="办案部门", on_delete=models.PROTECT,
                                   related_name="cases")
    participants = models.ManyToManyField(
        Department, verbose_name="参与单位", blank=True, related_name="participating_cases",
        help_text="联合办案部门，及受邀参与的检察机关")
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头办案部门", null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_cases", help_text="多部门联合办案时指定的牵头部门")
    rule_profile = models.ForeignKey(
        "rules.RuleProfile", verbose_name="适用规则版本", on_delete=models.PROTECT,
        related_name="+", help_text="发现线索之日适用的规则版本（DOMAIN §2）")
    clues = models.ManyToManyField("screening.Clue", verbose_name="来源线索",
                                   related_name="cases")
    # 索赔启动登记表 (form [1])
    source = models.CharField("案件来源", max_length=200)
    cause = models.CharField("案由", max_length=200)
    summary = models.TextField("案情简介及启动索赔理由", blank=True)
    damage_place = models.CharField("损害发生地", max_length=200, blank=True)
    damage_type = models.CharField("损害类型", max_length=16, blank=True,
                                   choices=Clue.DamageType.choices)
    # Amounts in yuan; fees are kept apart because thresholds exclude them (CQ 四(一)、九；
    # SX 第十五条；NT 三(六)).
    estimated_amount = money("估算损害数额（元）", null=True)
    appraised_amount = money("鉴定评估损害数额（元）", null=True)
    fees_amount = money("调查、鉴定评估等费用（元）", null=True)
    restorability = models.CharField("可修复性", max_length=16, choices=Restorability.choices,
                                     default=Restorability.UNKNOWN)
    restorable_area = models.CharField("可修复区域", max_length=200, blank=True)
    restoration_requirements = models.TextField("修复要求", blank=True)
    classification = models.CharField("案件类别", max_length=16, choices=Classification.choices,
                                      blank=True)
    # CQ 十二；SX 第三十一条: court and procuratorate told that the investigation started
    court_notified_on = models.DateField("告知人民法院日期", null=True, blank=True)
    procuratorate_notified_on = models.DateField("告知人民检察院日期", null=True, blank=True)
    opened_on = models.DateField("启动日期", default=timezone.localdate)
    investigation_started_on = models.DateField("调查开始日期", null=True, blank=True)
    investigation_ended_on = models.DateField("调查结束日期", null=True, blank=True)
    termination_reason = models.TextField("终止理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人",
                                   on_delete=models.PROTECT, related_name="+")
    stage = FSMField("阶段", max_length=24, choices=Stage.choices, default=Stage.DRAFT,
                     protected=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        permissions = [("handle_case", "办理案件")]
        indexes = [
            models.Index(fields=["department", "-opened_on", "-id"], name="case_by_department"),
            models.Index(fields=["jurisdiction", "-opened_on", "-id"],
                         name="case_by_jurisdiction"),
            models.Index(fields=["stage", "-opened_on", "-id"], name="case_by_stage"),
            models.Index(fields=["classification", "-opened_on", "-id"],
                         name="case_by_classification"),
            models.Index(fields=["-opened_on", "-id"], name="case_keyset"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    @property
    def is_read_only(self) -> bool:
        return self.stage in (self.Stage.TERMINATED, self.Stage.CLOSED)

    def is_workable_by(self, user) -> bool:
        """The case is within the user's handling scope (accounts/scoping.py workable_by)."""
        return Case.objects.workable_by(user).filter(pk=self.pk).exists()

    def can_be_handled_by(self, user) -> bool:
        """The user may act on the case and its stages' records now: the handling permission,
        the handling scope, and a case that is not read-only."""
        return (not self.is_read_only and user.has_perm("cases.handle_case")
                and self.is_workable_by(user))

    def running_appraisal(self) -> bool:
        """An appraisal of this case is still running (condition of finish_appraisal)."""
        return self.appraisals.filter(status="running").exists()

    @property
    def damage_amount(self):
        """The amount thresholds are judged on: appraised if known, else estimated (fees apart)."""
        return self.appraised_amount if self.appraised_amount is not None else \
            self.estimated_amount

    # --- claim initiation: form [1], 机构负责人 then 部门负责人 (NAT 三; CQ 三) ---

    @transition(field=stage, source=Stage.DRAFT, target=Stage.INITIATION_APPROVAL,
                permission="cases.handle_case", conditions=[initiation_filled, has_obligor],
                custom={"label": "提交启动审批", "hidden": True})
    def submit_initiation(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.INITIATION_APPROVAL, target=Stage.INVESTIGATING,
                permission=department_head, custom={"label": "批准启动索赔", "hidden": True})
    def approve_initiation(self, *, by, reason=""):
        self.investigation_started_on = timezone.localdate()

    @transition(field=stage, source=Stage.INITIATION_APPROVAL, target=Stage.DRAFT,
                permission=division_or_department_head, custom={"label": "退回", "hidden": True})
    def return_initiation(self, *, by, reason=""):
        pass

    # --- investigation and appraisal (CQ 五、六; SX 第十三–十七条) ---

    @transition(field=stage, source=Stage.INVESTIGATING, target=Stage.APPRAISING,
                permission="cases.handle_case", custom={"label": "委托鉴定评估", "hidden": True})
    def start_appraisal(self, *, by, reason="", on=None):
        """The investigation clock pauses while an appraisal runs (CQ 五; NAT 四), from `on`:
        the entrustment date as recorded (cases/stages.py reads stage_effective_on)."""
        self.stage_effective_on = on

    @transition(field=stage, source=Stage.APPRAISING, target=Stage.INVESTIGATING,
                permission="cases.handle_case", conditions=[no_running_appraisal],
                custom={"label": "鉴定评估完成", "hidden": True})
    def finish_appraisal(self, *, by, reason="", on=None):
        """The clock resumes from `on`: the completion date as recorded (default today)."""
        self.stage_effective_on = on

    @transition(field=stage, source=Stage.INVESTIGATING, target=Stage.CONCLUDED,
                permission="cases.handle_case", conditions=[investigation_recorded],
                custom={"label": "调查结束，形成调查结论",
                        "done": "调查已结束并形成结论，下一步：启动磋商，或申请索赔终止。"})
    def conclude_investigation(self, *, by, reason=""):
        self.investigation_ended_on = timezone.localdate()

    # --- conclusion: negotiate, or terminate with form [3] and the same two approvals ---

    @transition(field=stage, source=Stage.CONCLUDED, target=Stage.NEGOTIATING,
                permission="cases.handle_case", custom={"label": "启动磋商",
                        "done": "已启动磋商，请制作磋商方案和磋商告知书。"})
    def start_negotiation(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.CONCLUDED, target=Stage.TERMINATION_APPROVAL,
                permission="cases.handle_case",
                custom={"label": "申请索赔终止", "hidden": True})
    def request_termination(self, *, by, reason=""):
        self.termination_reason = reason

    @transition(field=stage, source=Stage.TERMINATION_APPROVAL, target=Stage.TERMINATED,
                permission=department_head, custom={"label": "批准索赔终止", "hidden": True})
    def approve_termination(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.TERMINATION_APPROVAL, target=Stage.CONCLUDED,
                permission=division_or_department_head, custom={"label": "退回", "hidden": True})
    def return_termination(self, *, by, reason=""):
        pass

    # --- after negotiation (negotiation/services.py runs these; CQ 七、八; SX 第十九–二十二条) ---

    @transition(field=stage, source=Stage.NEGOTIATING, target=Stage.PERFORMING,
                permission="cases.handle_case", custom={"label": "签署赔偿协议", "hidden": True})
    def agreement_signed(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.PERFORMING, target=Stage.CONFIRMING,
                permission="cases.handle_case", custom={"label": "申请司法确认", "hidden": True})
    def confirmation_applied(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.CONFIRMING, target=Stage.PERFORMING,
                permission="cases.handle_case", custom={"label": "司法确认", "hidden": True})
    def confirmation_granted(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.CONFIRMING, target=Stage.NEGOTIATING,
                permission="cases.handle_case",
                custom={"label": "不予司法确认，重新磋商", "hidden": True})
    def confirmation_refused(self, *, by, reason=""):
        pass

    @transition(field=stage, source=[Stage.NEGOTIATING, Stage.PERFORMING, Stage.CONFIRMING],
                target=Stage.LITIGATING, permission="cases.handle_case",
                custom={"label": "提起诉讼", "hidden": True})
    def litigation_started(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.LITIGATING, target=Stage.PERFORMING,
                permission="cases.handle_case", custom={"label": "判决生效", "hidden": True})
    def judgment_effective(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.PERFORMING, target=Stage.ENFORCING,
                permission="cases.handle_case", custom={"label": "申请强制执行", "hidden": True})
    def enforcement_applied(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.ENFORCING, target=Stage.PERFORMING,
                permission="cases.handle_case", custom={"label": "强制执行终结", "hidden": True})
    def enforcement_ended(self, *, by, reason=""):
        pass

    # --- 结案: every obligation performed (cases/closing.py), the division head approves ---

    @transition(field=stage, source=Stage.PERFORMING, target=Stage.CLOSING_APPROVAL,
                permission="cases.handle_case", conditions=[all_obligations_performed],
                custom={"label": "申请结案", "hidden": True})
    def request_closing(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.CLOSING_APPROVAL, target=Stage.CLOSED,
                permission=division_or_department_head,
                conditions=[all_obligations_performed],
                custom={"label": "批准结案", "hidden": True})
    def approve_closing(self, *, by, reason=""):
        pass

    @transition(field=stage, source=Stage.CLOSING_APPROVAL, target=Stage.PERFORMING,
                permission=division_or_department_head, custom={"label": "退回", "hidden": True})
    def return_closing(self, *, by, reason=""):
        pass

    def after_transition(self, name: str, *, by) -> None:
        from cases.stages import follow_stage

        follow_stage(self, name, by=by)


class CaseObligor(AuditedModel):
    class Role(models.TextChoices):
        PRINCIPAL = "principal", "赔偿义务人"
        JOINT = "joint", "共同赔偿义务人"
        JOINT_SEVERAL = "joint_several", "连带责任人"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="obligor_links")
    party = models.ForeignKey("parties.Party", verbose_name="当事人", on_delete=models.PROTECT,
                              related_name="case_links")
    role = models.CharField("身份", max_length=16, choices=Role.choices, default=Role.PRINCIPAL)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "案件赔偿义务人"
        verbose_name_plural = "案件赔偿义务人"
        constraints = [models.UniqueConstraint(fields=["case", "party"],
                                               name="unique_case_obligor")]

    def __str__(self) -> str:
        return f"{self.party}（{self.get_role_display()}）"
