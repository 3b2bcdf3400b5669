import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import Department, Jurisdiction, User
from accounts.roles import Role, group_name
from rules.models import RuleSet
from screening.models import Clue, SourceChannel
from screening.services import register_clue

PASSWORD = "Test-Passw0rd!"


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    name = factory.Sequence(lambda n: f"测试市{n}")
    code = factory.Sequence(lambda n: f"9{n:05d}")
    level = Jurisdiction.Level.CITY
    rule_set = factory.LazyFunction(lambda: RuleSet.objects.get(code="SX"))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = Department.Kind.ECOLOGY
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    is_lead = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            self.groups.add(Group.objects.get(name=group_name(Role(extracted))))


class ClueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clue

    department = factory.SubFactory(DepartmentFactory)
    jurisdiction = factory.SelfAttribute("department.jurisdiction")
    channel = factory.LazyFunction(lambda: SourceChannel.objects.get(code="supervision"))
    found_on = factory.LazyFunction(lambda: datetime.date(2026, 9, 1))
    registered_on = factory.LazyFunction(lambda: datetime.date(2026, 9, 3))
    summary = "某企业超标排放废水，下游河段受污染。"
    damage_type = Clue.DamageType.WATER
    estimated_amount = Decimal("2800.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        by = kwargs.pop("registered_by", None) or UserFactory(department=kwargs["department"])
        participants = kwargs.pop("participants", ())
        if kwargs["channel"].is_procuratorate_referral and not kwargs.get(
                "referring_procuratorate"):
            # SX 第八条: a referred clue names its procuratorate
            kwargs["referring_procuratorate"] = DepartmentFactory(
                kind=Department.Kind.PROCURATORATE,
                jurisdiction=kwargs["department"].jurisdiction)
        return register_clue(model_class(*args, **kwargs), by=by, participants=participants)
