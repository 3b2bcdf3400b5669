"""Deadlines (期限): one row per statutory or agreed period of any record, with its pauses, the
history of its recomputations and the alerts the scan raised for it.

A Deadline is changed only by the services in workflow/deadlines.py (a locked row, then a
DeadlineChange row saying who, when, why, the old and the new due date) and by the scan's bulk
compare-and-set updates. It is therefore not an AuditedModel: its history is its DeadlineChange
and DeadlineAlert rows."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import ScopedQuerySet


class DeadlineKind(models.TextChoices):
    """Every period the system keeps (DOMAIN §2, §3)."""

    VERIFICATION = "verification", "线索初步核查"  # SX 第九条；NT 三(二)
    INVESTIGATION = "investigation", "损害调查"  # CQ 五；NAT 四
    INVESTIGATION_CONCLUSION = "investigation_conclusion", "形成调查结论"  # SX 第十七条
    APPRAISAL = "appraisal", "鉴定评估"  # SX 第十四条
    NEGOTIATION_REPLY = "negotiation_reply", "磋商告知书答复"
    NEGOTIATION_PERIOD = "negotiation_period", "磋商期限"  # NAT 六；CQ 七(一)；SX 第十八条
    JUDICIAL_CONFIRMATION = "judicial_confirmation", "司法确认跟进"  # CQ 八；SX 第二十一条
    PAYMENT = "payment", "赔偿金缴纳（分期）"  # NT 三(九)；SX 第二十五条
    RESTORATION = "restoration", "生态修复期限"  # CQ 十三；SX 第二十三条
    EFFECT_ASSESSMENT = "effect_assessment", "修复效果评估"  # CQ 十四；SX 第二十七条
    SCREENING_ROUND = "screening_round", "季度线索筛查"  # CQ 二；SX 第八条
    HALF_YEAR_AGGREGATION = "half_year_aggregation", "半年筛查汇总"  # CQ 二
    ANNUAL_REPORT = "annual_report", "年度工作情况报送"  # SX 第四十条
    MAJOR_CASE_DISPATCH = "major_case_dispatch", "重大案件进展调度"  # SX 第十二条
    PROCURATORATE_FEEDBACK = "procuratorate_feedback", "向检察机关反馈"  # CQ 三；SX 第八条


class DeadlineQuerySet(ScopedQuerySet):
    # A deadline is seen by whoever sees its department's records (accounts/scoping.py).
    scope_department = "department"
    scope_jurisdiction = "department__jurisdiction"

    def active(self):
        return self.filter(status__in=(Deadline.Status.OPEN, Deadline.Status.OVERDUE))

    def of(self, subject):
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
            object_id=subject.pk,
        )


class Deadline(models.Model):
    Kind = DeadlineKind

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        MET = "met", "已办结"
        OVERDUE = "overdue", "已逾期"
        CANCELLED = "cancelled", "已撤销"

    class Calendar(models.TextChoices):
        NATURAL = "natural", "自然日"
        WORKING = "working", "工作日"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # Copied when the deadline opens, so that boards and notifications need no per-row lookup.
    subject_label = models.CharField("办理事项", max_length=200)
    subject_url = models.CharField("事项链接", max_length=300, blank=True)

    kind = models.CharField("期限类别", max_length=32, choices=DeadlineKind.choices)
    title = models.CharField("期限名称", max_length=100)
    rule_key = models.CharField("规则键", max_length=64, blank=True)
    citation = models.CharField("依据条款", max_length=100, blank=True)
    profile = models.ForeignKey(
        "rules.RuleProfile", verbose_name="规则配置版本", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    start_event = models.CharField("起算事件", max_length=50, blank=True)
    start_date = models.DateField("起算日")
    calendar = models.CharField("计算方式", max_length=8, choices=Calendar.choices)
    days = models.PositiveIntegerField("法定（约定）日数")
    extension_days = models.PositiveIntegerField("经批准延长日数", default=0)
    paused_days = models.PositiveIntegerField("中止期间日数", default=0,
                                              help_text="已结束的中止期间，按本期限的计算方式计")
    paused_since = models.DateField("中止起始日", null=True, blank=True,
                                    help_text="有值表示期限中止中，届满日待恢复后重新计算")
    due = models.DateField("届满日")
    confirmed = models.BooleanField(
        "届满日已确认", default=True, help_text="否：所涉年度节假日安排尚未录入，按周末推算")
    explanation = models.TextField("计算说明")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    met_at = models.DateTimeField("办结时间", null=True, blank=True)
    overdue_at = models.DateTimeField("逾期时间", null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="责任人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name="办理部门", on_delete=models.PROTECT,
        related_name="deadlines",
    )
    # The date the scan next has something to do (a reminder, marking overdue, an escalation);
    # null when nothing is left or the deadline is paused or closed. The scan reads only rows
    # with next_action_on <= today through a partial index (after healthchecks' alert_after).
    next_action_on = models.DateField("下次检查日", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = "期限"
        verbose_name_plural = "期限"
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="deadline_subject"),
            models.Index(fields=["next_action_on", "id"], name="deadline_scan",
                         condition=Q(next_action_on__isnull=False)),
            # Boards are keyset-paginated on (due, id) within a status and scope filter.
            models.Index(fields=["status", "-due", "-id"], name="deadline_board"),
            models.Index(fields=["department", "status", "-due", "-id"],
                         name="deadline_by_department"),
            models.Index(fields=["responsible", "status", "due"], name="deadline_by_responsible"),
            models.Index(fields=["id"], name="deadline_unconfirmed",
                         condition=Q(confirmed=False, status__in=["open", "overdue"])),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_action_on__isnull=True) | Q(status__in=["open", "overdue"]),
                name="deadline_closed_has_no_next_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("workflow:deadline_detail", args=[self.pk])

    @property
    def link(self) -> str:
        """Where a notification about this deadline leads: the record, else the deadline."""
        return self.subject_url or self.get_absolute_url()

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.OVERDUE)

    def days_left(self, today=None) -> int:
        return (self.due - (today or timezone.localdate())).days

    @property
    def remaining(self) -> tuple[str, str]:
        """(words, Bootstrap colour) for boards: 剩5日 / 今日届满 / 逾期2日 / 中止中 / 已办结."""
        if self.status == self.Status.MET:
            return "已办结", "success"
        if self.status == self.Status.CANCELLED:
            return "已撤销", "light"
        if self.is_paused:
            return "中止中", "info"
        left = self.days_left()
        if left < 0:
            return f"逾期{-left}日", "danger"
        if left == 0:
            return "今日届满", "warning"
        return f"剩{left}日", "warning" if left <= 3 else "secondary"


class DeadlinePause(models.Model):
    """An interval in which the period does not run (e.g. CQ 五: the investigation while an
    appraisal runs). ended_on is the day counting resumes; null while the pause lasts."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField("中止起始日")
    ended_on = models.DateField("恢复计算日", null=True, blank=True)
    reason = models.CharField("中止事由", max_length=200)
    counted_days = models.PositiveIntegerField("不计入期限的日数", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="恢复登记人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = "期限中止"
        verbose_name_plural = "期限中止"
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline"], condition=Q(ended_on__isnull=True),
                                    name="deadline_one_open_pause"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True)
                                   | Q(ended_on__gte=models.F("started_on")),
                                   name="deadline_pause_order"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline}：{self.reason}"


