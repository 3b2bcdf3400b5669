"""Who sees and may act on which clue (DOMAIN §1; accounts/scoping.py).

The demo organisation (city 140100, districts 小店区 and 迎泽区) holds one clue in each of:
the lead department, a non-lead city department (市水务局), the same kind of department one
level down (小店区水利局), the district lead (小店区生态环境分局), the other district's lead,
a department of an unrelated jurisdiction, and a 市林业局 clue the procuratorate takes part in.
Every role's list page and detail pages are checked against the matrix below, denials
included: a clue outside the scope is a 404 exactly like a clue that does not exist, a role
without the permission gets 403, an anonymous visitor is sent to the login page."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Department
from accounts.roles import Role
from screening.models import Clue, SourceChannel
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from workflow.models import Attachment, AuditEvent, NumberSequence

pytestmark = pytest.mark.django_db

ALL = ("lead", "water_city", "water_district", "district_lead", "other_district", "unrelated",
       "forestry_joint")
CITY_WIDE = {"lead", "water_city", "water_district", "district_lead", "other_district",
             "forestry_joint"}

# username -> the clues whose list row and detail page that user gets.
VISIBLE = {
    # lead department (市生态环境局): the whole city and the districts below it
    "jingban": CITY_WIDE,
    "chuzhang": CITY_WIDE,
    "juzhang": CITY_WIDE,
    "qiantou": CITY_WIDE,
    # 市水务局: its own clues and the water departments below it (its 系统), nothing else
    "shuiwu": {"water_city", "water_district"},
    # district lead: its own district only
    "xiaodian": {"water_district", "district_lead"},
    # procuratorate liaison: only the clue it takes part in
    "jiancha": {"forestry_joint"},
}

# username -> the clues that user may act on (edit, attach, transition): own department's
# and joint ones only; the lead department's wider view is for coordination.
WORKABLE_OFFICERS = {
    "jingban": {"lead"},
    "shuiwu": {"water_city"},
    "xiaodian": {"district_lead"},
}

ROW = re.compile(r'<a href="/screening/clues/(\d+)/">([^<]+)</a>')


def listed_numbers(response) -> set[str]:
    assert response.status_code == 200
    return {number for _pk, number in ROW.findall(response.content.decode())}


@pytest.fixture
def clues(demo_org):
    d = demo_org.departments
    unrelated = DepartmentFactory(
        name="外市水利局", kind=Department.Kind.WATER, is_lead=True,
        jurisdiction=JurisdictionFactory(name="外市人民政府"))
    return {
        "lead": ClueFactory(department=d["市生态环境局"]),
        "water_city": ClueFactory(department=d["市水务局"]),
        "water_district": ClueFactory(department=d["小店区水利局"]),
        "district_lead": ClueFactory(department=d["小店区生态环境分局"]),
        "other_district": ClueFactory(department=d["迎泽区生态环境分局"]),
        "unrelated": ClueFactory(department=unrelated),
        "forestry_joint": ClueFactory(department=d["市林业局"], participants=[d["市检察院"]]),
    }


def detail(pk):
    return reverse("screening:clue_detail", args=[pk])


def form_data(**overrides):
    data = {
        "channel": SourceChannel.objects.get(code="supervision").pk,
        "found_on": "2026-11-01",
        "registered_on": "2026-11-02",
        "source_organisation": "",
        "source_reference": "",
        "summary": "某企业向河道排放含油废水，下游约一公里水面可见油膜。",
        "place": "",
        "place_detail": "汾河某段",
        "damage_type": Clue.DamageType.WATER,
        "estimated_amount": "2800.00",
        "rectification": Clue.Rectification.UNKNOWN,
    }
    data.update(overrides)
    return data


# --- list and detail: what each user sees -------------------------------------------------


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_list_page_shows_exactly_the_clues_in_scope(client, demo_org, clues, username):
    client.force_login(demo_org.by_username[username])
    shown = listed_numbers(client.get(reverse("screening:clue_list")))
    assert shown == {clues[k].number for k in VISIBLE[username]}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_detail_pages_open_in_scope_and_are_404_outside(client, demo_org, clues, username):
    client.force_login(demo_org.by_username[username])
    for key in ALL:
        clue = clues[key]
        response = client.get(detail(clue.pk))
        if key in VISIBLE[username]:
            assert response.status_code == 200, key
            assert clue.number in response.content.decode()
        else:
            # a denial looks exactly like a clue that does not exist: no 403, no leak
            assert response.status_code == 404, key
            body = response.content.decode()
            assert clue.number not in body and clue.summary not in body
    assert client.get(detail(clues["forestry_joint"].pk + 10_000)).status_code == 404


def test_the_unrelated_jurisdiction_sees_only_its_own(client, clues):
    outsider = UserFactory(role=Role.OFFICER, department=clues["unrelated"].department)
    client.force_login(outsider)
    assert listed_numbers(client.get(reverse("screening:clue_list"))) == {
        clues["unrelated"].number}
    assert client.get(detail(clues["lead"].pk)).status_code == 404


def test_a_user_without_a_department_sees_nothing(client, clues):
    homeless = UserFactory(role=Role.OFFICER, department=None)
    client.force_login(homeless)
    response = client.get(reverse("screening:clue_list"))
    assert listed_numbers(response) == set()
    assert "没有符合条件的线索" in response.content.decode()
    for key in ALL:
        assert client.get(detail(clues[key].pk)).status_code == 404, key
    # nor may they register one: there is no department to register it for
    assert client.get(reverse("screening:clue_create")).status_code == 403
    assert client.post(reverse("screening:clue_create"), form_data()).status_code == 403
    assert not Clue.objects.filter(registered_by=homeless).exists()


@pytest.mark.parametrize("username", ["caizheng", "admin"])
def test_roles_without_view_clue_get_403(client, demo_org, clues, username):
    client.force_login(demo_org.by_username[username])
    assert client.get(reverse("screening:clue_list")).status_code == 403
    # even for a clue of their own (lead) department: the role lacks the permission
    assert client.get(detail(clues["lead"].pk)).status_code == 403
    assert client.get(reverse("screening:clue_create")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, clues):
    pk = clues["lead"].pk
    for url in (reverse("screening:clue_list"), reverse("screening:clue_create"), detail(pk),
                reverse("screening:clue_edit", args=[pk])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url
    events = AuditEvent.objects.count()
    for name in ("clue_transition", "clue_attach"):
        response = client.post(reverse(f"screening:{name}", args=[pk]),
                               {"transition": "start_verification", "seen_state": "registered"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert Clue.objects.get(pk=pk).state == Clue.State.REGISTERED
    assert AuditEvent.objects.count() == events


# --- acting: edit, transition, attach ---------------------------------------------------


@pytest.mark.parametrize("username", sorted(WORKABLE_OFFICERS))
def test_officers_act_only_on_their_own_departments_clues(client, demo_org, clues, username):
    client.force_login(demo_org.by_username[username])
    for key in VISIBLE[username]:
        clue = clues[key]
        edit = reverse("screening:clue_edit", args=[clue.pk])
        page = client.get(detail(clue.pk)).content.decode()
        if key in WORKABLE_OFFICERS[username]:
            assert client.get(edit).status_code == 200, key
            assert f'href="{edit}"' in page
            assert "开始初步核查" in page
        else:
            # visible, yet not theirs to handle: no edit link, no actions, and a 404 on POST
            assert f'href="{edit}"' not in page, key
            assert "开始初步核查" not in page, key
            assert client.get(edit).status_code == 404, key
            response = client.post(edit, form_data(summary="改写他人的线索"))
            assert response.status_code == 404, key
            response = client.post(
                reverse("screening:clue_transition", args=[clue.pk]),
                {"transition": "start_verification", "seen_state": "registered"})
            assert response.status_code == 404, key
            fresh = Clue.objects.get(pk=clue.pk)
            assert fresh.summary == clue.summary and fresh.state == Clue.State.REGISTERED


def test_division_head_moves_only_own_departments_clues(client, demo_org, clues):
    client.force_login(demo_org.by_username["chuzhang"])
    url = reverse("screening:clue_transition", args=[clues["water_city"].pk])
    response = client.post(url, {"transition": "start_verification", "seen_state": "registered"})
    assert response.status_code == 404
    assert Clue.objects.get(pk=clues["water_city"].pk).state == Clue.State.REGISTERED
    url = reverse("screening:clue_transition", args=[clues["lead"].pk])
    response = client.post(url, {"transition": "start_verification", "seen_state": "registered"})
    assert response.status_code == 302
    assert Clue.objects.get(pk=clues["lead"].pk).state == Clue.State.VERIFYING


def test_coordinator_sees_the_city_but_cannot_edit_or_move_another_departments_clue(
        client, demo_org, clues):
    client.force_login(demo_org.by_username["qiantou"])
    clue = clues["water_city"]
    page = client.get(detail(clue.pk)).content.decode()
    assert clue.number in page
    edit = reverse("screening:clue_edit", args=[clue.pk])
    assert f'href="{edit}"' not in page and "开始初步核查" not in page
    events = AuditEvent.objects.count()
    assert client.get(edit).status_code in (403, 404)
    assert client.post(edit, form_data(summary="协调员改写")).status_code in (403, 404)
    response = client.post(reverse("screening:clue_transition", args=[clue.pk]),
                           {"transition": "start_verification", "seen_state": "registered"})
    assert response.status_code in (403, 404)
    fresh = Clue.objects.get(pk=clue.pk)
    assert fresh.summary == clue.summary and fresh.state == Clue.State.REGISTERED
    assert AuditEvent.objects.count() == events


def test_procuratorate_liaison_is_read_only_on_the_clue_it_takes_part_in(
        client, demo_org, clues):
    client.force_login(demo_org.by_username["jiancha"])
    clue = clues["forestry_joint"]
    page = client.get(detail(clue.pk)).content.decode()
    assert clue.number in page
    edit = reverse("screening:clue_edit", args=[clue.pk])
    assert f'href="{edit}"' not in page
    assert "开始初步核查" not in page
    assert 'name="file"' not in page  # no upload form either
    events = AuditEvent.objects.count()

    assert client.get(edit).status_code in (403, 404)
    assert client.post(edit, form_data(summary="检察机关改写")).status_code in (403, 404)
    response = client.post(reverse("screening:clue_transition", args=[clue.pk]),
                           {"transition": "start_verification", "seen_state": "registered"})
    assert response.status_code in (403, 404)
    response = client.post(reverse("screening:clue_attach", args=[clue.pk]), {
        "file": SimpleUploadedFile("意见.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
        "description": "不应保存",
    })
    assert response.status_code in (403, 404)

    fresh = Clue.objects.get(pk=clue.pk)
    assert fresh.summary == clue.summary
    assert fresh.state == Clue.State.REGISTERED
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.count() == events


# --- registering a clue ---------------------------------------------------------------


@pytest.mark.parametrize(("username", "department", "number"), [
    ("jingban", "市生态环境局", "140100-2026-XS00001"),
    ("shuiwu", "市水务局", "140100-2026-XS00001"),
    ("xiaodian", "小店区生态环境分局", "140105-2026-XS00001"),
])
def test_an_officer_registers_a_clue_for_their_own_department(
        client, demo_org, username, department, number):
    user = demo_org.by_username[username]
    client.force_login(user)
    response = client.get(reverse("screening:clue_create"))
    assert response.status_code == 200
    response = client.post(reverse("screening:clue_create"), form_data())
    clue = Clue.objects.get()
    assert response.status_code == 302
    assert response.url == detail(clue.pk)
    assert clue.number == number
    assert clue.department == demo_org.departments[department]
    assert clue.jurisdiction == demo_org.departments[department].jurisdiction
    assert clue.registered_by == user
    assert clue.registered_on == date(2026, 11, 2)
    assert clue.state == Clue.State.REGISTERED
    page = client.get(response.url).content.decode()
    assert f"线索 {number} 已登记。" in page
    created = AuditEvent.objects.get(object_id=str(clue.pk))
    assert created.action == AuditEvent.Action.CREATE and created.actor == user


def test_numbers_count_up_within_the_jurisdiction_and_year(client, demo_org):
    client.force_login(demo_org.by_username["jingban"])
    client.post(reverse("screening:clue_create"), form_data())
    client.force_login(demo_org.by_username["shuiwu"])
    client.post(reverse("screening:clue_create"), form_data())
    assert sorted(Clue.objects.values_list("number", flat=True)) == [
        "140100-2026-XS00001", "140100-2026-XS00002"]


@pytest.mark.parametrize("username", ["chuzhang", "juzhang", "qiantou", "jiancha", "caizheng",
                                      "admin"])
def test_roles_other_than_officer_cannot_register_clues(client, demo_org, username):
    client.force_login(demo_org.by_username[username])
    assert client.get(reverse("screening:clue_create")).status_code == 403
    assert client.post(reverse("screening:clue_create"), form_data()).status_code == 403
    assert not Clue.objects.exists()
    assert not NumberSequence.objects.exists()
    # and the list offers no 登记线索 button to those who may see it
    response = client.get(reverse("screening:clue_list"))
    if response.status_code == 200:
        assert reverse("screening:clue_create") not in response.content.decode()


def test_an_officer_of_the_procuratorate_cannot_register_clues(client, demo_org):
    """The officer role alone is not enough: a procuratorate or finance department does not
    handle claims (Department.handles_claims)."""
    for short in ("市检察院", "市财政局"):
        client.force_login(UserFactory(role=Role.OFFICER,
                                       department=demo_org.departments[short]))
        assert client.post(reverse("screening:clue_create"), form_data()).status_code == 403
    assert not Clue.objects.exists()


# --- two departments of one kind in one jurisdiction (accounts/scoping.py) -----------------
# Same kind is a system only downwards: a department of a higher jurisdiction sees the same
# kind of department in the jurisdictions strictly below it; two departments of one kind side
# by side (the city's 其他 bureaus 市气象局 and 市文旅局; two water departments of 小店区) do
# not see each other. Only the lead department sees across its own jurisdiction.

CASE_ROW = re.compile(r'<a href="/cases/(\d+)/">([^<]+)</a>')


@pytest.fixture
def pairs(demo_org):
    d = demo_org.departments
    d["小店区水务服务中心"] = DepartmentFactory(
        name="小店区水务服务中心", kind=Department.Kind.WATER, jurisdiction=d["小店区水利局"].jurisdiction)
    users = {
        "qixiang": demo_org.by_username["qixiang"],
        "wenlv": demo_org.by_username["wenlv"],
        "xd_water": UserFactory(role=Role.OFFICER, department=d["小店区水利局"]),
        "xd_service": UserFactory(role=Role.OFFICER, department=d["小店区水务服务中心"]),
    }
    return d, users


# username -> the pair member departments whose records they get
PAIR_DEPARTMENTS = ("市气象局", "市文旅局", "小店区水利局", "小店区水务服务中心")
PAIR_VISIBLE = {
    "qixiang": {"市气象局"},
    "wenlv": {"市文旅局"},
    "xd_water": {"小店区水利局"},
    "xd_service": {"小店区水务服务中心"},
    # the city's lead department and its coordinator: the whole city and below
    "jingban": set(PAIR_DEPARTMENTS),
    "qiantou": set(PAIR_DEPARTMENTS),
    # the district's lead department: its district
    "xiaodian": {"小店区水利局", "小店区水务服务中心"},
    # 市水务局, the same kind one level up, still sees both water departments below it
    "shuiwu": {"小店区水利局", "小店区水务服务中心"},
}


def _pair_user(demo_org, users, username):
    return users.get(username) or demo_org.by_username[username]


@pytest.mark.parametrize("username", sorted(PAIR_VISIBLE))
def test_same_kind_departments_side_by_side_do_not_see_each_others_clues(
        client, demo_org, pairs, username):
    d, users = pairs
    clues = {name: ClueFactory(department=d[name]) for name in PAIR_DEPARTMENTS}
    user = _pair_user(demo_org, users, username)
    client.force_login(user)
    shown = listed_numbers(client.get(reverse("screening:clue_list")))
    expected = PAIR_VISIBLE[username]
    assert shown & {c.number for c in clues.values()} == {clues[n].number for n in expected}
    for name, clue in clues.items():
        status = client.get(detail(clue.pk)).status_code
        assert status == (200 if name in expected else 404), name
    # the service answers the same (accounts/scoping.py)
    assert set(Clue.objects.visible_to(user).filter(
        pk__in=[c.pk for c in clues.values()])) == {clues[n] for n in expected}


@pytest.mark.parametrize("username", sorted(PAIR_VISIBLE))
def test_same_kind_departments_side_by_side_do_not_see_each_others_deadlines(
        client, demo_org, pairs, username):
    from tests.workflow.test_deadlines import open_for, travel
    from workflow.models import DeadlineKind

    d, users = pairs
    deadlines = {name: open_for(demo_org, DeadlineKind.VERIFICATION, date(2026, 9, 1),
                                dept=name, responsible=None) for name in PAIR_DEPARTMENTS}
    board = reverse("workflow:deadline_board")
    row = re.compile(f'<a href="{re.escape(board)}' + r'(\d+)/">')
    expected = PAIR_VISIBLE[username]
    client.force_login(_pair_user(demo_org, users, username))
    with travel(2026, 9, 20):
        response = client.get(board)
        assert response.status_code == 200
        shown = {int(pk) for pk in row.findall(response.content.decode())}
        assert shown == {deadlines[n].pk for n in expected}
        # the board's department filter offers the same departments, no more
        offered = response.context["filters"].fields["department"].queryset
        assert set(offered.filter(pk__in=[d[n].pk for n in PAIR_DEPARTMENTS])) == {
            d[n] for n in expected}
        for name, deadline in deadlines.items():
            status = client.get(reverse("workflow:deadline_detail", args=[deadline.pk])).status_code
            assert status == (200 if name in expected else 404), name


@pytest.mark.parametrize("username", sorted(PAIR_VISIBLE))
def test_same_kind_departments_side_by_side_do_not_see_each_others_cases(
        client, demo_org, pairs, username):
    from tests.cases.factories import CaseFactory

    d, users = pairs
    cases = {name: CaseFactory(department=d[name]) for name in PAIR_DEPARTMENTS}
    expected = PAIR_VISIBLE[username]
    client.force_login(_pair_user(demo_org, users, username))
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    shown = {number for _pk, number in CASE_ROW.findall(response.content.decode())}
    assert shown & {c.number for c in cases.values()} == {cases[n].number for n in expected}
    for name, case in cases.items():
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
        assert response.status_code == (200 if name in expected else 404), name
        if name not in expected:
            assert case.number not in response.content.decode()


def test_same_kind_departments_side_by_side_do_not_see_each_others_rounds_and_exports(
        client, demo_org):
    """Screening rounds and report exports follow the same rule (ScopedQuerySet)."""
    from screening.models import ReportExport, ScreeningRound
    from screening.rounds import record_round

    d = demo_org.departments
    qixiang, wenlv = demo_org.by_username["qixiang"], demo_org.by_username["wenlv"]
    rounds, exports = {}, {}
    for user in (qixiang, wenlv):
        rounds[user.username] = record_round(
            ScreeningRound(department=user.department, year=2026, quarter=3,
                           screened_on=date(2026, 9, 10), scope="例行"),
            by=user, channels=SourceChannel.objects.filter(code="supervision"))
        exports[user.username] = ReportExport.objects.create(
            requested_by=user, scope=ReportExport.Scope.DEPARTMENT,
            department=user.department, jurisdiction=user.department.jurisdiction,
            year=2026, quarter=3, filename="线索筛查清单.xlsx")
    for user, other in ((qixiang, wenlv), (wenlv, qixiang)):
        assert list(ScreeningRound.objects.visible_to(user)) == [rounds[user.username]]
        assert list(ReportExport.objects.visible_to(user)) == [exports[user.username]]
        client.force_login(user)
        url = reverse("screening:report_export", args=[exports[other.username].pk])
        assert client.get(url).status_code == 404
        url = reverse("screening:report_export", args=[exports[user.username].pk])
        assert client.get(url).status_code == 200
    lead = demo_org.by_username["qiantou"]
    assert set(ScreeningRound.objects.visible_to(lead)) == set(rounds.values())
    assert set(ReportExport.objects.visible_to(lead)) == set(exports.values())
    assert d["市气象局"].kind == d["市文旅局"].kind == Department.Kind.OTHER
