"""Demo cases in each stage that exists: 索赔启动登记 (from the screening demo), 启动审批中,
调查中, 调查结论, 磋商 and 索赔终止, walked there through the real approvals and transitions."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from parties.models import Party
from screening.models import Clue, SourceChannel
from screening.services import register_clue
from workflow import approvals, transitions
from workflow.audit import acting_as

from .appraisal import entrust
from .classification import save_checklist
from .models import AppraisalInstitution, Case, Investigation

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


def open_demo_case(org, summary, damage, amount, days_ago) -> Case:
    officer, head = org.by_username["jingban"], org.by_username["chuzhang"]
    department = org.departments["市生态环境局"]
    today = timezone.localdate()
    with acting_as(officer):
        clue = register_clue(Clue(
            jurisdiction=department.jurisdiction, department=department,
            channel=SourceChannel.objects.get(code="supervision"),
            found_on=today - timedelta(days=days_ago),
            registered_on=today - timedelta(days=days_ago - 1), summary=summary,
            place=org.districts[days_ago % 2], damage_type=damage,
            estimated_amount=Decimal(amount)), by=officer,
            obligors=list(Party.objects.filter(kind="organisation").order_by("pk")[:1]))
        clue = transitions.perform(clue, "start_verification", by=officer)
        approvals.request_approval(clue, "clue_case_opening", by=officer,
                                   summary="经初步核查造成生态环境损害，应当启动索赔。")
    with acting_as(head):
        approvals.decide(approvals.pending_step(head, clue),
                         by=head, approve=True, opinion="同意启动索赔。")
    return clue.cases.get()


def advance_demo_case(org, case: Case, target: str) -> None:
    officer = org.by_username["jingban"]
    heads = [org.by_username["chuzhang"], org.by_username["juzhang"]]
    if target == Case.Stage.APPRAISING:
        reached = ORDER.index(Case.Stage.INVESTIGATING)
    elif target in ORDER:
        reached = ORDER.index(target)
    else:
        reached = ORDER.index(Case.Stage.CONCLUDED)
    if reached >= 1:
        with acting_as(officer):
            approvals.request_approval(case, "case_initiation", by=officer, summary=case.summary)
    if reached >= 2:
        _approve_all(case, heads)
        case = Case.objects.get(pk=case.pk)
        with acting_as(officer):
            case.court_notified_on = case.procuratorate_notified_on = timezone.localdate()
            case.save()
    if reached >= 3:
        with acting_as(officer):
            report = Investigation.objects.get(case=case)
            report.process = "2026年调查组赴现场勘验，询问企业负责人，委托监测机构采样。"
            report.damage_facts = case.cause
            report.legal_basis = "《中华人民共和国民法典》第一千二百三十四条、第一千二百三十五条"
            report.suggestion = ("损害已修复，建议终止索赔。" if target == Case.Stage.TERMINATED
                                 else "建议与赔偿义务人开展磋商。")
            report.save()
            report.team.set([officer])
            case = transitions.perform(case, "conclude_investigation", by=officer)
    if target == Case.Stage.APPRAISING:
        institution, _ = AppraisalInstitution.objects.get_or_create(
            name="山西省环境损害司法鉴定中心", defaults={
                "qualification": AppraisalInstitution.Qualification.JUDICIAL,
                "qualification_number": "140000ZJ2023001"})
        with acting_as(officer):
            entrust(case, method="institution", institution=institution,
                    entrusted_on=timezone.localdate(), by=officer)
        with acting_as(officer):  # a 重大 case: on the ledger (SX 第十二条)
            save_checklist(Case.objects.get(pk=case.pk), criteria=[_first_major(case)],
                           by=officer)
    if target == Case.Stage.NEGOTIATING:
        with acting_as(officer):
            transitions.perform(case, "start_negotiation", by=officer)
    if target == Case.Stage.TERMINATED:
        with acting_as(officer):
            approvals.request_approval(case, "case_termination", by=officer,
                                       summary="经调查，损害已由企业自行修复完毕，无需索赔。")
        _approve_all(case, heads)


def _first_major(case) -> str:
    return case.rule_profile.rule("major.criteria").value[0]["code"]


def _approve_all(case, heads) -> None:
    for head in heads:
        with acting_as(head):
            step = approvals.pending_step(head, case)
            approvals.decide(step, by=head, approve=True, opinion="同意。")


def load(org):
    if Case.objects.filter(clues__summary=DEMO_CASES[0][0]).exists():
        return
    for index, (summary, damage, amount, target) in enumerate(DEMO_CASES):
        case = open_demo_case(org, summary, damage, amount, days_ago=60 - index * 8)
        advance_demo_case(org, case, target)
