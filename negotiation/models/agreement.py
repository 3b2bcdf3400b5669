from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from cases.models import Case, CaseObligor
from cases.models.case import CasePartQuerySet
from cases.money import money
from workflow.audit import AuditedModel, snapshot
from workflow.formatting import amount as yuan_text
from workflow.transitions import condition

from .negotiation import Negotiation


class AgreementLocked(ValidationError):
    def __init__(self):
        super().__init__("赔偿协议已签署，不能修改；如需更正，请制作新版本并说明理由。")


class RestorationMode(models.TextChoices):
    """How a restoration obligation is performed (CQ 十三; NT 三(九); ZJ)."""

    SELF = "self", "自行修复"
    THIRD_PARTY = "third_party", "委托第三方修复"
    ALTERNATIVE = "alternative", "替代修复"
    LABOUR = "labour", "劳务代偿"
    CARBON_SINK = "carbon_sink", "认购碳汇"
    RELEASE_PLANTING = "release_planting", "增殖放流或植树育林"
    TECH_UPGRADE = "tech_upgrade", "技改生态效益代偿"
    DEPARTMENT_ORGANISED = "department_organised", "部门组织修复（义务人承担费用）"


class PaymentKind(models.TextChoices):
    """What the obligor pays (CQ 十五; NAT 十一; SX 第二十三条; NT 三(八))."""

    RESTORATION_COST = "restoration_cost", "生态环境修复费用"
    SERVICE_LOSS = "service_loss", "服务功能损失"
    PERMANENT_LOSS = "permanent_loss", "永久性损害造成的损失"
    FEES = "fees", "调查、鉴定评估等费用"
    PUNITIVE = "punitive", "惩罚性赔偿"


# NT 三(八): the factors weighed for punitive damages.
PUNITIVE_FACTORS = {
    "malice": "侵权人的恶意程度",
    "duration": "侵权行为持续时间",
    "severity": "污染区域、环境影响等侵权后果严重程度",
    "gain": "因污染环境、破坏生态行为所获得的利益",
    "remediation": "侵权人所采取的修复措施及其效果",
    "capacity": "侵权人经济承受能力",
    "sanctions": "因侵权行为受到的行政处罚或刑事制裁",
}


def _required_contents(agreement) -> list[str]:
    labels = {f.name: str(f.verbose_name) for f in Agreement._meta.fields}
    return [labels[name] for name in Agreement.REQUIRED_CONTENTS
            if not getattr(agreement, name).strip()]


@condition("须填写协议的必备内容（CQ 七(二)；SX 第二十条）")
def contents_complete(agreement) -> bool:
    return not _required_contents(agreement)


@condition("须填写签订日期和签订地点")
def signing_recorded(agreement) -> bool:
    return bool(agreement.signed_on and agreement.signed_place.strip())


@condition("须列明赔偿义务人")
def has_obligors(agreement) -> bool:
    return agreement.obligors.exists()


@condition("须约定至少一项修复义务或赔偿金")
def has_obligations(agreement) -> bool:
    return agreement.restoration_terms.exists() or agreement.payment_terms.exists()


@condition("已同意先行修复的，协议须包含修复要求（CQ 十三；SX 第三十条）")
def early_restoration_included(agreement) -> bool:
    return not agreement.negotiation.early_restoration_allowed or \
        agreement.restoration_terms.exists()


@condition("主张惩罚性赔偿的，须填写计算基数、考虑因素和惩罚性赔偿金（NT 三(八)）")
def punitive_complete(agreement) -> bool:
    if not agreement.punitive_claimed:
        return True
    return bool(agreement.punitive_base and agreement.punitive_factors
                and agreement.payment_terms.filter(kind=PaymentKind.PUNITIVE).exists())


@condition("分期赔付的，各期金额之和须等于该项金额，并须有担保（NT 三(九)；SX 第二十五条）")
def schedules_consistent(agreement) -> bool:
    return all(not term.schedule_problems() for term in agreement.payment_terms.all())


@condition("签订日期不能早于磋商告知书送达之日，也不能晚于今天")
def signed_after_service(agreement) -> bool:
    from django.utils import timezone

    served = agreement.negotiation.served_on
    return bool(agreement.signed_on and (served is None or agreement.signed_on >= served)
                and agreement.signed_on <= timezone.localdate())