class DeadlineChange(models.Model):
    """One entry of a deadline's history: opened, paused, resumed, extended, recomputed,
    met, cancelled. Each change of the due date has one, with who and why."""

    class Action(models.TextChoices):
        OPENED = "opened", "设立期限"
        PAUSED = "paused", "期限中止"
        RESUMED = "resumed", "恢复计算"
        EXTENDED = "extended", "批准延长"
        RECOMPUTED = "recomputed", "重新计算"
        MET = "met", "办结"
        CANCELLED = "cancelled", "撤销"

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reason = models.TextField("理由", blank=True)
    old_due = models.DateField("原届满日", null=True, blank=True)
    new_due = models.DateField("新届满日", null=True, blank=True)
    explanation = models.TextField("计算说明", blank=True)

    class Meta:
        verbose_name = "期限变更记录"
        verbose_name_plural = "期限变更记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.deadline} {self.get_action_display()}"


class DeadlineAlert(models.Model):
    """"Something happened" to a deadline (healthchecks' Flip): a reminder is due, it became
    overdue, it is escalated, its expiry handler must run. The scan writes these rows; sending
    is separate work (workflow.deadlines.process_alerts). The unique key makes each alert
    happen once per due date, however many scans or workers run."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "到期提醒"
        OVERDUE = "overdue", "逾期"
        ESCALATION_DIVISION = "escalation_division", "逾期督办（机构负责人）"
        ESCALATION_DEPARTMENT = "escalation_department", "逾期督办（部门负责人）"
        EXPIRY = "expiry", "期限届满处理"

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField("类别", max_length=24, choices=Kind.choices)
    # Reminders: days before the due date of the reminder step (7, 3, 1); escalations: days
    # after the deadline became overdue; 0 otherwise.
    offset = models.SmallIntegerField("提前/逾期天数")
    due = models.DateField("届满日")
    days_left = models.IntegerField("距届满日天数")
    created_at = models.DateTimeField("产生时间", default=timezone.now)
    processed_at = models.DateTimeField("处理时间", null=True, blank=True)
    outcome = models.CharField("处理结果", max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField("处理失败次数", default=0)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "期限预警"
        verbose_name_plural = "期限预警"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "offset", "due"],
                                    name="deadline_alert_once"),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], name="deadline_alert_pending",
                         condition=Q(processed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} {self.get_kind_display()}"
