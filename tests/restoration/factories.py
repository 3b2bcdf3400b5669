"""Signed agreements with the terms a test needs, and restoration projects walked to a given
state, all through the real services (never by setting states)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Department
from accounts.roles import Role
from negotiation import services as negotiation_services
from negotiation.models import Instalment, PaymentTerm, RestorationTerm
from restoration import services
from restoration.models import AlternativeProject, RestorationProject
from tests.factories import DepartmentFactory, UserFactory
from tests.negotiation.factories import Desk, complete_draft, desk, in_progress, meet, pdf

__all__ = ["D", "Desk", "agreement_with", "desk", "finance_for", "pdf", "walk"]

D = datetime.date
SIGNED_ON = D(2026, 10, 25)


@dataclass
class Finance:
    department: Department
    user: object


def finance_for(d: Desk) -> Finance:
    """The same-level finance department (a department of kind 财政 of the same jurisdiction)
    with one finance user."""
    department = DepartmentFactory(jurisdiction=d.department.jurisdiction,
                                   kind=Department.Kind.FINANCE, name="测试财政局")
    return Finance(department=department,
                   user=UserFactory(department=department, role=Role.FINANCE))


def agreement_with(d: Desk, *, restoration=None, payments=None, deposit=None, early=None,
                   **case_fields):
    """A signed agreement (through negotiation.services) with the given terms.

    restoration: list of dicts for RestorationTerm (default: one third-party term);
    payments: list of dicts for PaymentTerm, with an optional "instalments" list of
    (amount, due_on); deposit: the agreed deposit; early: a callable(negotiation) run before
    drafting (e.g. to allow early restoration and open its project)."""
    negotiation = in_progress(d, **case_fields)
    meet(negotiation, d, D(2026, 10, 20))
    if early is not None:
        early(negotiation)
    agreement = complete_draft(negotiation, d, signed_on=SIGNED_ON)
    first = agreement.obligors.order_by("id").first()
    if restoration is not None:
        agreement.restoration_terms.all().delete()
        for fields in restoration:
            RestorationTerm.objects.create(agreement=agreement, **fields)
    if payments is not None:
        agreement.payment_terms.all().delete()
        for fields in payments:
            fields = dict(fields)
            instalments = fields.pop("instalments", ())
            fields.setdefault("obligor", first)
            term = PaymentTerm.objects.create(agreement=agreement, **fields)
            for sequence, (amount, due_on) in enumerate(instalments, start=1):
                Instalment.objects.create(term=term, sequence=sequence, amount=Decimal(amount),
                                          due_on=due_on)
    if deposit is not None:
        agreement.deposit_amount = Decimal(deposit)
        agreement.save()
    return negotiation_services.sign_agreement(agreement, by=d.officer)


def library_project(d: Desk, **fields) -> AlternativeProject:
    values = {"jurisdiction": d.department.jurisdiction, "department": d.department,
              "name": "汾河滩涂湿地补植", "place": "汾河小店段", "kind": "wetland",
              "budget": Decimal("500000.00"), "capacity": Decimal("100"),
              "capacity_unit": "亩", "created_by": d.officer}
    values.update(fields)
    return AlternativeProject.objects.create(**values)


STEPS = ["plan_drafted", "reviewed", "filed", "in_progress", "completed", "assessing", "passed"]


def walk(project: RestorationProject, d: Desk, to: str) -> RestorationProject:
    """Walk a project through the services up to state `to` (dates within the last week of
    October 2026, the agreement being signed on 25 October)."""
    officer = d.officer
    target = STEPS.index(to)
    project = RestorationProject.objects.get(pk=project.pk)
    if project.mode == "third_party" and project.executor_id is None:
        services.set_executor(project, name="山西某生态修复有限公司",
                              credit_code=_code(), by=officer)
    if project.state == "planning":
        project = services.record_plan(project, summary="清淤、底泥处置及水生植物恢复",
                                       drafted_on=D(2026, 10, 26), plan_file=pdf("方案.pdf"),
                                       by=officer)
    if target >= 1 and project.state == "plan_drafted" and project.mode not in (
            "labour", "carbon_sink"):
        project = services.record_review(project, reviewed_on=D(2026, 10, 27),
                                         experts="王某、李某、赵某", opinion="方案可行，同意实施。",
                                         by=officer)
    if target >= 2 and project.state in ("plan_drafted", "reviewed"):
        project = services.file_plan(project, filed_on=D(2026, 10, 28),
                                     filing_number="晋环修备〔2026〕12号", by=officer)
    if target >= 3 and project.state == "filed":
        project = services.start_restoration(project, started_on=D(2026, 10, 29), by=officer)
    if target >= 4 and project.state == "in_progress":
        project = services.report_completion(project, reported_on=D(2026, 10, 31),
                                             note="清淤完成，水生植物已栽种。", by=officer)
    if target >= 5 and project.state == "completed":
        services.start_assessment(project, assessor="山西省环境科学研究院",
                                  started_on=D(2026, 11, 1), by=officer)
        project.refresh_from_db()
    if target >= 6 and project.state == "assessing":
        project = services.conclude_assessment(project, passed=True, concluded_on=D(2026, 11, 2),
                                               conclusion="各项指标达到修复目标。",
                                               report=pdf("评估报告.pdf"), by=officer)
    return RestorationProject.objects.get(pk=project.pk)


def _code() -> str:
    from parties.validators import credit_code_check_char, organisation_code_check_char

    body = "MA0TRT01"
    first17 = f"91140100{body}{organisation_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)
