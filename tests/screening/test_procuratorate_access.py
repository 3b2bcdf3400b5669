"""The procuratorate follows what it referred and what it was invited to, read-only (issue 13).

- SX 第八条; CQ 三: a clue on the 检察机关移送 channel names the referring procuratorate; its
  检察联络员 sees the clue and the feedback owed, and the case opened from the clue
  (NT 三(二): 案件办理情况与移送部门或机构信息共享).
- CQ 七(一); SX 第三十三条、第三十九条: a procuratorate invited to a negotiation round or to
  restoration supervision (CQ 十二) sees the case.
- It never acts (accounts/scoping.py workable_by): no buttons, POSTs answer 403 or 404.

Everything goes through the pages an officer and a liaison use, not through the demo loader."""

import datetime
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Department
from accounts.roles import Role
from cases.models import Case
from rules.models import RuleSet
from screening.imports import ClueImportResource
from screening.models import Clue, ClueImport, SourceChannel
from screening.services import register_clue
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory, UserFactory
from tests.negotiation.factories import desk, in_progress, pdf
from tests.restoration.factories import agreement_with
from workflow import transitions
from workflow.approvals import inbox
from workflow.models import AuditEvent, NumberSequence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


class Org:
    """An SX city: the eco department (officer, division head), procuratorate P (the one that
    refers) and procuratorate Q (another one), each with its 检察联络员."""

    def __init__(self):
        jurisdiction = JurisdictionFactory(rule_set=RuleSet.objects.get(code="SX"))
        self.department = DepartmentFactory(jurisdiction=jurisdiction)
        self.officer = UserFactory(department=self.department, role=Role.OFFICER)
        self.head = UserFactory(department=self.department, role=Role.DIVISION_HEAD)
        self.p = DepartmentFactory(jurisdiction=jurisdiction, name="测试市人民检察院",
                                   kind=Department.Kind.PROCURATORATE)
        self.q = DepartmentFactory(jurisdiction=jurisdiction, name="测试区人民检察院",
                                   kind=Department.Kind.PROCURATORATE)
        self.p_liaison = UserFactory(department=self.p, role=Role.PROCURATORATE)
        self.q_liaison = UserFactory(department=self.q, role=Role.PROCURATORATE)


@pytest.fixture
def org():
    return Org()


def referred_form(**overrides):
    data = {
        "channel": SourceChannel.objects.get(code="procuratorate").pk,
        "found_on": "2026-10-20", "registered_on": "2026-10-22",
        "source_organisation": "", "source_reference": "检移〔2026〕7号",
        "summary": "检察机关移送：某物流园区非法倾倒建筑垃圾约1,200吨。",
        "place": "", "place_detail": "某物流园区", "damage_type": Clue.DamageType.SOLID_WASTE,
        "estimated_amount": "158000.00", "rectification": Clue.Rectification.UNKNOWN,
    }
    data.update(overrides)
    return data


def html(response) -> str:
    return response.content.decode()


def register_through_page(client, org, **overrides) -> Clue:
    client.force_login(org.officer)
    response = client.post(reverse("screening:clue_create"),
                           referred_form(referring_procuratorate=org.p.pk, **overrides))
    assert response.status_code == 302, html(response)[:3000]
    return Clue.objects.get(source_reference="检移〔2026〕7号")


def detail(clue) -> str:
    return reverse("screening:clue_detail", args=[clue.pk])


# --- registering: the channel names its procuratorate (SX 第八条) --------------------------

@pytest.mark.parametrize("procuratorate", ["", "eco"])
def test_a_referred_clue_without_its_procuratorate_is_refused_next_to_the_field(
        client, org, procuratorate):
    client.force_login(org.officer)
    value = org.department.pk if procuratorate == "eco" else ""
    response = client.post(reverse("screening:clue_create"),
                           referred_form(referring_procuratorate=value))
    assert response.status_code == 200
    errors = response.context["form"].errors["referring_procuratorate"]
    assert errors == (["检察机关移送的线索须选择移送线索的检察机关（SX 第八条）。"] if not value
                      else ["请选择移送线索的检察机关。"])
    assert 'id="id_referring_procuratorate_error"' in html(response)
    assert not Clue.objects.exists() and not NumberSequence.objects.exists()


def test_another_channel_names_no_procuratorate(client, org):
    client.force_login(org.officer)
    response = client.post(reverse("screening:clue_create"), referred_form(
        channel=SourceChannel.objects.get(code="supervision").pk,
        referring_procuratorate=org.p.pk))
    assert response.context["form"].errors["referring_procuratorate"] == [
        "只有“检察机关移送”渠道的线索才填写移送检察机关。"]
    assert not Clue.objects.exists()


