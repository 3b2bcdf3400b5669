"""The clue pages as an officer uses them: the registration form's Chinese errors next to the
field with nothing half-saved, editing with an old → new audit trail shown on the timeline,
the 开始初步核查 transition and its stale-state refusal, and the list filters."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.models import Clue, SourceChannel
from tests.factories import ClueFactory, JurisdictionFactory
from workflow import transitions
from workflow.audit import history
from workflow.models import AuditEvent, NumberSequence

pytestmark = pytest.mark.django_db

CREATE = reverse("screening:clue_create")
LIST = reverse("screening:clue_list")
ROW = re.compile(r'<a href="/screening/clues/(\d+)/">([^<]+)</a>')


def form_data(**overrides):
    data = {
        "channel": SourceChannel.objects.get(code="supervision").pk,
        "found_on": "2026-11-01",
        "registered_on": "2026-11-02",
        "source_organisation": "",
        "source_reference": "",
        "summary": "某电镀厂暗管排放含铬废水，厂区外沟渠底泥发黄。",
        "place": "",
        "place_detail": "晋阳湖东侧",
        "damage_type": Clue.DamageType.WATER,
        "estimated_amount": "2800.00",
        "rectification": Clue.Rectification.UNKNOWN,
    }
    data.update(overrides)
    return data


def data_of(clue, **overrides):
    """What the edit form posts back when the user changes only `overrides`."""
    data = {
        "channel": clue.channel_id,
        "found_on": clue.found_on.isoformat(),
        "registered_on": clue.registered_on.isoformat(),
        "source_organisation": clue.source_organisation,
        "source_reference": clue.source_reference,
        "summary": clue.summary,
        "place": clue.place_id or "",
        "place_detail": clue.place_detail,
        "damage_type": clue.damage_type,
        "estimated_amount": "" if clue.estimated_amount is None else str(clue.estimated_amount),
        "rectification": clue.rectification,
    }
    if clue.in_protected_area:
        data["in_protected_area"] = "on"
    data.update(overrides)
    return data


def field_error(response, field) -> str | None:
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else None


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {number for _pk, number in ROW.findall(response.content.decode())}


@pytest.fixture
def officer(demo_org, client):
    user = demo_org.by_username["jingban"]
    client.force_login(user)
    return user


@pytest.fixture
def clue(demo_org, officer):
    return ClueFactory(department=demo_org.departments["市生态环境局"], registered_by=officer)


# --- the registration form ------------------------------------------------------------


def today():
    return timezone.localdate()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"found_on": "2026-11-05", "registered_on": "2026-11-02"},
     "registered_on", "登记日期不能早于发现日期。"),
    ({"found_on": lambda: (today() + timedelta(days=1)).isoformat()},
     "found_on", "发现日期不能晚于今天。"),
    ({"registered_on": lambda: (today() + timedelta(days=1)).isoformat()},
     "registered_on", "登记日期不能晚于今天。"),
    ({"estimated_amount": "-1"}, "estimated_amount", "金额不能为负数。"),
    ({"estimated_amount": "12.345"}, "estimated_amount", "金额最多保留两位小数。"),
    ({"summary": ""}, "summary", "请填写线索概要。"),
    ({"found_on": ""}, "found_on", "请填写发现日期。"),
    ({"found_on": "11月5日"}, "found_on", "请按“年-月-日”填写日期。"),
    ({"channel": ""}, "channel", "请选择线索渠道。"),
    ({"damage_type": ""}, "damage_type", "请选择损害类型。"),
])
def test_an_invalid_clue_is_not_saved_and_the_error_is_next_to_the_field(
        client, officer, overrides, field, message):
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
    data = form_data(**overrides)
    response = client.post(CREATE, data)

    assert response.status_code == 200
    assert field_error(response, field) == message
    page = response.content.decode()
    assert re.search(rf'name="{field}"[^>]*class="[^"]*is-invalid', page), "field not marked"
    assert "请修改下列标红的内容后再保存；已填写的内容已保留。" in page
    # what the user typed is still there
    for name in ("found_on", "registered_on", "estimated_amount", "place_detail"):
        if data[name]:
            assert f'name="{name}" value="{data[name]}"' in page, name
    if data["summary"]:
        assert data["summary"] in page
    # and nothing was saved, not even a consumed number
    assert not Clue.objects.exists()
    assert not NumberSequence.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_valid_clue_is_registered_once(client, officer):
    response = client.post(CREATE, form_data(estimated_amount="0"))
    clue = Clue.objects.get()
    assert response.status_code == 302 and response.url == clue.get_absolute_url()
    assert clue.estimated_amount == Decimal("0")
    assert clue.number == "140100-2026-XS00001"


def test_a_place_outside_the_departments_jurisdiction_is_refused(client, demo_org):
    """xiaodian (小店区) may name places in its own district, not in 迎泽区 nor in another
    city.

    BUG (workflow/forms.py, StyledForm.__init__): `name in self.errors` validates a bound
    form inside StyledForm.__init__, i.e. before ClueForm.__init__ narrows the `place` and
    `channel` querysets, so the narrowing never applies to what is saved."""
    client.force_login(demo_org.by_username["xiaodian"])
    elsewhere = JurisdictionFactory()
    for place in (demo_org.districts[1], demo_org.city, elsewhere):
        response = client.post(CREATE, form_data(place=place.pk))
        assert response.status_code == 200, place
        assert field_error(response, "place"), place
    assert not Clue.objects.exists()
    response = client.post(CREATE, form_data(place=demo_org.districts[0].pk))
    assert response.status_code == 302
    assert Clue.objects.get().place == demo_org.districts[0]


def test_an_inactive_channel_is_not_offered_nor_accepted(client, officer):
    """Same bug as above: the `channel` queryset is narrowed to active channels too late."""
    retired = SourceChannel.objects.get(code="assigned")
    retired.active = False
    retired.save()
    page = client.get(CREATE).content.decode()
    assert f'<option value="{retired.pk}"' not in page
    response = client.post(CREATE, form_data(channel=retired.pk))
    assert response.status_code == 200
    assert field_error(response, "channel")
    assert not Clue.objects.exists()


# --- editing and the audit trail --------------------------------------------------------


def test_editing_records_old_to_new_and_the_detail_page_shows_it(client, officer, clue):
    edit = reverse("screening:clue_edit", args=[clue.pk])
    page = client.get(edit).content.decode()
    assert f"修改线索 {clue.number}" in page and clue.summary in page

    response = client.post(edit, data_of(clue, estimated_amount="3500.00"))
    assert response.status_code == 302 and response.url == clue.get_absolute_url()

    fresh = Clue.objects.get(pk=clue.pk)
    assert fresh.estimated_amount == Decimal("3500.00")
    assert fresh.number == clue.number  # the number never changes
    event = history(clue).first()
    assert event.action == AuditEvent.Action.UPDATE
    assert event.actor == officer and event.actor_name == "张明"
    assert event.changes == {"estimated_amount": {
        "label": "估算损害数额（元）", "old": "2,800.00", "new": "3,500.00"}}

    page = client.get(response.url).content.decode()
    assert "线索已保存。" in page
    assert "估算损害数额（元）：2,800.00 → 3,500.00" in page
    timeline = page[page.index('<ol class="timeline"'):]
    assert "张明" in timeline
    assert timeline.index("<strong>修改</strong>") < timeline.index("<strong>新建</strong>")


def test_editing_choice_fields_shows_labels_not_codes(client, officer, clue):
    client.post(reverse("screening:clue_edit", args=[clue.pk]),
                data_of(clue, damage_type=Clue.DamageType.SOIL))
    assert history(clue).first().changes["damage_type"] == {
        "label": "损害类型", "old": "水污染", "new": "土壤污染"}
    page = client.get(clue.get_absolute_url()).content.decode()
    assert "损害类型：水污染 → 土壤污染" in page


def test_an_invalid_edit_changes_nothing(client, officer, clue):
    events = history(clue).count()
    response = client.post(reverse("screening:clue_edit", args=[clue.pk]),
                           data_of(clue, summary="", estimated_amount="-5"))
    assert response.status_code == 200
    assert field_error(response, "summary") == "请填写线索概要。"
    assert field_error(response, "estimated_amount") == "金额不能为负数。"
    fresh = Clue.objects.get(pk=clue.pk)
    assert fresh.summary == clue.summary and fresh.estimated_amount == clue.estimated_amount
    assert history(clue).count() == events


def test_saving_the_form_unchanged_writes_no_audit_event(client, officer, clue):
    events = history(clue).count()
    client.post(reverse("screening:clue_edit", args=[clue.pk]), data_of(clue))
    assert history(clue).count() == events


def test_the_detail_page_shows_the_timeline(client, officer, clue):
    page = client.get(clue.get_absolute_url()).content.decode()
    timeline = page[page.index('<ol class="timeline"'):]
    assert "<strong>新建</strong>" in timeline
    assert "线索概要：" in timeline and clue.summary in timeline
    assert "损害类型：水污染" in timeline
    assert "暂无记录" not in timeline


# --- the 开始初步核查 transition ------------------------------------------------------


def test_start_verification_by_post_moves_the_state_and_is_recorded(client, officer, clue):
    url = reverse("screening:clue_transition", args=[clue.pk])
    page = client.get(clue.get_absolute_url()).content.decode()
    assert 'name="transition" value="start_verification"' in page
    assert 'name="seen_state" value="registered"' in page

    response = client.post(url, {"transition": "start_verification",
                                 "seen_state": "registered", "reason": "已收到检测报告"})
    assert response.status_code == 302 and response.url == clue.get_absolute_url()
    assert Clue.objects.get(pk=clue.pk).state == Clue.State.VERIFYING

    event = history(clue).first()
    assert event.action == AuditEvent.Action.TRANSITION
    assert event.transition == "开始初步核查"
    assert (event.from_state, event.to_state) == ("已登记", "初步核查中")
    assert event.actor == officer and event.reason == "已收到检测报告"

    page = client.get(response.url).content.decode()
    assert "已开始初步核查，请在初步核查期限内" in page
    assert '<span class="badge text-bg-light border fs-6" data-testid="clue-state">初步核查中' \
        in page
    assert "状态变更</strong>：开始初步核查" in page
    assert "（已登记 → 初步核查中）" in page
    assert "理由：已收到检测报告" in page
    assert 'value="start_verification"' not in page  # no longer offered


def test_a_second_post_with_the_stale_state_is_refused_and_changes_nothing(
        client, officer, clue):
    url = reverse("screening:clue_transition", args=[clue.pk])
    post = {"transition": "start_verification", "seen_state": "registered"}
    assert "已开始初步核查，请在初步核查期限内" in client.post(url, post, follow=True).content.decode()
    events = history(clue).count()
    updated_at = Clue.objects.get(pk=clue.pk).updated_at

    response = client.post(url, post, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "该记录已被他人处理" in page
    assert "当前状态为“初步核查中”" in page
    assert "已开始初步核查，请在初步核查期限内" not in page
    fresh = Clue.objects.get(pk=clue.pk)
    assert fresh.state == Clue.State.VERIFYING and fresh.updated_at == updated_at
    assert history(clue).count() == events


def test_another_user_moved_it_first(client, demo_org, officer, clue):
    """The page was loaded while the clue was 已登记; a colleague started verification in the
    meantime; the stale form is refused with the Chinese message."""
    colleague = demo_org.by_username["chuzhang"]
    transitions.perform(clue, "start_verification", by=colleague)
    response = client.post(reverse("screening:clue_transition", args=[clue.pk]),
                           {"transition": "start_verification", "seen_state": "registered"},
                           follow=True)
    assert "该记录已被他人处理" in response.content.decode()
    assert history(clue).filter(action=AuditEvent.Action.TRANSITION).count() == 1


def test_a_transition_is_not_done_by_get_nor_by_an_unknown_name(client, officer, clue):
    url = reverse("screening:clue_transition", args=[clue.pk])
    assert client.get(url, {"transition": "start_verification"}).status_code == 405
    for name in ("delete", "save", "no_such_step", ""):
        response = client.post(url, {"transition": name, "seen_state": "registered"},
                               follow=True)
        assert response.status_code == 200, name
        assert "未知操作" in response.content.decode(), name
    assert Clue.objects.get(pk=clue.pk).state == Clue.State.REGISTERED
    assert Clue.objects.filter(pk=clue.pk).exists()


# --- list filters ---------------------------------------------------------------------


@pytest.fixture
def spread(demo_org, officer):
    d = demo_org.departments
    water = ClueFactory(department=d["市生态环境局"], registered_by=officer)
    air = ClueFactory(department=d["市生态环境局"], registered_by=officer,
                      damage_type=Clue.DamageType.AIR, summary="铸造企业夜间未开除尘设施。")
    transitions.perform(air, "start_verification", by=officer)
    soil = ClueFactory(department=d["小店区生态环境分局"], damage_type=Clue.DamageType.SOIL,
                       summary="汽修店废机油渗漏污染土壤。")
    waste = ClueFactory(department=d["迎泽区生态环境分局"],
                        damage_type=Clue.DamageType.SOLID_WASTE, summary="倾倒建筑垃圾。")
    return {"water": water, "air": air, "soil": soil, "waste": waste}


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"water", "air", "soil", "waste"}),
    ({"state": "verifying"}, {"air"}),
    ({"state": "registered"}, {"water", "soil", "waste"}),
    ({"damage_type": "air"}, {"air"}),
    ({"damage_type": "soil"}, {"soil"}),
    ({"state": "registered", "damage_type": "water"}, {"water"}),
    ({"state": "verifying", "damage_type": "soil"}, set()),
    ({"q": "140105"}, {"soil"}),  # number prefix: the 小店区 jurisdiction code
    ({"q": "140100-2026"}, {"water", "air"}),
    ({"q": "渗漏"}, {"soil"}),  # text: searches the summary
])
def test_filters_narrow_the_list(client, officer, spread, query, expected):
    assert listed(client.get(LIST, query)) == {spread[k].number for k in expected}


def test_a_full_number_finds_that_clue(client, officer, spread):
    assert listed(client.get(LIST, {"q": spread["waste"].number})) == {spread["waste"].number}
    assert listed(client.get(LIST, {"q": f"  {spread['waste'].number} "})) == {
        spread["waste"].number}


def test_filters_keep_their_values_and_say_when_nothing_matches(client, officer, spread):
    response = client.get(LIST, {"state": "verifying", "damage_type": "soil", "q": "140105"})
    page = response.content.decode()
    assert '<option value="verifying" selected>' in page
    assert '<option value="soil" selected>' in page
    assert 'value="140105"' in page
    assert "没有符合条件的线索。" in page


def test_a_filter_never_widens_the_scope(client, demo_org, spread):
    client.force_login(demo_org.by_username["shuiwu"])
    for query in ({"q": "140105"}, {"damage_type": "air"}, {"state": "verifying"},
                  {"q": "渗漏"}):
        assert listed(client.get(LIST, query)) == set(), query


def test_an_unknown_filter_value_is_not_a_server_error(client, officer, spread):
    response = client.get(LIST, {"state": "bogus", "damage_type": "x", "channel": "abc"})
    assert response.status_code == 200
