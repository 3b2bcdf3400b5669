from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from accounts.roles import Role, has_role
from cases.models import Case, CaseObligor
from cases.models.case import CasePartQuerySet
from rules.calendar import cn_date
from rules.errors import RuleError
from workflow.audit import AuditedModel
from workflow.models import Deadline, DeadlineKind
from workflow.transitions import condition

# A case has its first round and, after a refused judicial confirmation, one renegotiation
# (CQ 八; SX 第二十一条): never a third.
MAX_ROUNDS = 2


def department_head(negotiation, user) -> bool:
    return has_role(user, Role.DEPARTMENT_HEAD)


def division_or_department_head(negotiation, user) -> bool:
    return has_role(user, Role.DIVISION_HEAD, Role.DEPARTMENT_HEAD)


def division_head(negotiation, user) -> bool:
    return has_role(user, Role.DIVISION_HEAD)


@condition("须填写磋商方案：修复方案可行性、费用和赔偿义务人的赔偿能力（NT 三(七)）")
def plan_filled(negotiation) -> bool:
    return all(getattr(negotiation, f).strip() for f in
               ("plan_feasibility", "plan_cost", "plan_obligor_capacity"))


@condition("须填写磋商告知书：赔偿事由、调查情况、磋商小组、首次会议时间地点和答复期限（示范文本[4]）")
def notice_filled(negotiation) -> bool:
    return bool(negotiation.notice_cause.strip() and negotiation.notice_findings.strip()
                and negotiation.group_own.strip() and negotiation.first_meeting_at
                and negotiation.first_meeting_place.strip() and negotiation.reply_due)


@condition("须至少一次成功送达磋商告知书")
def served(negotiation) -> bool:
    return negotiation.service_attempts.filter(succeeded=True).exists()


@condition("须为重大案件或经认定案情复杂，且适用规则允许经批准增加会议次数（CQ 七(一)；SX 第十八条）")
def extra_meetings_admissible(negotiation) -> bool:
    return negotiation.more_meetings_admissible()


@condition("磋商会议尚未达到次数上限，无需申请")
def meetings_exhausted(negotiation) -> bool:
    limit = negotiation.meeting_limit()
    return limit is not None and negotiation.meetings_held() >= limit


@condition("磋商期限已届满，继续磋商须经机构负责人批准（NAT 六；CQ 七(一)；SX 第十八条）")
def within_period(negotiation) -> bool:
    return not negotiation.overrun_block()


@condition("磋商期限尚未届满，无需申请")
def period_expired(negotiation) -> bool:
    return negotiation.period_expiry() is not None and negotiation.overrun_approved_on is None


def _resumed_state(negotiation, *args, **kwargs) -> str:
    """Where a round returns after the overrun approval: meetings if the obligor agreed."""
    return "in_progress" if negotiation.reply == "agreed" else "awaiting_reply"


@condition("须有已签署的赔偿协议")
def has_signed_agreement(negotiation) -> bool:
    return negotiation.agreements.filter(state="signed").exists()


@condition("协议签订日期在磋商期限届满之后，须经机构负责人批准继续磋商（NAT 六；CQ 七(一)；SX 第十八条）")
def signed_within_period(negotiation) -> bool:
    agreement = negotiation.agreements.filter(state="signed").order_by("-version").first()
    return not negotiation.overrun_block(on=agreement.signed_on if agreement else None)


