"""Demo cases in each stage that exists: 索赔启动登记 (from the screening demo), 启动审批中,
调查中, 调查结论, 磋商 and 索赔终止, walked there through the real approvals and transitions.
Every demo module's cases are opened first, oldest first (`open_all`), then walked."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max

from accounts.discovery import app_modules
from accounts.models import Department
from accounts.roles import Role, group_name
from parties.models import Party
from screening.models import Clue, SourceChannel
from screening.services import register_clue
from screening.trivial import assess
from workflow import approvals, transitions
from workflow.audit import acting_as
from workflow.demo_clock import Story
from workflow.models import AuditEvent

from .appraisal import entrust, record_result
from .classification import save_checklist
from .models import AppraisalInstitution, Case, Investigation
from .services import open_case_from_clue

# summary, damage type, amount, parties (by name prefix), stage to reach
DEMO_CASES = [
    ("某电镀企业暗管排放含铬废水，汾河支流沟渠底泥受污染。", "water", "486000.00",
     Case.Stage.INITIATION_APPROVAL),
    ("某煤矿违规排放矿井水，下游约2公里河道水质超标。", "water", "1260000.00",
     Case.Stage.INVESTIGATING),
    ("某砖厂非法占用耕地取土，约8亩耕地耕作层被破坏。", "ecology", "238000.00",
     Case.Stage.CONCLUDED),
    ("某化工企业危险废物非法转移倾倒，周边土壤受污染。", "solid_waste", "3150000.00",
     Case.Stage.NEGOTIATING),
    ("某焦化企业脱硫废液渗漏，厂区外约15亩农田土壤受污染。", "soil", "820000.00",
     Case.Stage.APPRAISING),
    ("某加油站储油罐渗漏，经调查损害已由企业自行修复完毕。", "soil", "42000.00",
     Case.Stage.TERMINATED),
]
ORDER = [Case.Stage.DRAFT, Case.Stage.INITIATION_APPROVAL, Case.Stage.INVESTIGATING,
         Case.Stage.CONCLUDED, Case.Stage.NEGOTIATING]


def demo_people(org, department=None):
    """(department, officer, division head, department head) handling a demo matter: the
    city bureau's by default, or those of another lead ecology department (大同)."""
    department = department or org.departments["市生态环境局"]
    if department == org.departments["市生态环境局"]:
        return (department, org.by_username["jingban"], org.by_username["chuzhang"],
                org.by_username["juzhang"])
    def holder(role):
        return department.users.filter(groups__name=group_name(role)).order_by("pk").first()

    return (department, holder(Role.OFFICER), holder(Role.DIVISION_HEAD),
            holder(Role.DEPARTMENT_HEAD))


@dataclass(frozen=True)
class Opening:
    """A demo case a module opens (`demo_openings(org)` in its demo.py): opened before any
    module walks its cases, oldest first, so case numbers follow start dates (issue 17)."""
    summary: str
    damage: str
    amount: str
    days_ago: int
    department: Department | None = None


def demo_openings(org) -> list[Opening]:
    return [Opening(summary, damage, amount, days_ago=110 - index * 12)
            for index, (summary, damage, amount, _target) in enumerate(DEMO_CASES)]


def open_all(org) -> None:
    """Every demo module's cases, opened in the order of their start dates: a case started
    earlier has the lower number in its jurisdiction and year."""
    openings = [opening for module in app_modules("demo")
                if hasattr(module, "demo_openings") for opening in module.demo_openings(org)]
    for o in sorted(openings, key=lambda o: -o.days_ago):
        open_demo_case(org, o.summary, o.damage, o.amount, o.days_ago, department=o.department)


def open_demo_case(org, summary, damage, amount, days_ago, story: Story | None = None,
                   department=None) -> Case:
    """A clue found `days_ago` days before the load, registered the next day, verified, and
    on the sixth day the officer decides 启动索赔: the case opens that day, in 索赔启动登记,
    its start to be approved once (cases/services.py). A case opened already (`open_all`) is
    returned as it is, its story going on after its last step."""
    existing = Case.objects.filter(clues__summary=summary).first()
    if existing is not None:
        existing.demo_story = story or Story(org.now)
        last = AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Case),
            object_id=str(existing.pk)).aggregate(at=Max("at"))["at"]
        if last is not None and last < org.now:
            existing.demo_story.last = max(last, existing.demo_story.last or last)
        return existing
    story = story or Story(org.now)
    department, officer, _head, _boss = demo_people(org, department)
    found = story.day(days_ago)
    with story.on(found + timedelta(days=1)), acting_as(officer):
        clue = register_clue(Clue(
            jurisdiction=department.jurisdiction, department=department,
            channel=SourceChannel.objects.get(code="supervision"),
            found_on=found, registered_on=found + timedelta(days=1), summary=summary,
            place=_place(org, department, days_ago), damage_type=damage,
            estimated_amount=Decimal(amount)), by=officer,
            obligors=list(Party.objects.filter(kind="organisation").order_by("pk")[:1]))
    with story.on(found + timedelta(days=2)), acting_as(officer):
        clue = transitions.perform(clue, "start_verification", by=officer)
    with story.on(found + timedelta(days=6)), acting_as(officer):
        case = open_case_from_clue(clue, by=officer,
                                   note="经初步核查造成生态环境损害，应当启动索赔。")
    case.demo_story = story
    return case


def _place(org, department, days_ago):
    if department.jurisdiction.level == department.jurisdiction.Level.COUNTY:
        return department.jurisdiction
    districts = [d for d in org.districts if d.parent_id == department.jurisdiction_id]
    return districts[days_ago % len(districts)] if districts else department.jurisdiction