class Agreement(FSMModelMixin, AuditedModel):
    """生态环境损害赔偿协议 (form [5]; CQ 七(二); SX 第二十条). Once signed it is immutable;
    a correction is a new version with its reason, which supersedes the old one when signed.
    Its restoration and payment terms are the obligations the restoration stage tracks."""

    REQUIRED_CONTENTS = ("facts", "evidence", "legal_basis", "liability", "performance",
                         "breach_liability")

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SIGNED = "signed", "已签署"
        SUPERSEDED = "superseded", "已被更正版本取代"

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE,
                             related_name="agreements")
    negotiation = models.ForeignKey(Negotiation, verbose_name="磋商", on_delete=models.PROTECT,
                                    related_name="agreements")
    version = models.PositiveSmallIntegerField("版本", default=1, editable=False)
    previous = models.OneToOneField("self", verbose_name="更正前版本", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="correction",
                                    editable=False)
    correction_reason = models.TextField("更正理由", blank=True, editable=False)
    obligors = models.ManyToManyField(CaseObligor, verbose_name="赔偿义务人",
                                      related_name="agreements",
                                      help_text="多个赔偿义务人的逐一列出")
    # 一、生态环境损害事实、相关证据和法律依据
    facts = models.TextField("事实情况", blank=True)
    evidence = models.TextField("相关证据", blank=True)
    legal_basis = models.TextField("相关法律依据及规定", blank=True)
    opinions = models.TextField("双方对鉴定评估结论、修复目标、修复方案等的意见", blank=True)
    # 二、责任认定；三、责任承担、履行方式和期限
    liability = models.TextField("生态环境损害责任认定", blank=True)
    performance = models.TextField(
        "责任承担、履行方式和期限", blank=True,
        help_text="生态环境修复费用的具体内容、构成依据以及费用负担等；可以修复的由义务人修复，无法修复的缴纳赔偿金")
    assessment_method = models.TextField("修复效果评估的方式", blank=True)
    assessment_due = models.DateField("修复效果评估期限", null=True, blank=True)
    breach_liability = models.TextField("违约责任", blank=True)
    other_terms = models.TextField("其他约定", blank=True)
    deposit_amount = money("修复保证金（元）", null=True,
                            help_text="以修复方式承担责任的，可以约定保证金（NT 三(十一)）")
    # NT 三(八) 惩罚性赔偿
    punitive_claimed = models.BooleanField("主张惩罚性赔偿", default=False)
    punitive_base = money("惩罚性赔偿计算基数（元）", null=True,
                           help_text="实际生态环境损害赔偿数额")
    punitive_factors = models.JSONField("考虑因素", default=list, blank=True)
    punitive_note = models.TextField("惩罚性赔偿说明", blank=True)
    signed_on = models.DateField("签订时间", null=True, blank=True)
    signed_place = models.CharField("签订地点", max_length=200, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人",
                                   on_delete=models.PROTECT, related_name="+")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.DRAFT,
                     protected=True)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = "赔偿协议"
        verbose_name_plural = "赔偿协议"
        ordering = ["case", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"],
                                               name="unique_agreement_version")]

    def __str__(self) -> str:
        return f"{self.case.number} 赔偿协议（第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("negotiation:agreement_detail", args=[self.pk])

    @property
    def department(self):
        return self.case.department

    @property
    def is_read_only(self) -> bool:
        return self.state != self.State.DRAFT or self.case.is_read_only

    def missing_contents(self) -> list[str]:
        return _required_contents(self)

    def total_payments(self) -> Decimal:
        return sum((t.amount for t in self.payment_terms.all()), Decimal("0"))

    def save(self, *args, **kwargs):
        before = getattr(self, "_audit_before", None)
        if before and before.get("state") != self.State.DRAFT:
            now = snapshot(self)
            changed = {k for k, v in before.items() if k != "state" and now.get(k) != v}
            # Only the move from signed to superseded is allowed on a signed agreement.
            if changed or not (before.get("state") == self.State.SIGNED
                               and self.state == self.State.SUPERSEDED):
                raise AgreementLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.state != self.State.DRAFT:
            raise AgreementLocked()
        return super().delete(*args, **kwargs)

    @transition(field=state, source=State.DRAFT, target=State.SIGNED,
                permission="cases.handle_case",
                conditions=[contents_complete, signing_recorded, signed_after_service,
                            has_obligors, has_obligations, early_restoration_included,
                            punitive_complete, schedules_consistent],
                custom={"label": "签署赔偿协议", "hidden": True})
    def sign(self, *, by, reason=""):
        pass

    @transition(field=state, source=State.SIGNED, target=State.SUPERSEDED,
                permission="cases.handle_case", custom={"label": "被更正版本取代", "hidden": True})
    def supersede(self, *, by, reason=""):
        pass


