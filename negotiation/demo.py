"""Demo cases past the investigation: one negotiating (notice served, a meeting held), one with
a signed agreement, one judicially confirmed, one whose confirmation was refused (a second
round is being prepared) and one in litigation after the negotiation failed. Each is walked
there through the real services, with dates counted back from today."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Department
from cases.demo import Opening, advance_demo_case, demo_people, open_demo_case, walked
from cases.models import Case
from workflow.attachments import attach
from workflow.audit import acting_as
from workflow.demo_clock import Story

from . import services
from .models import Negotiation, PaymentTerm, RestorationTerm

DEMO = [
    ("某印染企业超标排放印染废水，潇河约3公里河段水生态受损。", "water", "1580000.00",
     "negotiating"),
    ("某石料厂越界开采，破坏山体植被约20亩。", "ecology", "960000.00", "agreed"),
    ("某养殖场粪污直排，下游坑塘水体富营养化。", "water", "415000.00", "confirmed"),
    ("某废旧电池回收点非法拆解，周边土壤铅污染。", "soil", "2230000.00", "refused"),
    ("某洗煤厂煤泥随意堆放，雨季冲入河道。", "water", "680000.00", "litigation"),
]


def _after(day, days: int):
    return day + timedelta(days=days)


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n% EcoClaim demo\n", "application/pdf")


def _serve(negotiation: Negotiation, officer, story: Story, start) -> Negotiation:
    """The notice issued on `start`, the first meeting set 10 days later, served on day 2."""
    negotiation.plan_feasibility = "受损区域可采用原位修复，技术成熟。"
    negotiation.plan_cost = "参照鉴定评估报告，修复费用约为损害数额的六成。"
    negotiation.plan_third_party = "本地有具备资质的修复单位两家。"
    negotiation.plan_obligor_capacity = "义务人正常经营，具备赔偿能力。"
    negotiation.group_own = "市生态环境局法规与标准科：王某、李某"
    negotiation.group_invited = "市人民检察院第六检察部；环境损害鉴定评估专家一名"
    negotiation.notice_issued_on = start
    negotiation.first_meeting_at = timezone.make_aware(
        datetime.combine(_after(start, 10), time(9, 30)))
    negotiation.first_meeting_place = "市生态环境局三楼会议室"
    negotiation.reply_due = _after(start, 7)
    negotiation.save()
    # CQ 七(一); SX 第三十三条: invited through the service, so the procuratorate follows the case
    procuratorate = Department.objects.filter(
        kind=Department.Kind.PROCURATORATE,
        jurisdiction=negotiation.case.jurisdiction).order_by("pk").first()
    if procuratorate is not None:
        negotiation = services.invite_procuratorate(negotiation, procuratorate=procuratorate,
                                                    by=officer)
    negotiation = services.issue_notice(negotiation, by=officer)
    with story.on(_after(start, 2)):
        for obligor in negotiation.obligors():
            services.record_service(negotiation, obligor=obligor, method="direct",
                                    attempted_on=_after(start, 2), succeeded=True,
                                    recipient="办公室主任", proof=_pdf("送达回证.pdf"), by=officer)
    return Negotiation.objects.get(pk=negotiation.pk)


def _agree(negotiation: Negotiation, officer, story: Story, start) -> Negotiation:
    with story.on(_after(start, 5)):
        return services.record_reply(negotiation, reply="agreed", replied_on=_after(start, 5),
                                     note="同意参加磋商", by=officer)


def _meet(negotiation, officer, story: Story, day):
    with story.on(day):
        _record_meeting(negotiation, officer, day)


def _record_meeting(negotiation, officer, day):
    services.record_meeting(
        negotiation, held_on=day, place="市生态环境局三楼会议室",
        attendees="法规与标准科、市人民检察院、鉴定评估专家", obligor_attendance="in_person",
        minutes="通报鉴定评估结论，义务人对损害事实无异议，就修复方案和赔偿金额交换意见。",
        by=officer)


def _sign(negotiation: Negotiation, officer, story: Story, day, amount: str):
    with story.on(day):
        return _sign_on(negotiation, officer, story, day, amount)


def _sign_on(negotiation: Negotiation, officer, story: Story, day, amount: str):
    agreement = services.draft_agreement(negotiation, by=officer)
    agreement.evidence = agreement.evidence or "1. 现场勘验笔录\n2. 鉴定评估报告"
    agreement.opinions = "双方对鉴定评估结论、修复目标和修复方案无异议。"
    agreement.liability = "赔偿义务人对本次生态环境损害承担全部赔偿责任。"
    agreement.performance = "赔偿义务人委托第三方修复受损生态环境，并缴纳服务功能损失和鉴定评估费用。"
    agreement.assessment_method = "修复完成后由办案部门组织修复效果评估。"
    agreement.assessment_due = _after(day, 300)
    agreement.breach_liability = "逾期未履行的，按未履行金额每日万分之五支付违约金。"
    agreement.deposit_amount = Decimal("100000.00")
    agreement.signed_on = day
    agreement.signed_place = negotiation.case.jurisdiction.name.removesuffix("人民政府")
    agreement.save()
    obligor = agreement.obligors.first()
    RestorationTerm.objects.create(
        agreement=agreement, obligor=obligor, item="受损区域生态修复", mode="third_party",
        target="恢复至基线水平", estimated_cost=Decimal(amount) * Decimal("0.6"),
        start_by=_after(day, 30), finish_by=_after(day, 240), assessment_by=_after(day, 300))
    PaymentTerm.objects.create(agreement=agreement, obligor=obligor, kind="service_loss",
                               amount=(Decimal(amount) * Decimal("0.3")).quantize(Decimal("1")),
                               due_on=_after(day, 60))
    PaymentTerm.objects.create(agreement=agreement, obligor=obligor, kind="fees",
                               amount=Decimal("60000.00"), due_on=_after(day, 30))
    return services.sign_agreement(agreement, by=officer)


def _file_confirmation(case: Case, officer, story: Story, day):
    with story.on(day):
        return _file_confirmation_on(case, officer, day)


def _file_confirmation_on(case: Case, officer, day):
    confirmation = services.start_confirmation(case, by=officer)
    confirmation.court = court(case)
    confirmation.applied_on = day
    confirmation.agreement_file = attach(confirmation, _pdf("赔偿协议.pdf"), by=officer)
    if confirmation.appraisal_report_id is None:
        confirmation.appraisal_report = attach(confirmation, _pdf("专家意见.pdf"), by=officer)
    confirmation.save()
    return services.file_confirmation(confirmation, by=officer)


def court(case: Case) -> str:
    return case.jurisdiction.name.removesuffix("人民政府") + "中级人民法院"


def demo_openings(org) -> list[Opening]:
    """Opened with every demo module's cases, oldest first (cases/demo.py open_all)."""
    return [Opening(summary, damage, amount, days_ago=190 - index * 6)
            for index, (summary, damage, amount, _target) in enumerate(DEMO)]