def test_the_service_refuses_a_referred_clue_without_a_procuratorate(org):
    clue = Clue(jurisdiction=org.department.jurisdiction, department=org.department,
                channel=SourceChannel.objects.get(code="procuratorate"),
                found_on=datetime.date(2026, 10, 20), summary="移送线索",
                damage_type=Clue.DamageType.WATER)
    with pytest.raises(ValidationError) as refused:
        register_clue(clue, by=org.officer)
    assert "referring_procuratorate" in refused.value.message_dict
    clue.referring_procuratorate = org.department  # not a procuratorate
    with pytest.raises(ValidationError, match="不是检察机关"):
        register_clue(clue, by=org.officer)
    assert not Clue.objects.exists()


# --- the referring procuratorate follows the clue, read-only --------------------------------

def test_the_referring_procuratorate_sees_the_clue_in_its_list_and_detail(client, org):
    clue = register_through_page(client, org)
    assert clue.referring_procuratorate == org.p
    assert clue.source_organisation == "测试市人民检察院"
    assert list(clue.participants.all()) == [org.p]

    client.force_login(org.p_liaison)
    assert clue.number in html(client.get(reverse("screening:clue_list")))
    response = client.get(detail(clue))
    assert response.status_code == 200
    page = html(response)
    assert 'data-testid="referring-procuratorate">测试市人民检察院<' in page
    assert "决定不启动索赔的，须向移送线索的检察机关反馈" in page  # what it is owed
    assert 'aria-label="办理操作"' not in page and "开始初步核查" not in page
    assert reverse("screening:clue_edit", args=[clue.pk]) not in page

    client.force_login(org.q_liaison)  # another procuratorate
    assert clue.number not in html(client.get(reverse("screening:clue_list")))
    assert client.get(detail(clue)).status_code == 404


def test_the_procuratorate_cannot_act_on_the_clue_it_referred(client, org):
    clue = register_through_page(client, org)
    # even a user of the procuratorate holding the officer's role: it follows, never handles
    p_officer = UserFactory(department=org.p, role=Role.OFFICER)
    events = AuditEvent.objects.count()
    for user in (org.p_liaison, p_officer):
        client.force_login(user)
        response = client.post(reverse("screening:clue_transition", args=[clue.pk]),
                               {"transition": "start_verification", "seen_state": "registered"})
        assert response.status_code in (403, 404)
        edit = reverse("screening:clue_edit", args=[clue.pk])
        assert client.post(edit, referred_form(summary="检察机关改写")).status_code in (403, 404)
    assert Clue.objects.get(pk=clue.pk).state == Clue.State.REGISTERED
    assert AuditEvent.objects.count() == events
    assert not Clue.objects.workable_by(p_officer).exists()
    assert Clue.objects.visible_to(p_officer).get() == clue


def test_a_procuratorate_participant_is_never_in_the_handling_scope(client, org):
    """accounts/scoping.py: joint departments handle, a procuratorate only follows."""
    water = DepartmentFactory(jurisdiction=org.department.jurisdiction, kind="water")
    clue = ClueFactory(department=org.department, participants=[org.p, water])
    p_officer = UserFactory(department=org.p, role=Role.OFFICER)
    water_officer = UserFactory(department=water, role=Role.OFFICER)
    assert Clue.objects.visible_to(p_officer).get() == clue
    assert not Clue.objects.workable_by(p_officer).exists()
    assert Clue.objects.workable_by(water_officer).get() == clue
    client.force_login(p_officer)
    response = client.post(reverse("screening:clue_transition", args=[clue.pk]),
                           {"transition": "start_verification", "seen_state": "registered"})
    assert response.status_code == 404
    assert Clue.objects.get(pk=clue.pk).state == Clue.State.REGISTERED


def test_the_procuratorate_sees_the_feedback_owed_and_then_given(client, org):
    clue = transitions.perform(register_through_page(client, org), "start_verification",
                               by=org.officer)
    client.post(reverse("screening:clue_not_start", args=[clue.pk]),
                {"decision_reason": "already_restored", "note": "义务人已清运并恢复原状。",
                 "seen_state": "verifying"})
    client.force_login(org.head)
    client.post(reverse("workflow:approval_decide", args=[inbox(org.head).get().pk]),
                {"decision": "approve", "opinion": "同意"})

    client.force_login(org.p_liaison)
    page = html(client.get(detail(clue)))
    assert "决定不启动索赔，尚须向测试市人民检察院反馈（CQ 三；SX 第八条）" in page
    assert "记录向检察机关的反馈" not in page  # the officer's button, not the liaison's
    response = client.post(reverse("screening:clue_feedback", args=[clue.pk]),
                           {"sent_on": "2026-11-02", "content": "冒充反馈"})
    assert response.status_code in (403, 404)

    client.force_login(org.officer)
    client.post(reverse("screening:clue_feedback", args=[clue.pk]),
                {"sent_on": "2026-11-02", "content": "已书面反馈不启动理由。"})
    client.force_login(org.p_liaison)
    page = html(client.get(detail(clue)))
    assert "2026年11月2日 反馈测试市人民检察院：已书面反馈不启动理由。" in page
    assert "尚须向" not in page


