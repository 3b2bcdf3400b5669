"""What restoration and the funds still leave open before 结案 (cases/closing.py): every
restoration passed, waived or ended early with its payment; nothing outstanding in the ledger,
unless the enforcement path has ended; the deposit refunded or applied; no spending request
still waiting (DOMAIN §3.6, §3.7)."""

from cases.closing import closing_check
from negotiation.models import Enforcement
from workflow.formatting import amount as yuan_text

from .models import Deposit, FundObligation, RestorationProject, SpendingRequest


def enforcement_ended(case) -> bool:
    """The enforcement path has ended (执行终结) and none is running."""
    enforcements = case.enforcements.all()
    return enforcements.filter(state=Enforcement.State.CONCLUDED).exists() and \
        not enforcements.exclude(state=Enforcement.State.CONCLUDED).exists()


@closing_check
def restoration_open(case) -> list[str]:
    return [f"修复项目{p.sequence}“{p.item}”尚未办结（{p.get_state_display()}）：须效果评估通过、"
            "依法不组织评估或经同意终止修复。"
            for p in case.restoration_projects.exclude(state__in=RestorationProject.DONE)
            .order_by("sequence")]


@closing_check
def funds_open(case) -> list[str]:
    problems = []
    if not enforcement_ended(case):
        for o in case.fund_obligations.filter(status=FundObligation.Status.OPEN,
                                              outstanding__gt=0).select_related("obligor__party"):
            problems.append(f"{o.obligor.party.name}{o.get_kind_display()}尚欠缴{yuan_text(o.outstanding)}。")
    deposit = Deposit.objects.filter(case=case).first()
    if deposit is not None and deposit.held > 0:
        problems.append(f"修复保证金尚有{yuan_text(deposit.held)}在管，须退还或依约使用。")
    waiting = case.spending_requests.filter(state__in=[SpendingRequest.State.SUBMITTED,
                                                       SpendingRequest.State.APPROVED]).count()
    if waiting:
        problems.append(f"尚有{waiting}项资金使用申请未办结（财政审核中或已批准未支付）。")
    return problems
