from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Department, Jurisdiction
from accounts.roles import Role, has_role
from accounts.scoping import ScopedQuerySet
from workflow.audit import AuditedModel
from workflow.transitions import condition


class SourceChannel(models.Model):
    """Where clues come from: 环法规〔2022〕31号 第十五条 as commonly quoted (DOMAIN §3.1). Data,
    so that an administrator can correct the list."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_procuratorate_referral = models.BooleanField(
        "检察机关移送", default=False, help_text="不启动时须向移送的检察机关反馈（CQ 三；SX 第八条）")
    is_department_referral = models.BooleanField("其他部门移送", default=False)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "线索渠道"
        verbose_name_plural = "线索渠道"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


def requested(decision: str):
    @condition("须有相应的审批申请")
    def check(clue) -> bool:
        return clue.decision == decision

    return check


@condition("检察机关移送的线索决定不启动的，须先记录向该检察机关的反馈（CQ 三；SX 第八条）")
def procuratorate_told(clue) -> bool:
    return not clue.needs_procuratorate_feedback


def division_head(clue, user) -> bool:
    # 机构负责人 of the handling department; workflow.approvals checks the department.
    return has_role(user, Role.DIVISION_HEAD)


def start_approver(clue, user) -> bool:
    # the last head of the case's 启动审批 (机构负责人, then 部门负责人; NAT 示范文本[1])
    return has_role(user, Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD)


def referral_errors(clue) -> dict[str, str]:
    """SX 第八条; CQ 三: a clue on the 检察机关移送 channel names the referring procuratorate
    (a department of kind 检察机关); no other channel names one."""
    channel = clue.channel if clue.channel_id else None
    procuratorate = clue.referring_procuratorate if clue.referring_procuratorate_id else None
    if channel is None:
        return {}
    if channel.is_procuratorate_referral:
        if procuratorate is None:
            return {"referring_procuratorate": "检察机关移送的线索须选择移送线索的检察机关（SX 第八条）。"}
        if procuratorate.kind != Department.Kind.PROCURATORATE:
            return {"referring_procuratorate": f"“{procuratorate}”不是检察机关，请选择移送线索的检察机关。"}
    elif procuratorate is not None:
        return {"referring_procuratorate": "只有“检察机关移送”渠道的线索才填写移送检察机关。"}
    return {}


class ClueQuerySet(ScopedQuerySet):
    scope_participants = "participants"


class Clue(FSMModelMixin, AuditedModel):
    """A 线索: the first record of possible damage, screened before a claim is opened."""

    class State(models.TextChoices):
        REGISTERED = "registered", "已登记"
        VERIFYING = "verifying", "初步核查中"
        AWAITING_APPROVAL = "awaiting_approval", "待审批"
        CASE_OPENED = "case_opened", "已启动索赔"
        NOT_STARTED = "not_started", "决定不启动"
        REFERRED = "referred", "已移送"
        EXCLUDED = "excluded", "不纳入筛查"
        CLOSED = "closed", "已办结"

    class NotStartReason(models.TextChoices):
        # CQ 三: 通过行政执法、诉讼或生态修复、恢复原状、认购碳汇等已实现修复
        ALREADY_RESTORED = "already_restored", "已通过执法、诉讼或义务人修复等途径实现生态环境修复（CQ 三）"
        # CQ 四；SX 第十条、第十一条
        TRIVIAL = "trivial", "显著轻微且不具备应当索赔的例外情形（CQ 四；SX 第十一条）"
        # SX 第九条: 经核查未造成生态环境损害
        NO_DAMAGE = "no_damage", "经初步核查未造成生态环境损害（SX 第九条）"
        OTHER = "other", "其他法定情形"

    class DamageType(models.TextChoices):
        WATER = "water", "水污染"
        AIR = "air", "大气污染"
        SOIL = "soil", "土壤污染"
        SOLID_WASTE = "solid_waste", "固体废物"
        ECOLOGY = "ecology", "生态破坏"
        WILDLIFE = "wildlife", "野生动植物"
        OTHER = "other", "其他"

    class Rectification(models.TextChoices):
        DONE = "done", "已完成整改"
        NOT_DONE = "not_done", "未完成整改"
        UNKNOWN = "unknown", "不明"

    class Decision(models.TextChoices):
        OPEN_CASE = "open_case", "启动索赔"
        NOT_START = "not_start", "不启动索赔"

    number = models.CharField("线索编号", max_length=40, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="赔偿权利人", on_delete=models.PROTECT, related_name="clues")
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="clues")
    participants = models.ManyToManyField(
        Department, verbose_name="参与单位", blank=True, related_name="participating_clues")
    channel = models.ForeignKey(SourceChannel, verbose_name="线索渠道", on_delete=models.PROTECT)
    found_on = models.DateField("发现日期")
    registered_on = models.DateField("登记日期", default=timezone.localdate)
    # SX 第八条; CQ 三: the procuratorate that referred the clue takes part in it (scoping) and
    # is owed feedback if the claim is not started.
    referring_procuratorate = models.ForeignKey(
        Department, verbose_name="移送检察机关", null=True, blank=True, on_delete=models.PROTECT,
        related_name="referred_clues", limit_choices_to={"kind": Department.Kind.PROCURATORATE},
        help_text="检察机关移送的线索须选择移送线索的检察机关（SX 第八条）")
    source_organisation = models.CharField("来源单位", max_length=100, blank=True)
    source_reference = models.CharField("来源文号", max_length=100, blank=True)
    summary = models.TextField("线索概要")
    place = models.ForeignKey(
        Jurisdiction, verbose_name="发生地（区县）", on_delete=models.PROTECT,
        related_name="clues_located", null=True, blank=True)
    place_detail = models.CharField("具体地点", max_length=200, blank=True)
    damage_type = models.CharField("损害类型", max_length=16, choices=DamageType.choices)
    suspected_obligors = models.ManyToManyField(
        "parties.Party", verbose_name="涉嫌赔偿义务人", blank=True, related_name="clues")
    estimated_amount = models.DecimalField(
        "估算损害数额（元）", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"), message="金额不能为负数。")],
        help_text="不含调查、鉴定评估等费用（CQ 四(一)；SX 第十五条）")
    in_protected_area = models.BooleanField(
        "位于生态保护红线或自然保护地", default=False)
    rectification = models.CharField(
        "整改情况", max_length=16, choices=Rectification.choices, default=Rectification.UNKNOWN)
    rule_profile = models.ForeignKey(
        "rules.RuleProfile", verbose_name="适用规则版本", on_delete=models.PROTECT,
        related_name="+", help_text="发现线索之日赔偿权利人适用的规则版本（DOMAIN §2）")
    decision = models.CharField("核查结论", max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.CharField("不启动理由", max_length=24, choices=NotStartReason.choices,
                                       blank=True)
    decision_note = models.TextField("结论说明", blank=True)
    trivial_assessment = models.JSONField("显著轻微评估（作出结论时）", default=dict, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    state = FSMField("状态", max_length=24, choices=State.choices, default=State.REGISTERED,
                     protected=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
        related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    audit_exclude = ("created_at", "updated_at")
    objects = ClueQuerySet.as_manager()

    class Meta:
        verbose_name = "线索"
        verbose_name_plural = "线索"
        permissions = [("handle_clue", "办理线索（登记、核查）")]
        indexes = [
            # Lists are keyset-paginated on (registered_on, id) within a scope filter.
            models.Index(fields=["department", "-registered_on", "-id"], name="clue_by_department"),
            models.Index(fields=["jurisdiction", "-registered_on", "-id"],
                         name="clue_by_jurisdiction"),
            models.Index(fields=["state", "-registered_on", "-id"], name="clue_by_state"),
            models.Index(fields=["-registered_on", "-id"], name="clue_keyset"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("screening:clue_detail", args=[self.pk])

    # --- transitions (DOMAIN §3.1); run them only through workflow.transitions.perform ---

    @transition(field=state, source=State.REGISTERED, target=State.VERIFYING,
                permission="screening.handle_clue", custom={"label": "开始初步核查",
                        "done": "已开始初步核查，请在初步核查期限内提出启动或不启动索赔的意见。"})
    def start_verification(self, *, by, reason=""):
        """SX 第九条: whether the clue caused damage is checked within the profile's period."""

    @transition(field=state, source=[State.REGISTERED, State.VERIFYING], target=State.EXCLUDED,
                permission="screening.handle_clue",
                custom={"label": "不纳入筛查", "reason_required": True, "style": "outline-secondary",
                        "done": "线索已不纳入筛查，下一步可以办结。"})
    def exclude(self, *, by, reason=""):
        """CQ 二: damage already restored through enforcement, litigation or other routes."""

    @transition(field=state, source=State.VERIFYING, target=State.AWAITING_APPROVAL,
                permission="screening.handle_clue",
                custom={"label": "申请不启动索赔", "hidden": True})
    def request_not_start(self, *, by, reason="", decision_reason, trivial_assessment=None):
        self.decision = self.Decision.NOT_START
        self.decision_reason = decision_reason
        self.decision_note = reason
        self.trivial_assessment = trivial_assessment or {}

    # 启动索赔 is approved once (issue 17; NAT 三 "报本部门或机构负责人同意后，开展索赔"): the
    # officer's decision opens the case, and the case's 启动审批 (form [1], both heads' opinions,
    # NAT 示范文本[1]) is the approval; its last step moves the clue on (cases/services.py).
    @transition(field=state, source=State.VERIFYING, target=State.AWAITING_APPROVAL,
                permission="screening.handle_clue",
                custom={"label": "启动索赔", "hidden": True})
    def request_case_opening(self, *, by, reason="", trivial_assessment=None):
        self._decide_to_open(reason, trivial_assessment)

    @transition(field=state, source=State.VERIFYING, target=State.CASE_OPENED,
                permission="screening.handle_clue",
                custom={"label": "并入已启动的案件", "hidden": True})
    def join_started_case(self, *, by, reason="", trivial_assessment=None):
        """Same damage as a case whose start is already approved: that approval covers it."""
        self._decide_to_open(reason, trivial_assessment)
        self.decided_on = timezone.localdate()

    def _decide_to_open(self, note, trivial_assessment):
        self.decision = self.Decision.OPEN_CASE
        self.decision_reason = ""
        self.decision_note = note
        self.trivial_assessment = trivial_assessment or {}

    @transition(field=state, source=State.AWAITING_APPROVAL, target=State.NOT_STARTED,
                permission=division_head,
                conditions=[requested(Decision.NOT_START)],
                custom={"label": "批准不启动索赔", "hidden": True})
    def approve_not_start(self, *, by, reason=""):
        self.decided_on = timezone.localdate()

    @transition(field=state, source=State.AWAITING_APPROVAL, target=State.CASE_OPENED,
                permission=start_approver,
                conditions=[requested(Decision.OPEN_CASE)],
                custom={"label": "批准启动索赔", "hidden": True})
    def approve_case_opening(self, *, by, reason=""):
        self.decided_on = timezone.localdate()

    @transition(field=state, source=State.AWAITING_APPROVAL, target=State.VERIFYING,
                permission=division_head,
                custom={"label": "退回", "hidden": True})
    def send_back(self, *, by, reason=""):
        self.decision = ""

    @transition(field=state, source=[State.REGISTERED, State.VERIFYING], target=State.REFERRED,
                permission="screening.handle_clue", custom={"label": "移送", "hidden": True})
    def refer(self, *, by, reason=""):
        """SX 第八条; NT 三(二): to the department responsible, with the evidence."""

    @transition(field=state, source=[State.NOT_STARTED, State.EXCLUDED, State.REFERRED],
                target=State.CLOSED, permission="screening.handle_clue",
                conditions=[procuratorate_told],
                custom={"label": "办结", "style": "outline-success",
                        "done": "线索已办结，不再需要办理。"})
    def close(self, *, by, reason=""):
        pass

    def after_transition(self, name: str, *, by) -> None:
        from screening.deadlines import DONE_STATES, close_verification

        if self.state in DONE_STATES:
            close_verification(self, by=by)

    def clean(self):
        super().clean()
        errors = referral_errors(self)
        if errors:
            raise ValidationError(errors)

    # --- facts the conditions and views ask ---

    @property
    def is_procuratorate_referral(self) -> bool:
        return self.channel.is_procuratorate_referral

    @property
    def needs_procuratorate_feedback(self) -> bool:
        """CQ 三; SX 第八条: a referred clue that is not started is fed back to the procuratorate."""
        return (self.is_procuratorate_referral and self.decision == self.Decision.NOT_START
                and not self.feedbacks.exists())