def test_changing_the_referring_procuratorate_moves_who_follows_the_clue(client, org):
    clue = register_through_page(client, org)
    client.post(reverse("screening:clue_edit", args=[clue.pk]),
                referred_form(referring_procuratorate=org.q.pk,
                              source_organisation="测试区人民检察院"))
    assert list(Clue.objects.get(pk=clue.pk).participants.all()) == [org.q]
    client.force_login(org.p_liaison)
    assert client.get(detail(clue)).status_code == 404
    client.force_login(org.q_liaison)
    assert client.get(detail(clue)).status_code == 200


# --- the case opened from the clue (NT 三(二)) ------------------------------------------------

def open_case_through_pages(client, org, clue, *, join=None) -> Case:
    clue = transitions.perform(Clue.objects.get(pk=clue.pk), "start_verification",
                               by=org.officer)
    client.force_login(org.officer)
    response = client.post(reverse("cases:open_from_clue", args=[clue.pk]), {
        "note": "非法倾倒固体废物，应当启动索赔。", "join_case": join.pk if join else "",
        "seen_state": "verifying"})
    assert response.status_code == 302
    return Case.objects.get(clues=clue)


def test_the_case_opened_from_a_referred_clue_is_visible_to_the_procuratorate_read_only(
        client, org):
    case = open_case_through_pages(client, org, register_through_page(client, org))
    assert list(case.participants.all()) == [org.p]

    client.force_login(org.p_liaison)
    assert case.number in html(client.get(reverse("cases:case_list")))
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    page = html(response)
    assert "没有需要办理的事项" in page  # its 下一步 offers nothing (issue 17)
    assert reverse("cases:case_initiation", args=[case.pk]) not in page
    assert reverse("cases:case_submit_initiation", args=[case.pk]) not in page
    response = client.post(reverse("cases:case_transition", args=[case.pk]),
                           {"transition": "submit_initiation", "seen_state": "draft"})
    assert response.status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.DRAFT
    assert not Case.objects.workable_by(org.p_liaison).exists()

    client.force_login(org.q_liaison)
    assert client.get(case.get_absolute_url()).status_code == 404


def test_a_referred_clue_joining_an_existing_case_brings_its_procuratorate(client, org):
    own = ClueFactory(department=org.department, registered_by=org.officer)
    case = open_case_through_pages(client, org, own)
    assert not case.participants.exists()
    client.force_login(org.p_liaison)
    assert client.get(case.get_absolute_url()).status_code == 404
    joined = open_case_through_pages(client, org, register_through_page(client, org), join=case)
    assert joined == case and list(case.participants.all()) == [org.p]
    client.force_login(org.p_liaison)
    assert client.get(case.get_absolute_url()).status_code == 200


def test_designating_joint_departments_keeps_the_procuratorate(client, org):
    org.department.is_lead = True
    org.department.save()
    case = open_case_through_pages(client, org, register_through_page(client, org))
    water = DepartmentFactory(jurisdiction=org.department.jurisdiction, kind="water")
    client.force_login(UserFactory(department=org.department, role=Role.COORDINATOR))
    response = client.get(reverse("cases:case_joint", args=[case.pk]))
    assert response.context["form"].fields["participants"].queryset.filter(
        kind="procuratorate").count() == 0  # a procuratorate is not a joint department
    client.post(reverse("cases:case_joint", args=[case.pk]), {"participants": [water.pk]})
    assert set(case.participants.all()) == {water, org.p}


# --- the Excel import names the procuratorate too ----------------------------------------------

def import_file(rows) -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    headers = ClueImportResource.headers()
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("导入.xlsx", buffer.getvalue())


def import_row(**overrides):
    row = {"来源文号": "检移〔2026〕9号", "线索渠道": "检察机关移送的", "发现日期": "2026-10-20",
           "线索概要": "检察机关移送：某河段非法采砂。", "损害类型": "生态破坏"}
    row.update(overrides)
    return row


