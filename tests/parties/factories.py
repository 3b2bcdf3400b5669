"""Parties for tests. The codes are made up but valid: their check characters are computed
(GB 32100-2015 for credit codes, GB 11643-1999 for ID numbers), so no real person's ID number
appears in the suite."""

import factory

from parties.models import Party
from parties.validators import (
    credit_code_check_char,
    id_number_check_char,
    organisation_code_check_char,
)
from tests.factories import UserFactory


def make_credit_code(body: str, prefix: str = "91140100") -> str:
    """A valid 统一社会信用代码 from the registration/region prefix (8) and the organisation
    code body (8): both check characters computed."""
    first17 = prefix + body + organisation_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def make_id_number(region: str = "140105", born: str = "19800101", seq: str = "123") -> str:
    first17 = region + born + seq
    return first17 + id_number_check_char(first17)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = Party.Kind.ORGANISATION
    name = factory.Sequence(lambda n: f"测试化工有限公司{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(f"{n + 10_000:08d}"))
    legal_representative = "王某"
    representative_title = "董事长"
    address = "太原市小店区某路1号"
    created_by = factory.SubFactory(UserFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = Party.Kind.PERSON
    name = factory.Sequence(lambda n: f"李某{n}")
    id_number = factory.Sequence(lambda n: make_id_number(seq=f"{n % 1000:03d}",
                                                          born=f"{1960 + n // 1000}0101"))
    work_unit = "个体经营"
    address = "太原市迎泽区某街2号"
    created_by = factory.SubFactory(UserFactory)
