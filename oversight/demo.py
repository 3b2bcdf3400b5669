"""Demo history for the dashboard (issue 15): cases of both cities of the province (太原市,
大同市) spread over the last quarters, each walked through the real services on its own
dates (workflow/demo_clock.py): started, appraised, terminated, negotiated, agreed, judicially
confirmed, litigated or closed (结案) in different quarters, with payments into the treasury, so the trend
and the money figures of /oversight/ show something for 省生态环境厅 and each city.

The history starts 8 quarters before the load (the dashboard's trend), and a case is handled
under the profile in force on its dates. SX 晋环规〔2025〕2号 is in force only from 2025年7月10日;
before it Shanxi's claims followed the national baseline. So the demo gives the province's rule
set a version for the time before SX — the national baseline's values and citations (NAT),
from the baseline's own start, ending the day before SX's first version
(`pre_local_profile`) — and the history reaches back 8 quarters, or to the baseline's start if
later. A second run finds the first case and does nothing."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.demo import Opening, advance_demo_case, demo_people, open_demo_case, walked
from cases.models import Case
from negotiation.demo import walk
from parties.demo import demo_credit_code
from restoration import services as funds
from restoration.models import FundObligation, RestorationProject
from rules.models import RuleProfile
from workflow import approvals
from workflow.audit import acting_as

# city, summary, damage type, estimated amount, appraised amount, where it ends
HISTORY = [
    ("太原", "某钢铁企业烧结机脱硫设施停运，周边大气环境受损。", "air", "1800000.00",
     "1650000.00", "closed"),
    ("大同", "某煤矿矸石山自燃，周边植被及土壤受损。", "ecology", "2400000.00",
     "2210000.00", "confirmed"),
    ("太原", "某建材企业擅自倾倒粉煤灰约800吨。", "solid_waste", "260000.00", None,
     Case.Stage.TERMINATED),
    ("大同", "某选矿厂尾矿库渗漏，御河支流水体受污染。", "water", "1350000.00",
     "1280000.00", "closed"),
    ("太原", "某制药企业超标排放高浓度废水，汾河支流水质受损。", "water", "940000.00",
     "905000.00", "confirmed"),
    ("大同", "某物流企业运输车辆侧翻，柴油泄漏污染农田。", "soil", "120000.00", None,
     Case.Stage.TERMINATED),
    ("太原", "某化工园区企业违法填埋危险废物。", "solid_waste", "3600000.00", "3420000.00",
     "litigation"),
    ("大同", "某采石场越界开采，破坏山体植被约35亩。", "ecology", "760000.00", "718000.00",
     "agreed"),
    ("太原", "某热电厂灰场扬尘，周边农作物受损。", "air", "310000.00", None,
     Case.Stage.TERMINATED),
    ("大同", "某焦化企业酚氰废水渗漏，地下水受污染。", "water", "2050000.00", "1960000.00",
     "negotiating"),
]
EARLIEST_DAYS = 8 * 91  # eight quarters
LATEST_DAYS = 150  # the newest history case; the other demo modules fill the recent months


def pre_local_profile(rule_set, today):
    """The rule set's version for the time before its first local version, as the national
    baseline (its base) stood then; None where the local rules reach back 8 quarters anyway,
    where there is no base in force earlier, or where it exists already. The rules service
    publishes versions forwards only (a new version starts after the last), so this one is
    written as published directly, its period closed before the first local version."""
    from datetime import date as day_type

    from rules.models import RuleValue
    from rules.services import create_profile

    active = RuleProfile.objects.filter(rule_set=rule_set, status=RuleProfile.Status.ACTIVE)
    first = active.order_by("effective_from").first()
    wanted = today - timedelta(days=EARLIEST_DAYS)
    if first is None or rule_set.base_id is None or first.effective_from <= wanted:
        return None
    base = (RuleProfile.objects.filter(rule_set=rule_set.base, status=RuleProfile.Status.ACTIVE,
                                       effective_from__lt=first.effective_from)
            .order_by("effective_from").first())
    if base is None:
        return None
    if active.filter(effective_to=first.effective_from - timedelta(days=1)).exists():
        return None
    start = max(base.effective_from, day_type(wanted.year, wanted.month, 1))
    values = {v.key: (v.value, v.citation, v.note)
              for v in RuleValue.objects.filter(profile=base)}
    profile = create_profile(
        rule_set, values, effective_from=start,
        effective_to=first.effective_from - timedelta(days=1),
        source_document=f"{base.source_document}（{rule_set.name}地方规定施行前适用国家基准）",
        note=f"演示数据：{first.effective_from:%Y年%m月%d日}前适用国家基准（{base.label}）")
    RuleProfile.objects.filter(pk=profile.pk).update(status=RuleProfile.Status.ACTIVE)
    return profile


def _first_day(org):
    """Days before the load the history may start: 8 quarters, or the earliest profile's
    start."""
    today = org.now.date()
    pre_local_profile(org.city.rule_set, today)
    began = (RuleProfile.objects.filter(rule_set=org.city.rule_set, status="active")
             .order_by("effective_from").values_list("effective_from", flat=True).first())
    days = EARLIEST_DAYS if began is None else min(EARLIEST_DAYS, (today - began).days - 5)
    return max(days, LATEST_DAYS + 10)


def demo_openings(org) -> list[Opening]:
    """Opened with every demo module's cases, oldest first (cases/demo.py open_all)."""
    first = _first_day(org)
    step = (first - LATEST_DAYS) / (len(HISTORY) - 1)
    departments = {"太原": org.departments["市生态环境局"],
                   "大同": org.departments["大同市生态环境局"]}
    return [Opening(summary, damage, amount, days_ago=round(first - index * step),
                    department=departments[city])
            for index, (city, summary, damage, amount, _appraised, _target)
            in enumerate(HISTORY)]


