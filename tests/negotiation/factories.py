"""Cases ready to negotiate, and negotiations brought to a given point through the services
(never by setting states), so the tests exercise the same path as the officer's pages."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from cases.models import Case, CaseObligor, Investigation
from negotiation import services
from negotiation.models import Agreement, Meeting, Negotiation, PaymentTerm, RestorationTerm
from rules.models import RuleSet
from tests.cases.factories import CaseFactory
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import OrganisationFactory


def pdf(name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


@dataclass
class Desk:
    """A department of rule set `code` with its officer and heads."""

    officer: object
    division_head: object
    department_head: object
    department: object


def desk(code: str = "SX") -> Desk:
    jurisdiction = JurisdictionFactory(rule_set=RuleSet.objects.get(code=code))
    department = DepartmentFactory(jurisdiction=jurisdiction)
    return Desk(
        officer=UserFactory(department=department, role=Role.OFFICER),
        division_head=UserFactory(department=department, role=Role.DIVISION_HEAD),
        department_head=UserFactory(department=department, role=Role.DEPARTMENT_HEAD),
        department=department,
    )


def concluded_case(d: Desk, *, obligors: int = 2, **fields) -> Case:
    """A case whose investigation is concluded, with `obligors` obligors."""
    case = CaseFactory(department=d.department, created_by=d.officer, stage="concluded",
                       appraised_amount=Decimal("1230000"), **fields)
    for _ in range(obligors):
        CaseObligor.objects.create(case=case, party=OrganisationFactory())
    Investigation.objects.create(case=case, damage_facts="排污致河段水生态受损。",
                                 legal_basis="《中华人民共和国民法典》第一千二百三十四条",
                                 suggestion="开展磋商")
    return case


def negotiating(d: Desk, **fields) -> Negotiation:
    from workflow.transitions import perform

    case = perform(concluded_case(d, **fields), "start_negotiation", by=d.officer)
    negotiation = case.negotiations.get()
    negotiation.plan_feasibility = "原位修复技术可行"
    negotiation.plan_cost = "修复费用约八十万元"
    negotiation.plan_obligor_capacity = "义务人经营正常，具备赔偿能力"
    negotiation.group_own = "生态环境局法规科"
    negotiation.first_meeting_at = datetime.datetime(2026, 10, 20, 9, 30,
                                                     tzinfo=datetime.UTC)
    negotiation.first_meeting_place = "生态环境局三楼会议室"
    negotiation.reply_due = datetime.date(2026, 10, 15)
    negotiation.notice_issued_on = datetime.date(2026, 9, 28)
    negotiation.save()
    return services.issue_notice(negotiation, by=d.officer)


def served(d: Desk, on=datetime.date(2026, 9, 30), **fields) -> Negotiation:
    negotiation = negotiating(d, **fields)
    for obligor in negotiation.obligors():
        services.record_service(negotiation, obligor=obligor, method="direct", attempted_on=on,
                                succeeded=True, recipient="张某", by=d.officer)
    return Negotiation.objects.get(pk=negotiation.pk)


def in_progress(d: Desk, **fields) -> Negotiation:
    negotiation = served(d, **fields)
    return services.record_reply(negotiation, reply="agreed",
                                 replied_on=datetime.date(2026, 10, 8), by=d.officer)


def meet(negotiation: Negotiation, d: Desk, on: datetime.date,
         attendance: str = Meeting.Attendance.IN_PERSON) -> Meeting:
    return services.record_meeting(
        negotiation, held_on=on, place="会议室", attendees="法规科、检察院", by=d.officer,
        obligor_attendance=attendance, minutes="就修复方案交换意见。",
        agent_name="李律师" if attendance == Meeting.Attendance.AGENT else "",
        agent_authorisation=pdf("auth.pdf") if attendance == Meeting.Attendance.AGENT else None)


def complete_draft(negotiation: Negotiation, d: Desk,
                   signed_on=datetime.date(2026, 10, 25)) -> Agreement:
    agreement = services.draft_agreement(negotiation, by=d.officer)
    agreement.evidence = "1. 监测报告"
    agreement.liability = "义务人承担全部赔偿责任"
    agreement.performance = "修复并缴纳服务功能损失"
    agreement.breach_liability = "逾期按日加收万分之五违约金"
    agreement.signed_on, agreement.signed_place = signed_on, "太原市"
    agreement.save()
    first = agreement.obligors.first()
    RestorationTerm.objects.create(agreement=agreement, item="河段底泥清淤", mode="third_party",
                                   target="水质恢复至III类", finish_by=datetime.date(2027, 6, 30))
    PaymentTerm.objects.create(agreement=agreement, obligor=first, kind="service_loss",
                               amount=Decimal("123000.00"), due_on=datetime.date(2026, 12, 31))
    return agreement


def signed(d: Desk, **fields) -> Agreement:
    negotiation = in_progress(d, **fields)
    meet(negotiation, d, datetime.date(2026, 10, 20))
    return services.sign_agreement(complete_draft(negotiation, d), by=d.officer)