class Negotiation(FSMModelMixin, AuditedModel):
    """One round of 磋商 (CQ 七; NAT 六; SX 第十七–二十条): the plan (NT 三(七)), the
    磋商告知书 (form [4]), its service, the obligor's reply, the meetings and the outcome. A
    refused judicial confirmation opens one more round (CQ 八; SX 第二十一条)."""

    class State(models.TextChoices):
        PREPARING = "preparing", "准备磋商"
        SERVING = "serving", "送达告知书"
        AWAITING_REPLY = "awaiting_reply", "待答复"
        IN_PROGRESS = "in_progress", "磋商中"
        MEETING_APPROVAL = "meeting_approval", "增加会议审批中"
        OVERRUN_APPROVAL = "overrun_approval", "超期继续磋商审批中"
        AGREED = "agreed", "达成协议"
        FAILED = "failed", "磋商不成"

    class Kind(models.TextChoices):
        FIRST = "first", "首次磋商"
        RENEGOTIATION = "renegotiation", "不予司法确认后重新磋商"

    class Reply(models.TextChoices):
        AGREED = "agreed", "同意磋商"
        REFUSED = "refused", "拒绝磋商"

    class Failure(models.TextChoices):
        """CQ 七(三); SX 第十九条 (the checks: negotiation/failure.py)."""

        REFUSED = "refused", "赔偿义务人明确表示拒绝磋商或未在规定时间内提交答复意见"
        ABSENT = "absent", "赔偿义务人无故不参与磋商会议或退出磋商会议"
        MEETINGS = "meetings", "已召开磋商会议3次，认为磋商难以达成一致"
        UNSERVABLE = "unservable", "除公告送达以外的方式均无法向赔偿义务人送达磋商告知书"
        CUSTODY = "custody", "赔偿义务人因处于被羁押等状态，无法开展磋商"
        EXPIRED = "expired", "超过磋商期限，仍未达成赔偿协议"
        OTHER = "other", "认为磋商不成的其他情形"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="negotiations")
    round_number = models.PositiveSmallIntegerField("磋商轮次", default=1, editable=False)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.FIRST,
                            editable=False)
    # 磋商方案 (NT 三(七))
    plan_feasibility = models.TextField("修复方案技术可行性", blank=True)
    plan_cost = models.TextField("经济可达性及修复费用", blank=True)
    plan_third_party = models.TextField("第三方修复可行性", blank=True)
    plan_obligor_capacity = models.TextField("赔偿义务人赔偿能力", blank=True)
    pre_communication = models.TextField(
        "磋商前沟通交流情况", blank=True,
        help_text="就损害事实和程度、鉴定评估结论、修复要求等与赔偿义务人沟通的情况（CQ 七(一)；NAT 六）")
    complex_case = models.BooleanField(
        "案情重大复杂", default=False,
        help_text="案情重大复杂的，经部门负责人同意可以增加磋商会议次数（CQ 七(一)；SX 第十八条）")
    # 磋商告知书 (form [4])
    notice_cause = models.TextField("生态环境损害赔偿事由", blank=True)
    notice_findings = models.TextField(
        "生态环境损害调查情况", blank=True,
        help_text="含调查结论、鉴定评估意见、专家评估意见")
    notice_restorable = models.TextField(
        "可以修复的区域范围和要求", blank=True, help_text="生态环境损害可以修复的应当明确")
    group_own = models.TextField("磋商小组：本部门或机构人员", blank=True)
    group_invited = models.TextField(
        "受邀参与磋商的单位或部门", blank=True,
        help_text="检察机关、专业技术人员、法律专家、社会组织或社会公众（CQ 七(一)；SX 第三十三条）")
    procuratorate_invited = models.BooleanField("邀请检察机关参与磋商", default=False)
    first_meeting_at = models.DateTimeField("首次磋商会议时间", null=True, blank=True)
    first_meeting_place = models.CharField("首次磋商会议地点", max_length=200, blank=True)
    reply_due = models.DateField("答复期限", null=True, blank=True,
                                 help_text="赔偿义务人应在此日期前提交答复意见")
    other_matters = models.TextField("其他事项", blank=True)
    notice_issued_on = models.DateField("告知书落款日期", null=True, blank=True)
    # service and reply
    served_on = models.DateField("送达日期", null=True, blank=True, editable=False,
                                 help_text="首次成功送达之日，磋商期限自此起算")
    reply = models.CharField("答复意见", max_length=16, choices=Reply.choices, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    reply_note = models.TextField("答复内容", blank=True)
    # restoration before the agreement (CQ 十三; SX 第三十条)
    early_restoration_requested_on = models.DateField("义务人申请先行修复日期", null=True,
                                                      blank=True)
    facts_confirmation = models.ForeignKey(
        "workflow.Attachment", verbose_name="双方书面确认损害事实文件", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    early_restoration_allowed_on = models.DateField("同意先行修复日期", null=True, blank=True)
    early_restoration_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="同意人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    # outcome
    extra_meetings_approved = models.PositiveSmallIntegerField("经批准增加的会议次数", default=0)
    # The 90 days ran out while the round was open (set by the deadline engine's expiry
    # handler, negotiation/deadlines.py); going on needs the division head's approval.
    period_expired_on = models.DateField("磋商期限届满日期", null=True, blank=True, editable=False)
    overrun_approved_on = models.DateField("经批准超期继续磋商日期", null=True, blank=True,
                                           editable=False)
    failure_reason = models.CharField("磋商不成情形", max_length=24, blank=True,
                                      choices=Failure.choices)
    failure_note = models.TextField("磋商不成说明", blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人",
                                   on_delete=models.PROTECT, related_name="+")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.PREPARING,
                     protected=True)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = "磋商"
        verbose_name_plural = "磋商"
        ordering = ["case", "round_number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round_number"],
                                    name="unique_negotiation_round"),
            # Round 1 is the first negotiation, round 2 the one renegotiation (CQ 八; SX 第二十一条).
            models.CheckConstraint(
                condition=(Q(round_number=1, kind="first")
                           | Q(round_number=MAX_ROUNDS, kind="renegotiation")),
                name="negotiation_round_at_most_two"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 第{self.round_number}轮磋商"

    def get_absolute_url(self) -> str:
        return reverse("negotiation:negotiation_detail", args=[self.pk])

    @property
    def department(self):
        """The handling department (approvals and deadlines belong to it)."""
        return self.case.department

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.AGREED, self.State.FAILED)

    @property
    def is_read_only(self) -> bool:
        return not self.is_open or self.case.is_read_only

    # --- meetings and their limit (NAT 六; CQ 七(一); SX 第十八条) ---

    def meeting_rule(self):
        try:
            return self.case.rule_profile.rule("negotiation.max_meetings",
                                               on=self.served_on or timezone.localdate())
        except RuleError:
            return None

    def meeting_limit(self) -> int | None:
        rule = self.meeting_rule()
        if rule is None:
            return None
        return rule.value["count"] + self.extra_meetings_approved

    def meetings_held(self) -> int:
        return sum(1 for m in self.meetings.all() if m.counts)

    def more_meetings_admissible(self) -> bool:
        rule = self.meeting_rule()
        return bool(rule and rule.value.get("more_with_approval")
                    and (self.complex_case
                         or self.case.classification == Case.Classification.MAJOR))

    # --- the 90 days (NAT 六; CQ 七(一); SX 第十八条) ---

    def period_deadline(self):
        return (Deadline.objects.of(self).filter(kind=DeadlineKind.NEGOTIATION_PERIOD)
                .order_by("-id").first())

    def period_expiry(self, today=None):
        """The last day of the negotiation period when it has run out: as recorded by the
        expiry handler, or — should a scan be late — read from the deadline itself while the
        round is open. None while the period runs (or never started)."""
        if self.period_expired_on is not None:
            return self.period_expired_on
        if not self.is_open:
            return None
        deadline = self.period_deadline()
        today = today or timezone.localdate()
        if deadline is not None and deadline.status in (Deadline.Status.OPEN,
                                                        Deadline.Status.OVERDUE) \
                and deadline.paused_since is None and deadline.due < today:
            return deadline.due
        return None

    def overrun_block(self, today=None, *, on=None) -> str:
        """Why the round cannot go on now (empty: it can): past the 90 days without the
        division head's approval the department treats it as 磋商不成 and goes to court
        (CQ 七(三)6; SX 第十九条(六): 避免久磋不决). `on`: the date of the step recorded
        (a meeting held, a notice served …); one within the period may still be entered."""
        if self.overrun_approved_on is not None or not self.is_open:
            return ""
        expired = self.period_expiry(today)
        if expired is None or (on is not None and on <= expired):
            return ""
        return (f"磋商期限已于{cn_date(expired)}届满（NAT 六；CQ 七(一)；SX 第十八条），"
                "继续磋商须经机构负责人批准；未经批准的，应当以“超过磋商期限，仍未达成赔偿协议”"
                "确认磋商不成并及时提起诉讼（CQ 七(三)6；SX 第十九条(六)）。")

    # --- service ---

    def obligors(self):
        return self.case.obligor_links.select_related("party")

    def unserved_obligors(self):
        served_ids = self.service_attempts.filter(succeeded=True).values("obligor")
        return self.obligors().exclude(pk__in=served_ids)

    @property
    def early_restoration_allowed(self) -> bool:
        return self.early_restoration_allowed_on is not None

    # --- transitions (run by negotiation/services.py through workflow.transitions.perform) ---

    @transition(field=state, source=State.PREPARING, target=State.SERVING,
                permission="cases.handle_case", conditions=[plan_filled, notice_filled],
                custom={"label": "制发磋商告知书"})
    def issue_notice(self, *, by, reason=""):
        self.notice_issued_on = self.notice_issued_on or timezone.localdate()

    @transition(field=state, source=State.SERVING, target=State.AWAITING_REPLY,
                permission="cases.handle_case", conditions=[served],
                custom={"label": "告知书已送达", "hidden": True})
    def mark_served(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.AWAITING_REPLY, target=State.IN_PROGRESS,
                permission="cases.handle_case",
                custom={"label": "赔偿义务人同意磋商", "hidden": True})
    def accept(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.MEETING_APPROVAL,
                permission="cases.handle_case",
                conditions=[within_period, extra_meetings_admissible, meetings_exhausted],
                custom={"label": "申请增加磋商会议", "hidden": True})
    def request_more_meetings(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.MEETING_APPROVAL, target=State.IN_PROGRESS,
                permission=department_head, custom={"label": "同意增加磋商会议", "hidden": True})
    def approve_more_meetings(self, *, by, reason=""):
        self.extra_meetings_approved += 1

    @transition(field=state, source=State.MEETING_APPROVAL, target=State.IN_PROGRESS,
                permission=division_or_department_head,
                custom={"label": "不同意增加磋商会议", "hidden": True})
    def return_more_meetings(self, *, by, reason=""):
        pass

    # Past the 90 days going on needs the division head (registered as the approval
    # `negotiation_period_overrun`); the round returns to where it was.
    @transition(field=state, source=[State.AWAITING_REPLY, State.IN_PROGRESS],
                target=State.OVERRUN_APPROVAL, permission="cases.handle_case",
                conditions=[period_expired],
                custom={"label": "申请超期继续磋商", "hidden": True})
    def request_overrun(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.OVERRUN_APPROVAL,
                target=GET_STATE(_resumed_state, states=[State.AWAITING_REPLY,
                                                         State.IN_PROGRESS]),
                permission=division_head, custom={"label": "同意超期继续磋商", "hidden": True})
    def approve_overrun(self, *, by, reason=""):
        self.overrun_approved_on = timezone.localdate()

    @transition(field=state, source=State.OVERRUN_APPROVAL,
                target=GET_STATE(_resumed_state, states=[State.AWAITING_REPLY,
                                                         State.IN_PROGRESS]),
                permission=division_head, custom={"label": "不同意超期继续磋商", "hidden": True})
    def return_overrun(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.AGREED,
                permission="cases.handle_case",
                conditions=[has_signed_agreement, signed_within_period],
                custom={"label": "达成赔偿协议", "hidden": True})
    def conclude(self, *, by, reason=""):
        self.ended_on = timezone.localdate()

    @transition(field=state,
                source=[State.SERVING, State.AWAITING_REPLY, State.IN_PROGRESS],
                target=State.FAILED, permission="cases.handle_case",
                custom={"label": "磋商不成", "hidden": True})
    def fail(self, *, by, reason="", failure_reason="", failure_note=""):
        self.failure_reason = failure_reason
        self.failure_note = failure_note
        self.ended_on = timezone.localdate()


