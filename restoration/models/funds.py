"""Compensation funds (赔偿资金, CQ 十五; NAT 十一; NT 三(十一); SX 第三十七条).

- FundObligation: what an obligor owes, from an agreement's payment term, an effective
  judgment, an early end of restoration (SX 第二十九条) or a deposit's shortfall (NT 三(十一)),
  into the payee treasury, with its schedule (ScheduleItem: one payment or instalments).
  `amount = paid + outstanding` is a database constraint.
- Payment: a payment into the treasury as non-tax revenue, with the receipt number.
- FundAccount: the money of one case in one treasury (compensation or punitive damages):
  `received = spent + balance` and `balance >= 0` are database constraints.
- Deposit / DepositMovement: the restoration deposit (保证金), received, refunded after
  restoration passes or applied by the department: `received = refunded + applied + held`.
- SpendingRequest: the department's request to use the funds, reviewed by the same-level
  finance department, then paid out (NT 三(十一)).

restoration/ledger.py recomputes every total from the rows (payments, movements, paid
spending) and checks them against these stored balances after each operation."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Department
from cases.models import Case, CaseObligor
from cases.models.case import CasePartQuerySet
from negotiation.models import Agreement, Litigation, PaymentKind, PaymentTerm
from rules.calendar import cn_date
from workflow.audit import AuditedModel
from workflow.formatting import amount as yuan_text
from workflow.transitions import condition

from .common import ZERO, money
from .library import AlternativeProject
from .project import RestorationProject


class TreasuryScopedQuerySet(models.QuerySet):
    """Fund records of a case are seen through the case (the one scoping rule); a finance
    department (a separate department of kind 财政 in the same jurisdiction, which does not see
    the eco department's cases) sees the records paid into its treasury and the treasuries
    below it, for the jurisdiction fund ledger."""

    treasury_path = "treasury__path"

    def visible_to(self, user):
        department = getattr(user, "department", None) if user.is_authenticated else None
        if department is None:
            return self.none()
        q = Q(case__in=Case.objects.visible_to(user).values("pk"))
        if department.kind == Department.Kind.FINANCE:
            q |= Q(**{f"{self.treasury_path}__startswith": department.jurisdiction.path})
        return self.filter(q)

    def workable_by(self, user):
        return self.filter(case__in=Case.objects.workable_by(user).values("pk"))


class ObligationQuerySet(TreasuryScopedQuerySet):
    treasury_path = "payee_treasury__path"


class FundObligation(AuditedModel):
    class Source(models.TextChoices):
        AGREEMENT = "agreement", "赔偿协议"
        JUDGMENT = "judgment", "生效判决"
        EARLY_END = "early_end", "终止修复后缴纳赔偿资金（SX 第二十九条）"
        DEPOSIT_SHORTFALL = "deposit_shortfall", "保证金不足部分继续追偿（NT 三(十一)）"

    class Status(models.TextChoices):
        OPEN = "open", "未缴清"
        PAID = "paid", "已缴清"
        CANCELLED = "cancelled", "已撤销"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="fund_obligations")
    source = models.CharField("来源", max_length=24, choices=Source.choices)
    agreement = models.ForeignKey(Agreement, verbose_name="赔偿协议", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    payment_term = models.ForeignKey(PaymentTerm, verbose_name="协议赔偿金条款", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    litigation = models.ForeignKey(Litigation, verbose_name="生效判决", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(RestorationProject, verbose_name="修复项目", null=True,
                                blank=True, on_delete=models.PROTECT,
                                related_name="fund_obligations")
    obligor = models.ForeignKey(CaseObligor, verbose_name="缴纳义务人", on_delete=models.PROTECT,
                                related_name="+")
    kind = models.CharField("款项", max_length=24, choices=PaymentKind.choices)
    amount = money("应缴金额（元）")
    paid = money("已缴金额（元）", default=ZERO)
    outstanding = money("欠缴金额（元）", default=ZERO)
    # NT 三(十一): the same-level treasury; for damage across counties of the city, the
    # treasury where the damage occurred.
    payee_treasury = models.ForeignKey("accounts.Jurisdiction", verbose_name="缴入国库",
                                       on_delete=models.PROTECT, related_name="+")
    cross_county = models.BooleanField("跨县（市、区）损害", default=False)
    damage_jurisdiction = models.ForeignKey(
        "accounts.Jurisdiction", verbose_name="损害结果发生地", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    guarantee = models.TextField("担保情况", blank=True,
                                 help_text="分期赔付、延期缴纳须有有效担保（NT 三(九)；SX 第二十五条）")
    guarantee_file = models.ForeignKey("workflow.Attachment", verbose_name="担保文件", null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("备注", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices,
                              default=Status.OPEN)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = "赔偿资金缴纳义务"
        verbose_name_plural = "赔偿资金缴纳义务"
        ordering = ["case", "id"]
        permissions = [("extend_schedule", "同意分期或延期缴纳")]
        constraints = [
            models.CheckConstraint(condition=Q(amount=F("paid") + F("outstanding")),
                                   name="obligation_owed_is_paid_plus_outstanding"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(outstanding__gte=0),
                                   name="obligation_amounts_not_negative"),
        ]
        indexes = [models.Index(fields=["payee_treasury", "status"],
                                name="obligation_by_treasury")]

    def __str__(self) -> str:
        return f"{self.obligor.party.name} {self.get_kind_display()} {yuan_text(self.amount)}"

    def get_absolute_url(self) -> str:
        return reverse("restoration:case_funds", args=[self.case_id]) + f"#obligation-{self.pk}"

    @property
    def department(self):
        return self.case.department

    @property
    def fund(self) -> str:
        return FundAccount.Fund.PUNITIVE if self.kind == PaymentKind.PUNITIVE \
            else FundAccount.Fund.COMPENSATION


class ScheduleItem(AuditedModel):
    """One payment of an obligation's schedule (one, or instalments; NT 三(九); SX 第二十五条),
    with its payment deadline in the engine."""

    obligation = models.ForeignKey(FundObligation, verbose_name="缴纳义务",
                                   on_delete=models.CASCADE, related_name="schedule")
    sequence = models.PositiveSmallIntegerField("期次")
    amount = money("本期金额（元）")
    due_on = models.DateField("缴纳期限")
    original_due_on = models.DateField("原定期限")
    extension_reason = models.TextField("延期理由", blank=True)
    deadline = models.ForeignKey("workflow.Deadline", verbose_name="期限", null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    settled_on = models.DateField("缴清日期", null=True, blank=True)

    class Meta:
        verbose_name = "缴纳计划"
        verbose_name_plural = "缴纳计划"
        ordering = ["obligation", "sequence"]
        constraints = [models.UniqueConstraint(fields=["obligation", "sequence"],
                                               name="unique_schedule_sequence")]

    def __str__(self) -> str:
        return f"第{self.sequence}期 {yuan_text(self.amount)}（{cn_date(self.due_on)}前）"


class PaymentQuerySet(TreasuryScopedQuerySet):
    pass


class Payment(AuditedModel):
    """A payment into the treasury as non-tax revenue (政府非税收入, CQ 十五; SX 第三十七条)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="fund_payments")
    obligation = models.ForeignKey(FundObligation, verbose_name="缴纳义务",
                                   on_delete=models.PROTECT, related_name="payments")
    treasury = models.ForeignKey("accounts.Jurisdiction", verbose_name="缴入国库",
                                 on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField("缴款日期")
    amount = money("缴款金额（元）", positive=True)
    receipt_number = models.CharField("非税收入缴款票据号", max_length=60)
    payer = models.CharField("缴款人", max_length=200)
    receipt_file = models.ForeignKey("workflow.Attachment", verbose_name="缴款凭证", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "缴款"
        verbose_name_plural = "缴款"
        ordering = ["case", "paid_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["treasury", "receipt_number"],
                                    name="unique_payment_receipt_per_treasury"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"缴款 {yuan_text(self.amount)}（票据号 {self.receipt_number}）"

    def get_absolute_url(self) -> str:
        return reverse("restoration:case_funds", args=[self.case_id])


class FundAccount(AuditedModel):
    """The money of one case in one treasury; punitive damages are kept apart because only
    they may pay for warning films, education bases and publicity (NT 三(十一))."""

    class Fund(models.TextChoices):
        COMPENSATION = "compensation", "生态环境损害赔偿资金"
        PUNITIVE = "punitive", "惩罚性赔偿金"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="fund_accounts")
    treasury = models.ForeignKey("accounts.Jurisdiction", verbose_name="国库",
                                 on_delete=models.PROTECT, related_name="+")
    fund = models.CharField("资金类别", max_length=16, choices=Fund.choices)
    received = money("收入（元）", default=ZERO)
    spent = money("支出（元）", default=ZERO)
    balance = money("结余（元）", default=ZERO)

    objects = TreasuryScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "赔偿资金账户"
        verbose_name_plural = "赔偿资金账户"
        ordering = ["case", "treasury", "fund"]
        constraints = [
            models.UniqueConstraint(fields=["case", "treasury", "fund"],
                                    name="unique_fund_account"),
            models.CheckConstraint(condition=Q(received=F("spent") + F("balance")),
                                   name="account_received_is_spent_plus_balance"),
            models.CheckConstraint(condition=Q(balance__gte=0) & Q(spent__gte=0),
                                   name="account_amounts_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.treasury.name}国库 {self.get_fund_display()}"


class Deposit(AuditedModel):
    """修复保证金 (NT 三(十一)): agreed where the obligor restores; refunded as it stands once the
    restoration is done; applied by the department when the obligor does not restore, the
    shortfall still owed."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.CASCADE,
                                related_name="deposit")
    agreement = models.ForeignKey(Agreement, verbose_name="赔偿协议", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    obligor = models.ForeignKey(CaseObligor, verbose_name="交纳人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    agreed_amount = money("约定金额（元）", default=ZERO)
    received = money("已收取（元）", default=ZERO)
    refunded = money("已退还（元）", default=ZERO)
    applied = money("已使用（元）", default=ZERO)
    held = money("在管余额（元）", default=ZERO)

    class Meta:
        verbose_name = "修复保证金"
        verbose_name_plural = "修复保证金"
        constraints = [
            models.CheckConstraint(
                condition=Q(received=F("refunded") + F("applied") + F("held")),
                name="deposit_received_is_refunded_applied_held"),
            models.CheckConstraint(
                condition=Q(held__gte=0) & Q(refunded__gte=0) & Q(applied__gte=0),
                name="deposit_amounts_not_negative"),
        ]

    objects = CasePartQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.case.number} 修复保证金"

    def get_absolute_url(self) -> str:
        return reverse("restoration:case_funds", args=[self.case_id]) + "#deposit"


class DepositMovementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(deposit__in=Deposit.objects.visible_to(user).values("pk"))


class DepositMovement(AuditedModel):
    class Kind(models.TextChoices):
        RECEIVED = "received", "收取"
        REFUNDED = "refunded", "退还"
        APPLIED = "applied", "部门使用"

    deposit = models.ForeignKey(Deposit, verbose_name="保证金", on_delete=models.CASCADE,
                                related_name="movements")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    on = models.DateField("日期")
    amount = money("金额（元）", positive=True)
    reference = models.CharField("票据或凭证号", max_length=60, blank=True)
    project = models.ForeignKey(RestorationProject, verbose_name="用于修复项目", null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    shortfall = models.ForeignKey(FundObligation, verbose_name="不足部分追偿", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("说明", blank=True)
    file = models.ForeignKey("workflow.Attachment", verbose_name="凭证", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                    on_delete=models.PROTECT, related_name="+")

    objects = DepositMovementQuerySet.as_manager()

    class Meta:
        verbose_name = "保证金收付"
        verbose_name_plural = "保证金收付"
        ordering = ["deposit", "on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="deposit_movement_positive")]

    def __str__(self) -> str:
        return f"保证金{self.get_kind_display()} {yuan_text(self.amount)}"


# --- spending (NT 三(十一)) -------------------------------------------------------------------

class SpendingQuerySet(models.QuerySet):
    """A spending request is seen and handled by the case's department (the one scoping rule)
    and by the finance department it names for the review (reviewing_department): finance
    users do not see the case, only the requests sent to them."""

    def visible_to(self, user):
        department = getattr(user, "department", None) if user.is_authenticated else None
        if department is None:
            return self.none()
        return self.filter(Q(case__in=Case.objects.visible_to(user).values("pk"))
                           | Q(reviewing_department=department))

    def workable_by(self, user):
        department = getattr(user, "department", None) if user.is_authenticated else None
        if department is None:
            return self.none()
        return self.filter(Q(case__in=Case.objects.workable_by(user).values("pk"))
                           | Q(reviewing_department=department))


def finance_reviewer(request, user) -> bool:
    """The finance department the request names, with the reviewing permission."""
    return bool(user.has_perm("restoration.review_spending")
                and user.department_id == request.reviewing_department_id)


def finance_payer(request, user) -> bool:
    return bool(user.has_perm("restoration.pay_spending")
                and user.department_id == request.reviewing_department_id)


@condition("案件已结案或终止，不能再办理")
def spending_case_open(request) -> bool:
    return not request.case.is_read_only


@condition("申请金额不能超过该账户可用结余（结余减去已批准未支付的金额）")
def within_available(request) -> bool:
    from restoration.ledger import available

    return request.budget <= available(request.account, excluding=request)


@condition("警示片、教育基地、普法宣传等用途只能使用惩罚性赔偿金（NT 三(十一)）")
def purpose_fits_fund(request) -> bool:
    return request.purpose_kind not in SpendingRequest.PUNITIVE_PURPOSES or \
        request.account.fund == FundAccount.Fund.PUNITIVE


@condition("须填写用途说明和预算（资金使用申请，NT 三(十一)）")
def spending_filled(request) -> bool:
    return bool(request.purpose.strip() and request.budget and request.budget > 0)


@condition("修复项目用途须选择本案的修复项目或替代修复项目库中的项目")
def target_chosen(request) -> bool:
    if request.purpose_kind == SpendingRequest.Purpose.RESTORATION:
        return request.restoration_project_id is not None
    if request.purpose_kind == SpendingRequest.Purpose.ALTERNATIVE:
        return request.alternative_project_id is not None
    return True


@condition("须填写审核意见和核定金额，核定金额不超过申请金额和可用结余")
def approval_recorded(request) -> bool:
    from restoration.ledger import available

    return bool(request.review_opinion.strip() and request.approved_amount
                and 0 < request.approved_amount <= request.budget
                and request.approved_amount <= available(request.account, excluding=request))


@condition("须填写支付日期和支付凭证号")
def payout_recorded(request) -> bool:
    return bool(request.paid_on and request.voucher_number.strip())


class SpendingRequest(FSMModelMixin, AuditedModel):
    """The department drafts the spending budget and applies to use the funds; the same-level
    finance department reviews it; then it is paid out (NT 三(十一): 由赔偿权利人指定的部门编制支出
    预算，提出使用申请，经同级财政部门审核后按规定支出)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "财政审核中"
        RETURNED = "returned", "财政退回"
        APPROVED = "approved", "财政审核同意"
        PAID = "paid", "已支付"

    class Purpose(models.TextChoices):
        RESTORATION = "restoration", "本案生态环境修复项目"
        ALTERNATIVE = "alternative", "替代修复项目"
        WARNING_FILM = "warning_film", "制作警示片"
        EDUCATION_BASE = "education_base", "设立教育基地"
        PUBLICITY = "publicity", "开展普法宣传"
        OTHER = "other", "其他生态环境损害修复项目（结余资金统筹使用）"

    # NT 三(十一): 惩罚性赔偿金可用于制作警示片、设立教育基地、开展普法宣传等工作
    PUNITIVE_PURPOSES = (Purpose.WARNING_FILM, Purpose.EDUCATION_BASE, Purpose.PUBLICITY)

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="spending_requests")
    account = models.ForeignKey(FundAccount, verbose_name="资金账户", on_delete=models.PROTECT,
                                related_name="spending_requests")
    reviewing_department = models.ForeignKey(
        "accounts.Department", verbose_name="审核的财政部门", on_delete=models.PROTECT,
        related_name="+", help_text="同级财政部门（NT 三(十一)）")
    purpose_kind = models.CharField("用途", max_length=16, choices=Purpose.choices)
    restoration_project = models.ForeignKey(
        RestorationProject, verbose_name="修复项目", null=True, blank=True,
        on_delete=models.PROTECT, related_name="spending_requests")
    alternative_project = models.ForeignKey(
        AlternativeProject, verbose_name="替代修复项目", null=True, blank=True,
        on_delete=models.PROTECT, related_name="spending_requests")
    purpose = models.TextField("用途说明")
    budget = money("申请金额（元）", positive=True)
    budget_file = models.ForeignKey("workflow.Attachment", verbose_name="支出预算", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                     on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField("提交日期", null=True, blank=True)
    review_opinion = models.TextField("财政审核意见", blank=True)
    approved_amount = money("核定金额（元）", null=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    voucher_number = models.CharField("支付凭证号", max_length=60, blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.DRAFT,
                     protected=True)

    objects = SpendingQuerySet.as_manager()

    class Meta:
        verbose_name = "资金使用申请"
        verbose_name_plural = "资金使用申请"
        ordering = ["-id"]
        permissions = [("review_spending", "审核资金使用申请"),
                       ("pay_spending", "登记资金支付")]
        indexes = [models.Index(fields=["reviewing_department", "state", "-id"],
                                name="spending_for_review")]

    def __str__(self) -> str:
        return f"{self.case.number} 资金使用申请 {yuan_text(self.budget)}（{self.get_purpose_kind_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("restoration:spending_detail", args=[self.pk])

    @property
    def department(self):
        return self.case.department

    @property
    def is_read_only(self) -> bool:
        return self.state == self.State.PAID or self.case.is_read_only

    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.SUBMITTED,
                permission="cases.handle_case",
                conditions=[spending_case_open, spending_filled, target_chosen,
                            purpose_fits_fund, within_available],
                custom={"label": "提交财政审核"})
    def submit(self, *, by, reason=""):
        from django.utils import timezone

        self.submitted_on = timezone.localdate()
        self.review_opinion = ""
        self.approved_amount = None

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED,
                permission=finance_reviewer,
                conditions=[spending_case_open, purpose_fits_fund, approval_recorded],
                custom={"label": "审核同意", "hidden": True})
    def approve(self, *, by, reason=""):
        from django.utils import timezone

        self.reviewed_by, self.reviewed_on = by, timezone.localdate()

    @transition(field=state, source=State.SUBMITTED, target=State.RETURNED,
                permission=finance_reviewer, conditions=[spending_case_open],
                custom={"label": "退回", "hidden": True, "reason_required": True})
    def send_back(self, *, by, reason=""):
        from django.utils import timezone

        self.reviewed_by, self.reviewed_on = by, timezone.localdate()
        self.review_opinion = reason

    @transition(field=state, source=State.APPROVED, target=State.PAID,
                permission=finance_payer, conditions=[spending_case_open, payout_recorded],
                custom={"label": "登记支付", "hidden": True})
    def pay_out(self, *, by, reason=""):
        pass