class AgreementTerm(AuditedModel):
    """A term of a draft agreement; a signed agreement's terms cannot change."""

    class Meta:
        abstract = True

    def _agreement(self) -> Agreement:
        return self.agreement

    def save(self, *args, **kwargs):
        if self._agreement().state != Agreement.State.DRAFT:
            raise AgreementLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._agreement().state != Agreement.State.DRAFT:
            raise AgreementLocked()
        return super().delete(*args, **kwargs)


class RestorationTerm(AgreementTerm):
    """A restoration obligation: what, by whom, how, the target and the dates (SX 第二十条、
    第二十三条). The restoration stage opens a project for each."""

    agreement = models.ForeignKey(Agreement, verbose_name="赔偿协议", on_delete=models.CASCADE,
                                  related_name="restoration_terms")
    obligor = models.ForeignKey(CaseObligor, verbose_name="履行义务人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text="不填表示全体赔偿义务人共同履行")
    item = models.CharField("修复事项", max_length=200)
    mode = models.CharField("修复方式", max_length=24, choices=RestorationMode.choices)
    target = models.TextField("修复目标")
    estimated_cost = money("修复费用（元）", null=True)
    start_by = models.DateField("开工期限", null=True, blank=True)
    finish_by = models.DateField("完成期限")
    assessment_by = models.DateField("效果评估期限", null=True, blank=True)

    class Meta:
        verbose_name = "修复义务"
        verbose_name_plural = "修复义务"
        ordering = ["agreement", "id"]

    def __str__(self) -> str:
        return f"{self.item}（{self.get_mode_display()}）"

    def clean(self):
        if self.start_by and self.finish_by and self.finish_by < self.start_by:
            raise ValidationError({"finish_by": "完成期限不能早于开工期限。"})
        if self.assessment_by and self.finish_by and self.assessment_by < self.finish_by:
            raise ValidationError({"assessment_by": "效果评估期限不能早于完成期限。"})


class PaymentTerm(AgreementTerm):
    """A payment obligation with its schedule: one payment by `due_on`, or instalments, which
    need a recorded guarantee (NT 三(九)；SX 第二十五条)."""

    agreement = models.ForeignKey(Agreement, verbose_name="赔偿协议", on_delete=models.CASCADE,
                                  related_name="payment_terms")
    obligor = models.ForeignKey(CaseObligor, verbose_name="缴纳义务人", on_delete=models.PROTECT,
                                related_name="+")
    kind = models.CharField("款项", max_length=24, choices=PaymentKind.choices)
    amount = money("金额（元）", positive=True)
    due_on = models.DateField("缴纳期限", null=True, blank=True,
                              help_text="一次缴纳的期限；分期缴纳的按各期期限")
    guarantee = models.TextField("担保情况", blank=True,
                                 help_text="分期赔付、延期缴纳须有有效担保（NT 三(九)）")

    class Meta:
        verbose_name = "赔偿金"
        verbose_name_plural = "赔偿金"
        ordering = ["agreement", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {yuan_text(self.amount)}"

    def schedule_problems(self) -> list[str]:
        instalments = list(self.instalments.all())
        if not instalments:
            return [] if self.due_on else [f"{self}：须填写缴纳期限"]
        problems = []
        if sum((i.amount for i in instalments), Decimal("0")) != self.amount:
            problems.append(f"{self}：各期金额之和不等于该项金额")
        if not self.guarantee.strip():
            problems.append(f"{self}：分期缴纳须有担保（NT 三(九)）")
        return problems


class Instalment(AgreementTerm):
    term = models.ForeignKey(PaymentTerm, verbose_name="赔偿金", on_delete=models.CASCADE,
                             related_name="instalments")
    sequence = models.PositiveSmallIntegerField("期次")
    amount = money("本期金额（元）", positive=True)
    due_on = models.DateField("本期期限")

    class Meta:
        verbose_name = "分期"
        verbose_name_plural = "分期"
        ordering = ["term", "sequence"]
        constraints = [models.UniqueConstraint(fields=["term", "sequence"],
                                               name="unique_instalment_sequence")]

    def __str__(self) -> str:
        return f"第{self.sequence}期 {yuan_text(self.amount)}"

    def _agreement(self) -> Agreement:
        return self.term.agreement


def refuse_obligor_change_when_signed(sender, instance, action, **kwargs):
    if action.startswith("pre_") and isinstance(instance, Agreement) and \
            instance.state != Agreement.State.DRAFT:
        raise AgreementLocked()
