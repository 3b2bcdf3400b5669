"""Cases, institutions and experts for the appraisal tests (tests/cases/test_appraisal.py).

A case is created in 索赔启动登记 and walked to 调查中 through the transitions (submit_initiation
by the officer, approve_initiation by the department head), so that the investigation period
opens as it does in the application; call it inside time_machine.travel to fix the day."""

import datetime
import itertools

import factory

from accounts.roles import Role
from cases.models import AppraisalInstitution, Case, CaseObligor, Expert
from rules.models import RuleSet
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import OrganisationFactory, make_credit_code
from workflow.transitions import perform

_numbers = itertools.count(1)


class AppraisalOrg:
    """A jurisdiction under rule set `code`, one handling department with an officer, a
    division head and a department head."""

    def __init__(self, code: str = "SX"):
        self.code = code
        self.jurisdiction = JurisdictionFactory(rule_set=RuleSet.objects.get(code=code))
        self.department = DepartmentFactory(jurisdiction=self.jurisdiction)
        self.officer = UserFactory(department=self.department, role=Role.OFFICER)
        self.division_head = UserFactory(department=self.department, role=Role.DIVISION_HEAD)
        self.department_head = UserFactory(department=self.department, role=Role.DEPARTMENT_HEAD)


def make_case(org: AppraisalOrg, *, classification: str = "", obligor=None,
              investigating: bool = True, **fields) -> Case:
    """A case of `org` found on 2026-03-01, in 调查中 (investigation started today)."""
    jurisdiction = org.jurisdiction
    case = Case.objects.create(
        number=f"{jurisdiction.code}-2026-AP{next(_numbers):04d}",
        jurisdiction=jurisdiction, department=org.department,
        rule_profile=jurisdiction.rule_profile_on(datetime.date(2026, 3, 1)),
        source="日常监管、执法巡查发现的", cause="某化工企业超标排放废水造成河段水体污染",
        summary="经初步核查，下游河段水体受到损害，应当启动索赔。", created_by=org.officer,
        classification=classification, **fields)
    CaseObligor.objects.create(case=case, party=obligor or OrganisationFactory(
        name="山西某化工有限公司", created_by=org.officer))
    if investigating:
        case = perform(case, "submit_initiation", by=org.officer)
        case = perform(case, "approve_initiation", by=org.department_head)
    return case


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppraisalInstitution

    name = factory.Sequence(lambda n: f"山西某环境损害司法鉴定所{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(f"{n + 50_000:08d}", "52140000"))
    qualification = AppraisalInstitution.Qualification.JUDICIAL
    qualification_number = factory.Sequence(lambda n: f"司法鉴定许可证 14{n:04d}")
    fields_covered = "地表水与沉积物；土壤与地下水"
    active = True


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"专家{n}")
    field = "水环境"
    organisation = factory.Sequence(lambda n: f"某大学环境学院{n}")
    pool = Expert.Pool.PROVINCIAL
    phone = "0351-0000000"
    active = True
