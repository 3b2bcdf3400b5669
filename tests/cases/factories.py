"""A small Case factory for the classification and ledger tests: a case built directly (not
through a clue), judged under the profile its jurisdiction had in force on `found_on`."""

import datetime
from decimal import Decimal

import factory

from accounts.roles import Role
from cases.models import Case
from rules.models import RuleSet
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    class Params:
        found_on = datetime.date(2026, 9, 1)

    number = factory.Sequence(lambda n: f"TST-2026-SP{n:04d}")
    department = factory.SubFactory(DepartmentFactory)
    jurisdiction = factory.SelfAttribute("department.jurisdiction")
    rule_profile = factory.LazyAttribute(lambda o: o.jurisdiction.rule_profile_on(o.found_on))
    source = "日常监管、执法巡查发现"
    cause = "某企业超标排放废水致下游河段生态环境损害"
    summary = "经初步核查存在生态环境损害，启动索赔。"
    opened_on = datetime.date(2026, 9, 10)
    created_by = factory.SubFactory(UserFactory, department=factory.SelfAttribute("..department"),
                                    role=Role.OFFICER)


def case_under(code: str, amount: str | None = None, *, appraised: str | None = None,
               fees: str | None = None, **fields) -> Case:
    """A case in a new jurisdiction of rule set `code` (CQ, SX, NT) with the given amounts."""
    if "department" not in fields:
        jurisdiction = JurisdictionFactory(rule_set=RuleSet.objects.get(code=code))
        fields["department"] = DepartmentFactory(jurisdiction=jurisdiction)
    return CaseFactory(
        estimated_amount=Decimal(amount) if amount is not None else None,
        appraised_amount=Decimal(appraised) if appraised is not None else None,
        fees_amount=Decimal(fees) if fees is not None else None, **fields)
