"""Demo clues spread over departments, channels and the states that exist so far."""

from datetime import timedelta
from decimal import Decimal

from parties.services import find_or_create_party
from parties.validators import credit_code_check_char, organisation_code_check_char
from workflow import approvals, transitions
from workflow.audit import acting_as
from workflow.demo_clock import Story

from .models import Clue, Referral, SourceChannel
from .services import refer_clue, register_clue
from .trivial import assess

# department, channel, days ago found, damage type, amount, protected, summary, start verification
CLUES = [
    ("市生态环境局", "supervision", 40, "water", "2800.00", False,
     "某化工企业雨水排口超标排放含镍废水，下游约 300 米河段水体受污染。", True),
    ("市生态环境局", "procuratorate", 35, "solid_waste", "158000.00", False,
     "检察机关移送：某物流园区非法倾倒建筑垃圾及一般工业固体废物约 1,200 吨。", True),
    ("市生态环境局", "inspection", 28, "soil", "2650000.00", True,
     "省级督察反馈：原焦化厂地块土壤多环芳烃污染，地块位于汾河生态保护红线内。", False),
    ("市生态环境局", "complaint", 12, "air", None, False,
     "群众举报某铸造企业夜间未开启除尘设施，周边降尘明显。", False),
    ("市生态环境局", "penalty_case", 9, "water", "46000.00", False,
     "行政处罚案件：某污水处理厂在线监测数据异常，超标排放 COD。", False),
    ("市水务局", "supervision", 30, "ecology", "320000.00", False,
     "河道管理范围内非法采砂，汾河某段河床及岸坡受损。", True),
    ("市水务局", "complaint", 6, "water", None, False,
     "村民反映某养殖场废水直排灌渠。", False),
    ("市林业局", "crime_case", 22, "wildlife", "87000.00", True,
     "涉嫌非法猎捕国家二级保护鸟类案件，发生于自然保护区实验区。", False),
    ("市规划和自然资源局", "penalty_case", 18, "ecology", "540000.00", False,
     "非法占用林地修建厂房，毁坏林地约 12 亩。", True),
    ("小店区生态环境分局", "supervision", 15, "soil", "1900.00", False,
     "某汽修店废机油渗漏，店后空地约 20 平方米土壤受污染。", False),
    ("小店区生态环境分局", "emergency", 5, "air", "12000.00", False,
     "某企业储罐阀门泄漏导致氨气外泄，周边植物受损。", True),
    ("市气象局", "supervision", 16, "air", None, False,
     "人工影响天气作业点周边违规焚烧废弃物，林缘植被受损。", False),
    ("市文旅局", "complaint", 11, "ecology", "26000.00", False,
     "某景区违规修建游步道，破坏山体植被约 800 平方米。", False),
    ("迎泽区生态环境分局", "department_referral", 20, "water", "3000.00", False,
     "区水利局移送：洗车场废水排入市政雨水管网并进入河道。", False),
    ("大同市生态环境局", "supervision", 14, "water", "68000.00", False,
     "某洗煤厂煤泥水外溢，进入御河支流约500米。", True),
    ("大同市生态环境局", "complaint", 8, "air", None, False,
     "群众举报某石料厂破碎工序无组织排放粉尘。", False),
]


def load(org):
    load_clues(org)
    load_decisions(org)


def load_clues(org):
    if Clue.objects.exists():
        return
    story = Story(org.now)
    today = story.today
    channels = {c.code: c for c in SourceChannel.objects.all()}
    procuratorate = org.departments["市检察院"]
    for dept_name, channel, ago, damage, amount, protected, summary, verify in CLUES:
        department = org.departments[dept_name]
        officer = department.users.first() or org.by_username["jingban"]
        registered = today - timedelta(days=max(ago - 2, 0))
        with Story(org.now).on(registered), acting_as(officer):
            clue = register_clue(Clue(
                jurisdiction=department.jurisdiction,
                department=department,
                channel=channels[channel],
                found_on=today - timedelta(days=ago),
                registered_on=registered,
                # SX 第八条: the referring procuratorate, as the registration page records it
                referring_procuratorate=procuratorate if channel == "procuratorate" else None,
                summary=summary,
                place=department.jurisdiction
                if department.jurisdiction.level == department.jurisdiction.Level.COUNTY
                else org.districts[ago % 2] if department.jurisdiction == org.city
                else department.jurisdiction,
                damage_type=damage,
                estimated_amount=Decimal(amount) if amount else None,
                in_protected_area=protected,
            ), by=officer)
        if verify:
            with Story(org.now).on(registered + timedelta(days=1)), acting_as(officer):
                transitions.perform(clue, "start_verification", by=officer)


DEMO_PARTIES = [
    ("太原晋阳化工有限公司", "MA0K1234", "王振华", "董事长"),
    ("山西汾河物流园区管理有限公司", "MA0K5678", "刘红", "总经理"),
    ("太原市锦华铸造厂", "MA0K9012", "赵刚", "厂长"),
]


def _credit_code(org8: str) -> str:
    body = "91140100" + org8 + organisation_code_check_char(org8)
    return body + credit_code_check_char(body)


def load_decisions(org) -> None:
    """Obligors, an approval waiting for the division head, a referral to receive and a
    procuratorate feedback owed: every screening outcome on the home pages."""
    if Referral.objects.exists():
        return
    officer = org.by_username["jingban"]
    parties = [
        find_or_create_party(kind="organisation", name=name, credit_code=_credit_code(code),
                             legal_representative=rep, representative_title=title,
                             address="山西省太原市", by=officer).party
        for name, code, rep, title in DEMO_PARTIES
    ]
    clues = {c.summary[:8]: c for c in Clue.objects.select_related("channel")}
    by_text = {key: clue for key, clue in clues.items()}

    def clue(prefix: str) -> Clue:
        return next(c for key, c in by_text.items() if key.startswith(prefix))

    nickel, dumping, foundry = clue("某化工企业"), clue("检察机关移送"), clue("群众举报某铸")
    nickel.suspected_obligors.add(parties[0])
    dumping.suspected_obligors.add(parties[1])
    foundry.suspected_obligors.add(parties[2])
    with acting_as(officer):
        approvals.request_approval(
            nickel, "clue_not_start", by=officer,
            summary="经核查，损害数额约2,800元，属显著轻微，义务人已完成整改。",
            decision_reason=Clue.NotStartReason.TRIVIAL,
            trivial_assessment=assess(nickel).as_dict())
    # the referred dumping clue's 启动索赔 opens the newest case: cases/demo.py, after every
    # older demo case is opened, so case numbers follow start dates (issue 17)
    water_officer = org.by_username["shuiwu"]
    sand = clue("河道管理范围")
    with acting_as(water_officer):
        refer_clue(sand, to_department=org.departments["小店区水利局"],
                   note="采砂河段位于小店区，属区水利局职责，随附巡查照片。", by=water_officer)
