"""The party pages as the roles use them: who may list, open, register and correct parties
(403 for a role without the permission, the login page for an anonymous visitor); the ID
number masked everywhere except the detail page for those allowed to see it; the form's
Chinese errors next to the field with the input kept and nothing saved; search and the
look-up endpoint for select widgets."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parties.models import Party
from tests.parties.factories import (
    OrganisationFactory,
    PersonFactory,
    make_credit_code,
    make_id_number,
)
from workflow.audit import history
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = reverse("parties:party_list")
CREATE = reverse("parties:party_create")
LOOKUP = reverse("parties:party_lookup")
CODE = make_credit_code("00012345")
ID = make_id_number(region="140105", born="19850615", seq="123")
MASKED_ID = f"{ID[:4]}**********{ID[-4:]}"

ROLES = ("jingban", "chuzhang", "juzhang", "qiantou", "jiancha", "caizheng", "admin")
# username -> (view, add, change, full ID number)
MAY = {
    "jingban": (True, True, True, True),  # officer
    "chuzhang": (True, False, False, True),  # division head
    "juzhang": (True, False, False, True),  # department head
    "qiantou": (True, False, False, False),  # coordinator
    "jiancha": (True, False, False, False),  # procuratorate liaison
    "caizheng": (False, False, False, False),  # finance
    "admin": (True, False, True, True),  # administrator
}


@pytest.fixture
def org(demo_org):
    return OrganisationFactory(name="晋阳化工有限公司", credit_code=CODE,
                               created_by=demo_org.by_username["jingban"])


@pytest.fixture
def person(demo_org):
    return PersonFactory(name="赵某", id_number=ID, work_unit="某运输队",
                         created_by=demo_org.by_username["jingban"])


def login(client, demo_org, username):
    client.force_login(demo_org.by_username[username])
    return demo_org.by_username[username]


def field_error(response, field) -> str | None:
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else None


def org_data(**overrides):
    data = {
        "kind": "organisation", "name": "汾河煤业有限公司", "credit_code": CODE,
        "legal_representative": "王某", "representative_title": "董事长",
        "id_number": "", "work_unit": "", "address": "太原市小店区某路1号",
        "phone": "0351-1234567", "note": "",
    }
    data.update(overrides)
    return data


def person_data(**overrides):
    data = {
        "kind": "person", "name": "钱某", "credit_code": "", "legal_representative": "",
        "representative_title": "", "id_number": ID, "work_unit": "个体运输户",
        "address": "太原市迎泽区某街2号", "phone": "", "note": "",
    }
    data.update(overrides)
    return data


# --- who may do what ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, org):
    for url in (LIST, CREATE, LOOKUP + "?q=91", org.get_absolute_url(),
                reverse("parties:party_edit", args=[org.pk])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    assert client.post(CREATE, org_data()).status_code == 302
    assert not Party.objects.exclude(pk=org.pk).exists()


@pytest.mark.parametrize("username", ROLES)
def test_each_role_gets_its_pages_or_403(client, demo_org, org, username):
    login(client, demo_org, username)
    view, add, change, _full = MAY[username]
    expect = {
        LIST: view,
        org.get_absolute_url(): view,
        LOOKUP + "?q=91": view,
        CREATE: add,
        reverse("parties:party_edit", args=[org.pk]): change,
    }
    for url, allowed in expect.items():
        assert client.get(url).status_code == (200 if allowed else 403), url


@pytest.mark.parametrize("username", [u for u in ROLES if not MAY[u][1]])
def test_a_role_without_add_cannot_register_by_post(client, demo_org, username):
    login(client, demo_org, username)
    assert client.post(CREATE, org_data()).status_code == 403
    assert not Party.objects.exists()


@pytest.mark.parametrize("username", [u for u in ROLES if not MAY[u][2]])
def test_a_role_without_change_cannot_edit_by_post(client, demo_org, org, username):
    login(client, demo_org, username)
    response = client.post(reverse("parties:party_edit", args=[org.pk]),
                           org_data(credit_code=CODE, name="改名"))
    assert response.status_code == 403
    assert Party.objects.get(pk=org.pk).name == "晋阳化工有限公司"


def test_the_navigation_links_the_registry_for_who_may_view_it(client, demo_org):
    login(client, demo_org, "jingban")
    assert f'href="{LIST}">当事人</a>' in client.get(reverse("home")).content.decode()
    login(client, demo_org, "caizheng")
    assert f'href="{LIST}"' not in client.get(reverse("home")).content.decode()


def test_an_unknown_party_is_404(client, demo_org):
    login(client, demo_org, "jingban")
    assert client.get(reverse("parties:party_detail", args=[999_999])).status_code == 404
    assert client.get(reverse("parties:party_edit", args=[999_999])).status_code == 404


# --- the ID number is personal data ---------------------------------------------------------


@pytest.mark.parametrize("username", [u for u in ROLES if MAY[u][0]])
def test_lists_and_lookups_always_mask_the_id_number(client, demo_org, person, username):
    login(client, demo_org, username)
    page = client.get(LIST).content.decode()
    assert MASKED_ID in page and ID not in page
    found = client.get(LOOKUP, {"q": "赵"}).json()["results"]
    assert [r["code"] for r in found] == [MASKED_ID]
    assert ID not in json.dumps(found)


@pytest.mark.parametrize("username", [u for u in ROLES if MAY[u][0]])
def test_the_detail_page_shows_the_full_number_only_with_the_permission(
        client, demo_org, person, username):
    login(client, demo_org, username)
    page = client.get(person.get_absolute_url()).content.decode()
    if MAY[username][3]:
        assert ID in page
    else:
        assert ID not in page
        assert MASKED_ID in page and "已隐去部分号码" in page


def test_the_timeline_masks_a_changed_id_number_too(client, demo_org, person):
    login(client, demo_org, "jingban")
    new_id = make_id_number(region="140106", born="19850615", seq="124")
    response = client.post(reverse("parties:party_edit", args=[person.pk]),
                           person_data(name="赵某", id_number=new_id, work_unit="某运输队"))
    assert response.status_code == 302
    assert history(person).first().changes["id_number"]["new"] == new_id

    page = client.get(person.get_absolute_url()).content.decode()
    assert f"身份证号码：{ID} → {new_id}" in page

    login(client, demo_org, "qiantou")
    page = client.get(person.get_absolute_url()).content.decode()
    assert ID not in page and new_id not in page
    assert f"身份证号码：{MASKED_ID} → {new_id[:4]}**********{new_id[-4:]}" in page


def test_who_may_not_see_the_number_may_not_change_it(client, demo_org, person):
    """An editor without parties.view_full_identity gets the form without the number and
    the kind; what they post for them is ignored."""
    editor = demo_org.by_username["jingban"]
    # an account that may view and change parties, but not see the full ID number
    editor.groups.clear()
    editor.user_permissions.set(Permission.objects.filter(
        content_type__app_label="parties",
        codename__in=["view_party", "change_party"]))
    editor = type(editor).objects.get(pk=editor.pk)  # no permission cache
    client.force_login(editor)
    edit = reverse("parties:party_edit", args=[person.pk])
    page = client.get(edit).content.decode()
    assert ID not in page and MASKED_ID in page
    assert 'name="id_number"' not in page and 'name="kind"' not in page
    other_id = make_id_number(seq="999")
    response = client.post(edit, person_data(name="赵某", id_number=other_id,
                                             kind="organisation", address="新地址"))
    assert response.status_code == 302
    fresh = Party.objects.get(pk=person.pk)
    assert fresh.id_number == ID and fresh.kind == "person" and fresh.address == "新地址"


# --- registering and correcting ---------------------------------------------------------


def test_registering_an_organisation(client, demo_org):
    officer = login(client, demo_org, "jingban")
    typed = " ".join([CODE[:8], CODE[8:]]).lower()
    response = client.post(CREATE, org_data(credit_code=typed, work_unit="（单位不填）"))
    party = Party.objects.get()
    assert response.status_code == 302 and response.url == party.get_absolute_url()
    assert party.kind == "organisation" and party.credit_code == CODE
    assert party.created_by == officer and party.work_unit == ""
    event = history(party).get()
    assert event.action == AuditEvent.Action.CREATE and event.actor == officer
    page = client.get(response.url).content.decode()
    assert "当事人“汾河煤业有限公司”已登记。" in page and CODE in page


def test_registering_a_person_with_a_lower_case_x(client, demo_org):
    login(client, demo_org, "jingban")
    x_id = next(make_id_number(seq=f"{n:03d}") for n in range(1000)
                if make_id_number(seq=f"{n:03d}").endswith("X"))
    response = client.post(CREATE, person_data(id_number=x_id.lower(),
                                                legal_representative="（自然人不填）"))
    assert response.status_code == 302
    party = Party.objects.get()
    assert party.id_number == x_id and party.legal_representative == ""


WRONG_CODE = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")


@pytest.mark.parametrize(("data", "field", "message"), [
    (org_data(credit_code=WRONG_CODE), "credit_code",
     f"统一社会信用代码第18位（校验码）应为“{CODE[-1]}”，实为“{WRONG_CODE[-1]}”。请逐位核对代码。"),
    (org_data(credit_code="9114O1000001234512"), "credit_code",
     "第5位“O”不是统一社会信用代码允许的字符（不使用字母I、O、Z、S、V）。"),
    (org_data(credit_code=CODE[:-1]), "credit_code", "统一社会信用代码应为18位，实为17位。"),
    (org_data(credit_code=""), "credit_code", "请填写统一社会信用代码。"),
    (org_data(id_number=ID), "id_number", "单位不填写身份证号码。"),
    (org_data(name=""), "name", "请填写名称或姓名。"),
    (org_data(kind=""), "kind", "请选择当事人类型。"),
    (person_data(id_number=ID[:-1] + ("1" if ID[-1] != "1" else "2")), "id_number",
     f"身份证号码第18位（校验码）应为“{ID[-1]}”，实为“{'1' if ID[-1] != '1' else '2'}”。请逐位核对号码。"),
    (person_data(id_number="140105198502301230"), "id_number",
     "身份证号码第7至14位（出生日期）“19850230”不是有效日期。"),
    (person_data(id_number="14010519850615123"), "id_number", "身份证号码应为18位，实为17位。"),
    (person_data(credit_code=CODE), "credit_code",
     "自然人不填写统一社会信用代码；个体工商户请按单位登记。"),
])
def test_an_invalid_party_is_not_saved_and_the_error_is_next_to_the_field(
        client, demo_org, data, field, message):
    login(client, demo_org, "jingban")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert field_error(response, field) == message
    page = response.content.decode()
    assert re.search(rf'name="{field}"[^>]*class="[^"]*is-invalid', page) or \
        re.search(rf'class="[^"]*is-invalid[^"]*"[^>]*name="{field}"', page), "not marked"
    assert "请修改下列标红的内容后再保存；已填写的内容已保留。" in page
    for name in ("name", "credit_code", "id_number", "address", "work_unit"):
        if data[name]:
            assert f'value="{data[name]}"' in page, name  # what the user typed is kept
    assert not Party.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_code_already_registered_is_refused_with_a_link_to_the_party(client, demo_org, org,
                                                                        person):
    login(client, demo_org, "jingban")
    response = client.post(CREATE, org_data(credit_code=CODE.lower(), name="另一个名字"))
    assert response.status_code == 200
    assert field_error(response, "credit_code") == (
        "该统一社会信用代码已登记为当事人“晋阳化工有限公司”，同一代码即同一当事人，请勿重复登记。")
    assert f'href="{org.get_absolute_url()}">晋阳化工有限公司</a>' in response.content.decode()

    response = client.post(CREATE, person_data(id_number=ID))
    assert field_error(response, "id_number") == (
        "该身份证号码已登记为当事人“赵某”，同一代码即同一当事人，请勿重复登记。")
    assert Party.objects.count() == 2


def test_editing_records_old_to_new(client, demo_org, org):
    login(client, demo_org, "admin")
    edit = reverse("parties:party_edit", args=[org.pk])
    assert "修改当事人 晋阳化工有限公司" in client.get(edit).content.decode()
    response = client.post(edit, org_data(name="晋阳化工有限公司", address="太原市小店区新址8号",
                                          legal_representative="王某",
                                          representative_title="董事长", phone=""))
    assert response.status_code == 302
    event = history(org).first()
    assert event.action == AuditEvent.Action.UPDATE and event.actor_name == "周强"
    assert event.changes["address"]["new"] == "太原市小店区新址8号"
    page = client.get(org.get_absolute_url()).content.decode()
    assert "当事人信息已保存。" in page and "住所地：" in page


def test_editing_keeps_its_own_code_and_unchanged_form_writes_nothing(client, demo_org, org):
    login(client, demo_org, "jingban")
    events = history(org).count()
    data = org_data(name=org.name, legal_representative=org.legal_representative,
                    representative_title=org.representative_title, address=org.address,
                    phone=org.phone)
    response = client.post(reverse("parties:party_edit", args=[org.pk]), data)
    assert response.status_code == 302  # its own code is not a duplicate of itself
    assert history(org).count() == events


def test_an_edit_to_another_partys_code_is_refused(client, demo_org, org):
    other = OrganisationFactory(credit_code=make_credit_code("00054321"),
                                created_by=demo_org.by_username["jingban"])
    login(client, demo_org, "jingban")
    response = client.post(reverse("parties:party_edit", args=[other.pk]),
                           org_data(name=other.name, credit_code=CODE))
    assert response.status_code == 200
    assert "已登记为当事人“晋阳化工有限公司”" in field_error(response, "credit_code")
    assert Party.objects.get(pk=other.pk).credit_code != CODE


# --- list and search ------------------------------------------------------------------------


ROW = re.compile(r'<a href="/parties/(\d+)/">([^<]+)</a>')


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [name for _pk, name in ROW.findall(response.content.decode())]


@pytest.fixture
def registry(demo_org, org, person):
    by = demo_org.by_username["jingban"]
    return {
        "org": org,
        "person": person,
        "coal": OrganisationFactory(name="汾河煤业有限公司", created_by=by,
                                    credit_code=make_credit_code("00099999", "91140105")),
        "tcl": OrganisationFactory(name="TCL某某科技有限公司", created_by=by,
                                   credit_code=make_credit_code("00077777", "91440300")),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"晋阳化工有限公司", "赵某", "汾河煤业有限公司", "TCL某某科技有限公司"}),
    ({"q": "晋阳"}, {"晋阳化工有限公司"}),
    ({"q": "化工"}, set()),  # name prefix only
    ({"q": "TCL"}, {"TCL某某科技有限公司"}),
    ({"q": CODE}, {"晋阳化工有限公司"}),
    ({"q": CODE.lower()}, {"晋阳化工有限公司"}),
    ({"q": "91140105"}, {"汾河煤业有限公司"}),  # credit-code prefix
    ({"q": "9114"}, {"晋阳化工有限公司", "汾河煤业有限公司"}),
    ({"q": ID}, {"赵某"}),  # the complete ID number
    ({"q": ID[:12]}, set()),  # never a partial ID number
    ({"kind": "person"}, {"赵某"}),
    ({"kind": "organisation", "q": "汾"}, {"汾河煤业有限公司"}),
])
def test_search_finds_by_name_prefix_or_code(client, demo_org, registry, query, expected):
    login(client, demo_org, "qiantou")
    assert set(listed(client.get(LIST, query))) == expected


def test_search_keeps_its_values_and_says_when_nothing_matches(client, demo_org, registry):
    login(client, demo_org, "jingban")
    page = client.get(LIST, {"q": "无此单位", "kind": "person"}).content.decode()
    assert 'value="无此单位"' in page and '<option value="person" selected>' in page
    assert "没有符合条件的当事人。" in page


def test_the_list_is_keyset_paginated_newest_first(client, demo_org, registry, settings):
    settings.ECOCLAIM_PAGE_SIZE = 3
    login(client, demo_org, "jingban")
    first = client.get(LIST)
    assert listed(first) == ["TCL某某科技有限公司", "汾河煤业有限公司", "赵某"]
    cursor = re.search(r'after=([\w-]+)"', first.content.decode()).group(1)
    assert listed(client.get(LIST, {"after": cursor})) == ["晋阳化工有限公司"]
    assert client.get(LIST, {"after": "garbage"}).status_code == 200

    # the number of queries does not depend on the number of rows
    settings.ECOCLAIM_PAGE_SIZE = 25
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    OrganisationFactory.create_batch(12, created_by=demo_org.by_username["jingban"])
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get(LIST))) == 16
    assert len(many) == len(few)


# --- the look-up endpoint -----------------------------------------------------------------------


def test_lookup_returns_names_and_public_codes(client, demo_org, registry):
    login(client, demo_org, "jiancha")
    response = client.get(LOOKUP, {"q": "晋阳"})
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"results": [{
        "id": registry["org"].pk, "text": f"晋阳化工有限公司（{CODE}）", "name": "晋阳化工有限公司",
        "kind": "organisation", "kind_label": "单位", "code": CODE}]}

    found = client.get(LOOKUP, {"q": ID}).json()["results"]
    assert [(r["name"], r["code"], r["text"]) for r in found] == [
        ("赵某", MASKED_ID, f"赵某（{MASKED_ID}）")]
    assert set(found[0]) == {"id", "text", "name", "kind", "kind_label", "code"}


def test_lookup_filters_and_limits(client, demo_org, registry):
    login(client, demo_org, "jingban")
    assert client.get(LOOKUP).json() == {"results": []}
    assert client.get(LOOKUP, {"q": "  "}).json() == {"results": []}
    assert [r["name"] for r in client.get(LOOKUP, {"q": "9114", "kind": "person"}).json()[
        "results"]] == []
    by = demo_org.by_username["jingban"]
    for n in range(25):
        OrganisationFactory(name=f"晋阳分公司{n:02d}", created_by=by)
    results = client.get(LOOKUP, {"q": "晋阳"}).json()["results"]
    assert len(results) == 20


def test_lookup_is_get_only(client, demo_org):
    login(client, demo_org, "jingban")
    assert client.post(LOOKUP, {"q": "晋"}).status_code == 405