def advance_demo_case(org, case: Case, target: str, story: Story | None = None,
                      appraised: str | None = None) -> Case:
    """Walk `case` to `target`, each step a few days after the previous one (the case's own
    story, from open_demo_case); with `appraised`, an institution's appraisal finds that
    damage amount during the investigation. Returns the case as it ends up."""
    story = story or getattr(case, "demo_story", None) or Story(org.now)
    _department, officer, head, boss = demo_people(org, case.department)
    heads = [head, boss]
    day = case.opened_on
    if target == Case.Stage.APPRAISING:
        reached = ORDER.index(Case.Stage.INVESTIGATING)
    elif target in ORDER:
        reached = ORDER.index(target)
    else:
        reached = ORDER.index(Case.Stage.CONCLUDED)
    if reached >= 1:
        day += timedelta(days=2)
        with story.on(day), acting_as(officer):
            approvals.request_approval(case, "case_initiation", by=officer, summary=case.summary)
    if reached >= 2:
        day = _approve_all(case, heads, story, day)
        case = Case.objects.get(pk=case.pk)
        with story.on(day), acting_as(officer):
            case.court_notified_on = case.procuratorate_notified_on = story.moment(day).date()
            case.save()
    if reached >= 3 and appraised:
        appraisal_of(case, story, day + timedelta(days=4), day + timedelta(days=18), appraised,
                     officer)
    if reached >= 3:
        day += timedelta(days=21)
        with story.on(day), acting_as(officer):
            report = Investigation.objects.get(case=case)
            report.process = (f"{day.year}年调查组赴现场勘验，询问企业负责人，委托监测机构采样。")
            report.damage_facts = case.cause
            report.legal_basis = "《中华人民共和国民法典》第一千二百三十四条、第一千二百三十五条"
            report.suggestion = ("损害已修复，建议终止索赔。" if target == Case.Stage.TERMINATED
                                 else "建议与赔偿义务人开展磋商。")
            report.save()
            report.team.set([officer])
            case = transitions.perform(case, "conclude_investigation", by=officer)
    if target == Case.Stage.APPRAISING:
        institution = _institution()
        day += timedelta(days=3)
        with story.on(day), acting_as(officer):
            entrust(case, method="institution", institution=institution,
                    entrusted_on=story.moment(day).date(), by=officer)
        with story.on(day), acting_as(officer):  # a 重大 case: on the ledger (SX 第十二条)
            save_checklist(Case.objects.get(pk=case.pk), criteria=[_first_major(case)],
                           by=officer)
    if target == Case.Stage.NEGOTIATING:
        day += timedelta(days=5)
        with story.on(day), acting_as(officer):
            case = transitions.perform(case, "start_negotiation", by=officer)
    if target == Case.Stage.TERMINATED:
        day += timedelta(days=3)
        with story.on(day), acting_as(officer):
            approvals.request_approval(case, "case_termination", by=officer,
                                       summary="经调查，损害已由企业自行修复完毕，无需索赔。")
        _approve_all(case, heads, story, day)
    case = Case.objects.get(pk=case.pk)
    case.demo_story = story
    return case


def _institution() -> AppraisalInstitution:
    return AppraisalInstitution.objects.get_or_create(
        name="山西省环境损害司法鉴定中心", defaults={
            "qualification": AppraisalInstitution.Qualification.JUDICIAL,
            "qualification_number": "140000ZJ2023001"})[0]


def appraisal_of(case, story: Story, entrusted, finished, amount: str, officer) -> None:
    """An institution entrusted on `entrusted` reports `amount` on `finished` (SX 第十六条)."""
    with story.on(entrusted), acting_as(officer):
        appraisal = entrust(case, method="institution", institution=_institution(),
                            entrusted_on=entrusted, by=officer)
    with story.on(finished), acting_as(officer):
        record_result(appraisal, amount=Decimal(amount), restorability=Case.Restorability.YES,
                      finished_on=finished, by=officer,
                      report_number=f"晋环鉴〔{finished.year}〕{case.pk:03d}号")


def _first_major(case) -> str:
    return case.rule_profile.rule("major.criteria").value[0]["code"]


def _approve_all(case, heads, story: Story, day):
    """Each head decides a day after the previous step; returns the last decision's day."""
    for head in heads:
        day += timedelta(days=1)
        with story.on(day), acting_as(head):
            step = approvals.pending_step(head, case)
            approvals.decide(step, by=head, approve=True, opinion="同意。")
    return day


def load(org):
    if walked(DEMO_CASES[0][0]):
        return
    open_all(org)
    for opening, (*_, target) in zip(demo_openings(org), DEMO_CASES, strict=True):
        case = open_demo_case(org, opening.summary, opening.damage, opening.amount,
                              opening.days_ago)
        advance_demo_case(org, case, target)
    _open_referred_clue(org)


def walked(summary: str) -> bool:
    """A module's first demo case is past 索赔启动登记: its load ran already."""
    return Case.objects.filter(clues__summary=summary).exclude(stage=Case.Stage.DRAFT).exists()


def _open_referred_clue(org) -> None:
    """The procuratorate's referred clue of the screening demo: 启动索赔 today, so its case,
    the newest, waits in 索赔启动登记 for the officer to submit form [1]."""
    clue = Clue.objects.filter(summary__startswith="检察机关移送：某物流园区",
                               state=Clue.State.VERIFYING).first()
    if clue is None:
        return
    officer = org.by_username["jingban"]
    with acting_as(officer):
        open_case_from_clue(clue, by=officer,
                            note="非法倾倒固体废物约1,200吨，造成土壤损害，应当启动索赔。",
                            trivial_assessment=assess(clue).as_dict())
