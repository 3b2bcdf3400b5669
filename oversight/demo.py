"""Demo history for the dashboard (issue 15): cases of both cities of the province (太原市,
大同市) spread over the last quarters, each walked through the real services on its own
dates (workflow/demo_clock.py): started, appraised, terminated, negotiated, agreed, judicially
confirmed or litigated in different quarters, with payments into the treasury, so the trend
and the money figures of /oversight/ show something for 省生态环境厅 and each city.

The history starts no earlier than 8 quarters before the load, nor before the rule profile in
force (SX 晋环规〔2025〕2号, from 2025年7月10日) began: a case is handled under the profile
in force on its dates. A second run finds the first case and does nothing."""

from datetime import timedelta

from cases.demo import advance_demo_case, demo_people, open_demo_case
from cases.models import Case
from negotiation.demo import walk
from restoration import services as funds
from restoration.models import FundObligation
from rules.models import RuleProfile
from workflow.audit import acting_as

# city, summary, damage type, estimated amount, appraised amount, where it ends
HISTORY = [
    ("太原", "某钢铁企业烧结机脱硫设施停运，周边大气环境受损。", "air", "1800000.00",
     "1650000.00", "agreed"),
    ("大同", "某煤矿矸石山自燃，周边植被及土壤受损。", "ecology", "2400000.00",
     "2210000.00", "confirmed"),
    ("太原", "某建材企业擅自倾倒粉煤灰约800吨。", "solid_waste", "260000.00", None,
     Case.Stage.TERMINATED),
    ("大同", "某选矿厂尾矿库渗漏，御河支流水体受污染。", "water", "1350000.00",
     "1280000.00", "agreed"),
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


def _first_day(org):
    """Days before the load the history may start: 8 quarters, or the profile's start."""
    today = org.now.date()
    began = (RuleProfile.objects.filter(rule_set=org.city.rule_set, status="active")
             .order_by("effective_from").values_list("effective_from", flat=True).first())
    days = EARLIEST_DAYS if began is None else min(EARLIEST_DAYS, (today - began).days - 5)
    return max(days, LATEST_DAYS + 10)


def load(org):
    if Case.objects.filter(clues__summary=HISTORY[0][1]).exists():
        return
    first = _first_day(org)
    step = (first - LATEST_DAYS) / (len(HISTORY) - 1)
    departments = {"太原": org.departments["市生态环境局"],
                   "大同": org.departments["大同市生态环境局"]}
    for index, (city, summary, damage, amount, appraised, target) in enumerate(HISTORY):
        days_ago = round(first - index * step)
        department = departments[city]
        if target == Case.Stage.TERMINATED:
            case = open_demo_case(org, summary, damage, amount, days_ago=days_ago,
                                  department=department)
            advance_demo_case(org, case, target)
            continue
        case = walk(org, summary, damage, amount, target, days_ago=days_ago,
                    department=department, seq=200 + index * 2, appraised=appraised)
        _pay(case, demo_people(org, department)[1])


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