def load(org):
    if walked(HISTORY[0][1]):
        return
    for index, (opening, (_city, summary, damage, amount, appraised, target)) in enumerate(
            zip(demo_openings(org), HISTORY, strict=True)):
        days_ago, department = opening.days_ago, opening.department
        if target == Case.Stage.TERMINATED:
            case = open_demo_case(org, summary, damage, amount, days_ago=days_ago,
                                  department=department)
            advance_demo_case(org, case, target)
            continue
        people = demo_people(org, department)
        case = walk(org, summary, damage, amount, "agreed" if target == "closed" else target,
                    days_ago=days_ago, department=department, seq=200 + index * 2,
                    appraised=appraised)
        _pay(case, people[1])
        if target == "closed":
            _close(case, officer=people[1], head=people[2])


def _pay(case: Case, officer) -> None:
    """Everything due paid within weeks of the agreement (or of the court's ruling)."""
    story = case.demo_story
    day = (story.last or story.now).date()
    for number, obligation in enumerate(case.fund_obligations.filter(
            status=FundObligation.Status.OPEN).order_by("id"), start=1):
        day = min(day + timedelta(days=20), story.today)
        with story.on(day), acting_as(officer):
            funds.record_payment(obligation, paid_on=day, amount=obligation.outstanding,
                                 receipt_number=f"FS-{case.pk:04d}-{number:02d}", by=officer,
                                 note="缴入国库（非税收入）。")


def _pdf(name: str):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% EcoClaim demo\n", "application/pdf")


def _close(case: Case, *, officer, head) -> None:
    """The deposit received, restoration planned, reviewed, filed, done and assessed as
    passed, the deposit refunded, and the case closed with the division head's approval."""
    story = case.demo_story
    day = (story.last or story.now).date()

    def on(days):
        nonlocal day
        day = day + timedelta(days=days)
        return story.on(day)

    deposit = getattr(case, "deposit", None)
    with acting_as(officer):
        if deposit is not None and deposit.agreed_amount:
            with on(2):
                funds.receive_deposit(case, on=day, amount=deposit.agreed_amount,
                                      reference=f"BZJ-{case.pk:04d}", by=officer)
        for project in case.restoration_projects.order_by("sequence"):
            with on(3):
                if project.mode == "third_party" and project.executor_id is None:
                    funds.set_executor(project, name="山西绿源生态修复工程有限公司",
                                       credit_code=demo_credit_code("140200", "MA0DEM09"),
                                       by=officer)
                project = funds.record_plan(project, summary="清理受损区域，覆土并补植乡土植被。",
                                            drafted_on=day, place=project.place or "受损区域",
                                            plan_file=_pdf("修复方案.pdf"), by=officer)
            with on(5):
                project = funds.record_review(project, reviewed_on=day, experts="省环科院专家三名",
                                              opinion="方案可行，同意实施。", by=officer)
            with on(3):
                project = funds.file_plan(project, filed_on=day,
                                          filing_number=f"环修备〔{day.year}〕{case.pk}号",
                                          by=officer)
            with on(5):
                project = funds.start_restoration(project, started_on=day, by=officer)
            with on(60):
                project = funds.report_completion(project, reported_on=day, by=officer,
                                                  note="修复工程完工，自查达到修复目标。",
                                                  completion_file=_pdf("完工通报.pdf"))
            with on(5):
                funds.start_assessment(project, assessor="山西省生态环境科学研究院",
                                       started_on=day, by=officer)
            with on(20):
                funds.conclude_assessment(RestorationProject.objects.get(pk=project.pk),
                                          passed=True, concluded_on=day, by=officer,
                                          conclusion="各项指标达到修复方案确定的修复目标。",
                                          report=_pdf("修复效果评估报告.pdf"))
        if deposit is not None and deposit.agreed_amount:
            with on(5):
                funds.refund_deposit(case, on=day, reference=f"TK-{case.pk:04d}", by=officer,
                                     note="修复经效果评估达到修复目标，保证金退还。")
        with on(3):
            case = Case.objects.get(pk=case.pk)
            funds.request_closing(case, by=officer, summary="赔偿协议已全部履行，修复经评估达标，申请结案。")
    with on(2), acting_as(head):
        approvals.decide(approvals.pending_step(head, case), by=head, approve=True,
                         opinion="同意结案。")