def load(org):
    if walked(DEMO[0][0]):
        return
    for opening, (*_, target) in zip(demo_openings(org), DEMO, strict=True):
        walk(org, opening.summary, opening.damage, opening.amount, target,
             days_ago=opening.days_ago)


def walk(org, summary, damage, amount, target, *, days_ago, department=None, seq=101,
         appraised: str | None = None) -> Case:
    """A case opened `days_ago` days before the load and walked to negotiation, then to
    `target`: each step a few days after the previous, as a real negotiation would go."""
    case = open_demo_case(org, summary, damage, amount, days_ago=days_ago,
                          department=department)
    case = advance_demo_case(org, case, Case.Stage.NEGOTIATING, appraised=appraised)
    story = case.demo_story
    officer = demo_people(org, case.department)[1]
    start = (story.last or org.now).date() + timedelta(days=3)
    with acting_as(officer):
        with story.on(start):
            negotiation = services.current_round(case)
            negotiation = _serve(negotiation, officer, story, start)
        year, area = start.year, case.jurisdiction.code[2:4]  # 晋01 太原, 晋02 大同
        if target == "litigation":
            with story.on(_after(start, 20)):
                litigation = services.fail_negotiation(
                    negotiation, reason=Negotiation.Failure.REFUSED,
                    note="赔偿义务人逾期未提交答复意见。", by=officer)
                litigation.court = court(case)
                litigation.procuratorate_support = True
                litigation.support_requested_on = _after(start, 22)
                litigation.filed_on = _after(start, 25)
                litigation.court_case_number = f"（{year}）晋{area}民初{seq}号"
                litigation.claim_amount = Decimal(amount)
                litigation.save()
            with story.on(_after(start, 25)):
                services.advance_litigation(litigation, "file", by=officer)
            return case
        negotiation = _agree(negotiation, officer, story, start)
        _meet(negotiation, officer, story, _after(start, 12))
        if target == "negotiating":
            return case
        _meet(negotiation, officer, story, _after(start, 20))
        agreement = _sign(negotiation, officer, story, _after(start, 25), amount=amount)
        if target == "agreed":
            return case
        confirmation = _file_confirmation(agreement.case, officer, story, _after(start, 30))
        ruling = _after(start, 50)
        with story.on(ruling):
            if target == "confirmed":
                services.record_ruling(confirmation, confirmed=True,
                                       ruling_number=f"（{year}）晋{area}民特{seq}号",
                                       ruling_date=ruling, by=officer)
            else:
                services.record_ruling(confirmation, confirmed=False,
                                       ruling_number=f"（{year}）晋{area}民特{seq + 1}号",
                                       ruling_date=ruling,
                                       refusal_reason="协议未明确修复效果评估的方式，需核实后重新磋商。",
                                       by=officer)
    return case
