"""A case of the demo organisation walked through the real approvals (form [1]: 机构负责人 then
部门负责人), the investigation (form [2]) and termination (form [3]), with several obligors:
two organisations and a natural person. Built on 2026年5月6日 (time_machine), so every date
the forms print is that day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from accounts.roles import Role
from cases.models import Case, CaseObligor, Evidence, Investigation
from tests.parties.factories import OrganisationFactory, PersonFactory
from workflow import approvals, transitions
from workflow.audit import acting_as

SHANGHAI = ZoneInfo("Asia/Shanghai")
BUILT_ON = datetime(2026, 5, 6, 10, tzinfo=SHANGHAI)
BUILT_ON_TEXT = "2026年5月6日"
STAGES = ("draft", "investigating", "concluded", "terminated")


def _decide(org, case, opinions):
    for role, opinion in opinions:
        user = org.users[role]
        with acting_as(user):
            approvals.decide(approvals.pending_step(user, case),
                             by=user, approve=True, opinion=opinion)


def demo_case(org, *, stage: str = "terminated", obligors=None, **fields) -> Case:
    """A case of 市生态环境局 (the demo officer 张明, heads 李娟 and 王建国) in `stage`."""
    officer = org.users[Role.OFFICER]
    department = officer.department
    values = {
        "source": "日常监管、执法巡查发现",
        "cause": "某化工企业违法倾倒危险废物致土壤污染",
        "summary": "经初步核查，三名赔偿义务人倾倒危险废物致约12亩土壤受污染，应当启动索赔。",
        "damage_place": "太原市小店区某化工园区东侧",
        "estimated_amount": Decimal("1230000.00"),
        **fields,
    }
    with time_machine.travel(BUILT_ON, tick=False):
        with acting_as(officer):
            case = Case.objects.create(
                number=f"140100-2026-WS{Case.objects.count() + 1:04d}",
                jurisdiction=department.jurisdiction, department=department,
                rule_profile=department.jurisdiction.rule_profile_on(date(2026, 4, 1)),
                created_by=officer, **values)
            if obligors is None:
                obligors = [
                    (OrganisationFactory(name="山西某化工科技有限公司", created_by=officer),
                     "principal"),
                    (OrganisationFactory(name="太原某物流运输有限公司", legal_representative="赵某",
                                         representative_title="总经理", created_by=officer),
                     "joint"),
                    (PersonFactory(name="刘某某", created_by=officer), "joint_several"),
                ]
            for party, role in obligors:
                CaseObligor.objects.create(case=case, party=party, role=role)
            if stage == "draft":
                return case
            approvals.request_approval(case, "case_initiation", by=officer,
                                       summary=values["summary"])
        _decide(org, case, [(Role.DIVISION_HEAD, "同意启动索赔，报局领导审定。"),
                            (Role.DEPARTMENT_HEAD, "同意启动。")])
        case = Case.objects.get(pk=case.pk)
        with acting_as(officer):
            investigation = Investigation.objects.get(case=case)
            investigation.process = "调查组采取现场勘查、采样监测、询问调查等方式开展调查。"
            investigation.damage_facts = "赔偿义务人将废酸渣等危险废物非法倾倒于园区东侧空地。"
            investigation.legal_basis = "《中华人民共和国民法典》第一千二百三十四条、第一千二百三十五条。"
            investigation.suggestion = "建议开展索赔磋商。"
            investigation.save()
            investigation.team.set([officer])
            Evidence.objects.create(case=case, kind="monitoring", title="土壤监测报告",
                                    collected_on=date(2026, 5, 6), recorded_by=officer)
            if stage == "investigating":
                return case
            case = transitions.perform(case, "conclude_investigation", by=officer)
            if stage == "concluded":
                return case
            approvals.request_approval(case, "case_termination", by=officer,
                                       summary="赔偿义务人已自行修复并经评估达到修复目标。")
        _decide(org, case, [(Role.DIVISION_HEAD, "同意终止索赔。"),
                            (Role.DEPARTMENT_HEAD, "同意终止。")])
    return Case.objects.get(pk=case.pk)