def test_an_imported_referred_clue_names_its_procuratorate_and_is_followed_by_it(client, org):
    client.force_login(org.officer)
    response = client.post(reverse("screening:import_upload"),
                           {"file": import_file([import_row(), import_row(
                               **{"来源文号": "检移〔2026〕10号", "移送检察机关": "某县检察院"})])})
    clue_import = ClueImport.objects.get()
    report = client.get(clue_import.get_absolute_url()).context["report"]
    assert [r.messages for r in report.rows] == [
        ["移送检察机关：检察机关移送的线索须选择移送线索的检察机关（SX 第八条）。"],
        ["移送检察机关：没有名为“某县检察院”的检察机关，请按模板“代码表”填写检察院全称。"]]

    response = client.post(reverse("screening:import_upload"), {"file": import_file(
        [import_row(**{"移送检察机关": "测试市人民检察院"})])})
    assert response.status_code == 302
    clue_import = ClueImport.objects.latest("pk")
    client.post(reverse("screening:import_confirm", args=[clue_import.pk]))
    clue = Clue.objects.get(source_reference="检移〔2026〕9号")
    assert clue.referring_procuratorate == org.p and list(clue.participants.all()) == [org.p]
    client.force_login(org.p_liaison)
    assert client.get(detail(clue)).status_code == 200


# --- invited to negotiation (CQ 七(一); SX 第三十三条) and restoration (CQ 十二) -----------------

@pytest.fixture
def d():
    return desk("SX")


def liaison_of(d, name) -> object:
    department = DepartmentFactory(jurisdiction=d.department.jurisdiction, name=name,
                                   kind=Department.Kind.PROCURATORATE)
    return UserFactory(department=department, role=Role.PROCURATORATE)


def test_a_procuratorate_invited_to_the_negotiation_sees_the_case_read_only(client, d):
    from negotiation.models import Negotiation
    from tests.negotiation.factories import concluded_case

    invited, other = liaison_of(d, "受邀检察院"), liaison_of(d, "未受邀检察院")
    case = transitions.perform(concluded_case(d), "start_negotiation", by=d.officer)
    negotiation = case.negotiations.get()
    plan = reverse("negotiation:negotiation_plan", args=[negotiation.pk])
    data = {"plan_feasibility": "原位修复技术可行", "plan_cost": "约八十万元",
            "plan_obligor_capacity": "具备赔偿能力", "notice_cause": "超标排放",
            "group_own": "法规科", "group_invited": "检察院", "procuratorate_invited": "on",
            "reply_due": "2026-11-16"}
    client.force_login(d.officer)
    response = client.post(plan, data)
    assert response.context["form"].errors["invited_procuratorate"] == [
        "邀请检察机关参与磋商的，请选择该检察机关。"]
    assert not Negotiation.objects.get(pk=negotiation.pk).procuratorate_invited
    response = client.post(plan, {**data, "invited_procuratorate": invited.department_id})
    assert response.status_code == 302
    assert Negotiation.objects.get(pk=negotiation.pk).procuratorate_invited
    assert list(case.participants.all()) == [invited.department]

    client.force_login(invited)
    for url in (case.get_absolute_url(), negotiation.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert 'aria-label="办理操作"' not in html(response)
    assert client.post(plan, data).status_code in (403, 404)
    assert client.post(reverse("negotiation:negotiation_issue", args=[negotiation.pk]),
                       {"seen_state": "preparing"}).status_code in (403, 404)
    assert Negotiation.objects.get(pk=negotiation.pk).state == "preparing"

    client.force_login(other)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(negotiation.get_absolute_url()).status_code == 404


def test_the_negotiation_service_checks_who_invites_and_whom(d):
    from negotiation import services
    from workflow.transitions import TransitionDenied

    negotiation = in_progress(d)
    invited = liaison_of(d, "受邀检察院")
    with pytest.raises(TransitionDenied):
        services.invite_procuratorate(negotiation, procuratorate=invited.department, by=invited)
    with pytest.raises(ValidationError):
        services.invite_procuratorate(negotiation, procuratorate=d.department, by=d.officer)
    assert not negotiation.case.participants.exists()


def test_a_procuratorate_invited_to_supervise_the_restoration_sees_it_read_only(client, d):
    invited, other = liaison_of(d, "受邀检察院"), liaison_of(d, "未受邀检察院")
    case = agreement_with(d, deposit="10000").case
    project = case.restoration_projects.get()
    client.force_login(invited)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(project.get_absolute_url()).status_code == 404

    client.force_login(d.officer)
    response = client.post(reverse("restoration:project_step", args=[project.pk, "procuratorate"]),
                           {"procuratorate": invited.department_id, "invited_on": "2026-11-01",
                            "seen_state": project.state})
    assert response.status_code == 302
    assert invited.department in case.participants.all()

    client.force_login(invited)
    for url in (case.get_absolute_url(), project.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert 'data-testid="step-plan"' not in html(response)
        assert 'aria-label="办理操作"' not in html(response)
    step = reverse("restoration:project_step", args=[project.pk, "plan"])
    response = client.post(step, {"summary": "检察机关改写", "drafted_on": "2026-10-26",
                                  "plan_file": pdf(), "seen_state": project.state})
    assert response.status_code in (403, 404)
    project.refresh_from_db()
    assert project.state == "planning"

    client.force_login(other)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(project.get_absolute_url()).status_code == 404