class ServiceAttempt(AuditedModel):
    """One attempt to serve the 磋商告知书 on an obligor (DOMAIN §3.4; 民事诉讼法 送达方式)."""

    class Method(models.TextChoices):
        DIRECT = "direct", "直接送达"
        LODGED = "lodged", "留置送达"
        POST = "post", "邮寄送达"
        ELECTRONIC = "electronic", "电子送达"
        ENTRUSTED = "entrusted", "委托送达"
        ANNOUNCEMENT = "announcement", "公告送达"

    negotiation = models.ForeignKey(Negotiation, verbose_name="磋商", on_delete=models.CASCADE,
                                    related_name="service_attempts")
    obligor = models.ForeignKey(CaseObligor, verbose_name="受送达人", on_delete=models.PROTECT,
                                related_name="+")
    method = models.CharField("送达方式", max_length=16, choices=Method.choices)
    attempted_on = models.DateField("送达日期")
    succeeded = models.BooleanField("送达成功", default=False)
    recipient = models.CharField("签收人", max_length=100, blank=True)
    note = models.TextField("送达情况", blank=True, help_text="未能送达的，写明原因")
    proof = models.ForeignKey("workflow.Attachment", verbose_name="送达回证等证明", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["attempted_on", "id"]

    def __str__(self) -> str:
        result = "成功" if self.succeeded else "未能送达"
        return f"{self.obligor.party.name} {self.get_method_display()}（{result}）"


class Meeting(AuditedModel):
    """A 磋商会议 (CQ 七(一); SX 第十八条). It counts towards the limit only when the obligor
    took part in person or through an agent whose written authorisation is on file (ZJ)."""

    class Attendance(models.TextChoices):
        IN_PERSON = "in_person", "本人或法定代表人出席"
        AGENT = "agent", "委托代理人出席"
        ABSENT = "absent", "无故未参加"
        WALKED_OUT = "walked_out", "中途退出"

    negotiation = models.ForeignKey(Negotiation, verbose_name="磋商", on_delete=models.CASCADE,
                                    related_name="meetings")
    sequence = models.PositiveSmallIntegerField("次序", editable=False)
    held_on = models.DateField("会议日期")
    place = models.CharField("会议地点", max_length=200)
    attendees = models.TextField("参加人员", help_text="本部门人员及受邀的检察机关、专家、公众等")
    obligor_attendance = models.CharField("赔偿义务人参加情况", max_length=16,
                                          choices=Attendance.choices)
    agent_name = models.CharField("委托代理人", max_length=100, blank=True)
    agent_authorisation = models.ForeignKey(
        "workflow.Attachment", verbose_name="授权委托书", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    minutes = models.TextField("会议纪要")
    minutes_file = models.ForeignKey("workflow.Attachment", verbose_name="会议纪要文件",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "磋商会议"
        verbose_name_plural = "磋商会议"
        ordering = ["negotiation", "sequence"]
        constraints = [models.UniqueConstraint(fields=["negotiation", "sequence"],
                                               name="unique_meeting_sequence")]

    def __str__(self) -> str:
        return f"第{self.sequence}次磋商会议"

    @property
    def counts(self) -> bool:
        if self.obligor_attendance == self.Attendance.IN_PERSON:
            return True
        return self.obligor_attendance == self.Attendance.AGENT and \
            self.agent_authorisation_id is not None

    @property
    def awaiting_authorisation(self) -> bool:
        return self.obligor_attendance == self.Attendance.AGENT and \
            self.agent_authorisation_id is None


OPEN_STATES = Q(state__in=[s for s in Negotiation.State.values
                           if s not in ("agreed", "failed")])
