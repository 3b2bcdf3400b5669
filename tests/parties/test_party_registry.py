"""The same code is the same party (DOMAIN §6): the database refuses a second party with a
code already registered, whatever way the code was typed; find_or_create_party returns the
registered one, fills its blank fields and reports, without applying, what differs."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from parties.models import Party, PartyQuerySet
from parties.services import find_or_create_party, find_party
from tests.factories import UserFactory
from tests.parties.factories import (
    OrganisationFactory,
    PersonFactory,
    make_credit_code,
    make_id_number,
)
from workflow.audit import history
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

CODE = make_credit_code("00012345")
ID = make_id_number(born="19850615", seq="123")


@pytest.fixture
def user():
    return UserFactory()


# --- the database ---------------------------------------------------------------------


def test_a_second_party_with_the_same_credit_code_is_refused(user):
    OrganisationFactory(credit_code=CODE, created_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(credit_code=CODE, created_by=user)


def test_the_same_code_typed_differently_is_still_the_same(user):
    """Codes are normalised on save: spaces, full width and lower case do not make a second
    party."""
    person = PersonFactory(id_number=ID[:-1] + ID[-1].lower(), created_by=user)
    assert person.id_number == ID
    typed = " ".join(ID[:9]) + "\u3000" + ID[9:].lower()
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number=typed, created_by=user)


def test_a_second_person_with_the_same_id_number_is_refused(user):
    PersonFactory(id_number=ID, created_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number=ID, created_by=user)


def test_many_parties_without_the_other_code_are_fine(user):
    """"Unique when set": blank codes do not collide."""
    OrganisationFactory.create_batch(3, created_by=user)
    PersonFactory.create_batch(3, created_by=user)
    assert Party.objects.count() == 6


@pytest.mark.parametrize("fields", [
    {"kind": "organisation", "credit_code": ""},
    {"kind": "organisation", "credit_code": CODE, "id_number": ID},
    {"kind": "person", "id_number": ""},
    {"kind": "person", "id_number": ID, "credit_code": CODE},
    {"kind": "company", "credit_code": CODE},
    {"kind": "organisation", "credit_code": "ABC"},
    {"kind": "person", "id_number": "1234567890123456ZZ"},
])
def test_the_database_refuses_an_inconsistent_party(user, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Party(name="某单位", created_by=user, **fields).save()
    assert not Party.objects.exists()


def test_full_clean_says_what_is_wrong_in_chinese(user):
    party = Party(kind="organisation", name="某单位", created_by=user)
    with pytest.raises(ValidationError) as caught:
        party.full_clean()
    assert "单位须填写统一社会信用代码，且不填写身份证号码。" in caught.value.messages

    OrganisationFactory(credit_code=CODE, created_by=user)
    duplicate = Party(kind="organisation", name="另一单位", credit_code=CODE, created_by=user)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "该统一社会信用代码已登记，同一代码即同一当事人，请勿重复登记。" in caught.value.messages

    wrong = Party(kind="organisation", name="某单位", credit_code=CODE[:-1] + "0",
                  created_by=user)
    with pytest.raises(ValidationError) as caught:
        wrong.full_clean()
    assert caught.value.message_dict["credit_code"][0].startswith(
        "统一社会信用代码第18位（校验码）应为")


def test_masked_code_and_code_for(user):
    person = PersonFactory(id_number=ID, created_by=user)
    assert person.masked_code == f"{ID[:4]}**********{ID[-4:]}"
    org = OrganisationFactory(credit_code=CODE, created_by=user)
    assert org.masked_code == CODE  # a credit code is public


def test_by_code_and_search(user):
    org = OrganisationFactory(name="晋阳化工有限公司", credit_code=CODE, created_by=user)
    person = PersonFactory(name="赵某", id_number=ID, created_by=user)
    assert list(Party.objects.by_code(CODE.lower())) == [org]
    assert list(Party.objects.by_code(ID)) == [person]
    assert find_party(f" {CODE[:9]} {CODE[9:]} ") == org
    assert find_party("") is None
    assert list(Party.objects.search("晋阳")) == [org]
    assert list(Party.objects.search("阳化工")) == []  # a prefix, not a substring
    assert list(Party.objects.search(CODE[:10])) == [org]
    assert list(Party.objects.search(ID)) == [person]
    assert list(Party.objects.search(ID[:10])) == []  # no partial ID number search


# --- find_or_create_party -------------------------------------------------------------


def test_find_or_create_creates_once_then_finds(user):
    first = find_or_create_party(kind="organisation", name="晋阳化工有限公司", credit_code=CODE,
                                 by=user, legal_representative="王某", address="小店区某路1号")
    assert first.created and first.party.credit_code == CODE
    assert first.party.created_by == user
    assert first.party.legal_representative == "王某"

    again = find_or_create_party(kind="organisation", name="晋阳化工有限公司",
                                 credit_code=" " + CODE.lower(), by=UserFactory())
    assert not again.created
    assert again.party.pk == first.party.pk
    assert again.filled == [] and again.differences == []
    assert Party.objects.count() == 1


def test_find_or_create_fills_blank_fields_and_reports_differences(user):
    registered = OrganisationFactory(name="晋阳化工有限公司", credit_code=CODE, created_by=user,
                                     legal_representative="王某", address="", phone="")
    events = history(registered).count()

    match = find_or_create_party(
        kind="organisation", name="晋阳化工股份有限公司", credit_code=CODE, by=user,
        legal_representative="张某", address="小店区某路1号", phone="0351-1234567",
        work_unit="（自然人才有）")

    assert not match.created
    assert sorted(match.filled) == ["address", "phone"]
    assert [(d.field, d.stored, d.given) for d in match.differences] == [
        ("name", "晋阳化工有限公司", "晋阳化工股份有限公司"),
        ("legal_representative", "王某", "张某"),
    ]
    assert match.describe() == (
        "当事人“晋阳化工有限公司”已登记，名称或姓名登记为“晋阳化工有限公司”，本次为“晋阳化工股份有限公司”；"
        "法定代表人（负责人）登记为“王某”，本次为“张某”。未覆盖已登记的内容。")
    fresh = Party.objects.get(pk=registered.pk)
    assert fresh.name == "晋阳化工有限公司"  # never overwritten silently
    assert fresh.legal_representative == "王某"
    assert fresh.address == "小店区某路1号" and fresh.phone == "0351-1234567"
    assert fresh.work_unit == ""  # not a field of an organisation
    # the filling is on the audit trail
    assert history(registered).count() == events + 1
    event = history(registered).first()
    assert event.action == AuditEvent.Action.UPDATE
    assert set(event.changes) == {"address", "phone"}


def test_find_or_create_person(user):
    match = find_or_create_party(kind="person", name="赵某", id_number=ID.lower(), by=user,
                                 work_unit="某运输队")
    assert match.created and match.party.id_number == ID.upper()
    assert find_or_create_party(kind="person", name="赵某", id_number=ID, by=user).party == \
        match.party


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"kind": "organisation", "credit_code": CODE[:-1] + "0"}, "credit_code",
     f"统一社会信用代码第18位（校验码）应为“{CODE[-1]}”，实为“0”。请逐位核对代码。"),
    ({"kind": "organisation", "credit_code": ""}, "credit_code", "请填写统一社会信用代码。"),
    ({"kind": "organisation", "credit_code": CODE, "id_number": ID}, "id_number",
     "单位不填写身份证号码。"),
    ({"kind": "person", "id_number": ID, "credit_code": CODE}, "credit_code",
     "自然人不填写统一社会信用代码；个体工商户请按单位登记。"),
    ({"kind": "person", "id_number": "110105194902310023"}, "id_number",
     "身份证号码第7至14位（出生日期）“19490231”不是有效日期。"),
    ({"kind": "person", "id_number": ""}, "id_number", "请填写身份证号码。"),
    ({"kind": "other", "credit_code": CODE}, "kind", "当事人类型只能是单位或自然人。"),
    ({"kind": "organisation", "credit_code": CODE, "name": "  "}, "name", "请填写名称或姓名。"),
])
def test_find_or_create_refuses_invalid_input(user, kwargs, field, message):
    kwargs = {"name": "某某", **kwargs}
    with pytest.raises(ValidationError) as caught:
        find_or_create_party(by=user, **kwargs)
    assert caught.value.message_dict == {field: [message]}
    assert not Party.objects.exists()


def test_find_or_create_refuses_unknown_fields(user):
    with pytest.raises(TypeError):
        find_or_create_party(kind="organisation", name="某", credit_code=CODE, by=user,
                             shoe_size="42")


def test_find_or_create_when_someone_else_registers_it_meanwhile(user, monkeypatch):
    """The look-up finds nothing, but the insert meets the unique index: the party that is
    now registered is returned, not an error."""
    other = OrganisationFactory(name="晋阳化工有限公司", credit_code=CODE, created_by=user,
                                phone="")
    real_first = PartyQuerySet.first
    calls = []

    def first_misses_once(self):
        calls.append(1)
        return None if len(calls) == 1 else real_first(self)

    monkeypatch.setattr(PartyQuerySet, "first", first_misses_once)
    match = find_or_create_party(kind="organisation", name="晋阳化工有限公司", credit_code=CODE,
                                 by=user, phone="0351-7654321")
    assert not match.created and match.party.pk == other.pk
    assert match.filled == ["phone"]
    assert Party.objects.count() == 1


def test_the_demo_parties_load_twice_without_duplicates(demo_org):
    from parties import demo

    demo.load(demo_org)
    demo.load(demo_org)
    assert Party.objects.count() == len(demo.ORGANISATIONS) + len(demo.PERSONS)
    for party in Party.objects.all():
        party.full_clean()  # valid codes, consistent kinds
