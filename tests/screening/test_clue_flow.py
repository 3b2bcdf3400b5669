"""The clue state machine of DOMAIN §3.1 through its pages: verification, 启动索赔 approved
once with the case's start (NAT 三), the division head's approval of 不启动索赔, sending back, referral with a new clock, the procuratorate
feedback rule (CQ 三; SX 第八条) and closing."""


import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import Case
from screening.models import Clue, Referral, SourceChannel
from tests.factories import ClueFactory, DepartmentFactory, UserFactory
from tests.parties.factories import OrganisationFactory
from workflow import transitions
from workflow.approvals import inbox
from workflow.audit import history
from workflow.models import ApprovalRequest, ApprovalStep, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept():
    return DepartmentFactory()


@pytest.fixture
def officer(dept):
    return UserFactory(department=dept, role=Role.OFFICER)


@pytest.fixture
def head(dept):
    return UserFactory(department=dept, role=Role.DIVISION_HEAD)


@pytest.fixture
def verifying(officer):
    clue = ClueFactory(department=officer.department, registered_by=officer)
    clue.suspected_obligors.add(OrganisationFactory())  # form [1] names the obligor
    return transitions.perform(clue, "start_verification", by=officer)


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def test_registration_keeps_the_rule_profile_in_force_when_found(officer):
    clue = ClueFactory(department=officer.department)
    assert clue.rule_profile.rule_set.code == "SX"
    assert clue.rule_profile.effective_from <= clue.found_on


def test_exclusion_needs_a_reason(client, officer, verifying):
    url = reverse("screening:clue_transition", args=[verifying.pk])
    post(client, officer, url, {"transition": "exclude", "seen_state": "verifying", "reason": ""})
    assert Clue.objects.get(pk=verifying.pk).state == Clue.State.VERIFYING
    post(client, officer, url, {"transition": "exclude", "seen_state": "verifying",
                                "reason": "已通过行政处罚责令修复完毕（CQ 二）"})
    assert Clue.objects.get(pk=verifying.pk).state == Clue.State.EXCLUDED
    assert history(verifying).first().reason == "已通过行政处罚责令修复完毕（CQ 二）"


@pytest.fixture
def boss(dept):
    return UserFactory(department=dept, role=Role.DEPARTMENT_HEAD)


def start_approved(client, officer, head, boss, case, opinions=("同意启动索赔。", "同意。")):
    """The officer submits form [1]; the 机构负责人 then the 部门负责人 agree."""
    client.force_login(officer)
    response = client.post(reverse("cases:case_submit_initiation", args=[case.pk]),
                           {"seen_state": "draft"}, follow=True)
    assert "已提交启动审批" in response.content.decode()
    for user, opinion in zip((head, boss), opinions, strict=True):
        client.force_login(user)
        (step,) = inbox(user)
        client.post(reverse("workflow:approval_decide", args=[step.pk]),
                    {"decision": "approve", "opinion": opinion})


def test_the_approver_decides_once_and_the_case_starts_with_one_recorded_approval(
        client, officer, head, boss, verifying):
    """NAT 三: a claim starts once 负责人同意; form [1] (NAT 示范文本[1]) records the
    机构负责人's then the 部门负责人's opinion. The clue's 启动索赔 opens the case and waits
    for that one approval (issue 17)."""
    response = post(client, officer, reverse("cases:open_from_clue", args=[verifying.pk]),
                    {"note": "经核查造成水体损害，应当启动索赔。", "seen_state": "verifying"})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    clue = Clue.objects.get(pk=verifying.pk)
    assert clue.state == Clue.State.AWAITING_APPROVAL
    assert list(case.clues.all()) == [clue] and case.stage == Case.Stage.DRAFT
    assert case.summary == "经核查造成水体损害，应当启动索赔。"
    assert case.department == clue.department and case.rule_profile == clue.rule_profile
    assert not ApprovalRequest.objects.exists() and not inbox(head).exists()

    start_approved(client, officer, head, boss, case)
    (request,) = ApprovalRequest.objects.all()
    assert request.action == "case_initiation" and request.status == "approved"
    steps = list(request.steps.order_by("order"))
    assert [(s.decided_by, s.opinion) for s in steps] == [
        (head, "同意启动索赔。"), (boss, "同意。")]
    assert all(s.decided_at is not None for s in steps)
    assert Case.objects.get().stage == Case.Stage.INVESTIGATING
    clue = Clue.objects.get(pk=verifying.pk)
    assert clue.state == Clue.State.CASE_OPENED and clue.decided_on is not None
    # the clue's transition carries the same approval record: who, when, opinion
    event = history(clue).filter(action=AuditEvent.Action.TRANSITION).first()
    assert event.actor == boss and event.to_state == "已启动索赔"
    assert event.approval["request"] == request.pk
    assert [s["opinion"] for s in event.approval["steps"]] == ["同意启动索赔。", "同意。"]
    # the 机构负责人 decided once in all
    assert ApprovalStep.objects.filter(decided_by=head).count() == 1


def test_the_start_approval_page_shows_the_clue_and_says_it_is_the_only_one(
        client, officer, head, boss, verifying):
    post(client, officer, reverse("cases:open_from_clue", args=[verifying.pk]),
         {"note": "应当启动索赔。", "seen_state": "verifying"})
    client.force_login(officer)
    case = Case.objects.get()
    client.post(reverse("cases:case_submit_initiation", args=[case.pk]), {"seen_state": "draft"})
    client.force_login(head)
    page = client.get(reverse("workflow:approval_decide", args=[inbox(head).get().pk]))
    text = page.content.decode()
    assert f"来源线索 {verifying.number}" in text and verifying.summary in text
    assert "启动索赔只审批一次" in text


def test_a_second_clue_joins_a_started_case_under_its_approval(client, officer, head, boss,
                                                               verifying):
    first = verifying
    post(client, officer, reverse("cases:open_from_clue", args=[first.pk]),
         {"note": "启动", "seen_state": "verifying"})
    case = Case.objects.get()
    start_approved(client, officer, head, boss, case)
    second = transitions.perform(ClueFactory(department=officer.department),
                                 "start_verification", by=officer)
    post(client, officer, reverse("cases:open_from_clue", args=[second.pk]),
         {"note": "同一污染源", "join_case": case.pk, "seen_state": "verifying"})
    second = Clue.objects.get(pk=second.pk)
    assert Case.objects.count() == 1 and ApprovalRequest.objects.count() == 1
    assert second.state == Clue.State.CASE_OPENED
    assert set(case.clues.all()) == {Clue.objects.get(pk=first.pk), second}
    event = history(second).filter(action=AuditEvent.Action.TRANSITION).first()
    assert event.actor == officer
    assert event.approval["request"] == ApprovalRequest.objects.get().pk


def test_clues_joined_before_the_start_are_started_by_the_one_approval(client, officer, head,
                                                                       boss, verifying):
    post(client, officer, reverse("cases:open_from_clue", args=[verifying.pk]),
         {"note": "启动", "seen_state": "verifying"})
    case = Case.objects.get()
    second = transitions.perform(ClueFactory(department=officer.department),
                                 "start_verification", by=officer)
    post(client, officer, reverse("cases:open_from_clue", args=[second.pk]),
         {"note": "同一污染源", "join_case": case.pk, "seen_state": "verifying"})
    assert Clue.objects.get(pk=second.pk).state == Clue.State.AWAITING_APPROVAL
    start_approved(client, officer, head, boss, case)
    assert set(Clue.objects.values_list("state", flat=True)) == {Clue.State.CASE_OPENED}
    assert ApprovalRequest.objects.count() == 1


def test_sending_back_returns_the_clue_to_verification_with_the_opinion(client, officer, head,
                                                                        verifying):
    post(client, officer, reverse("screening:clue_not_start", args=[verifying.pk]),
         {"decision_reason": "no_damage", "note": "现场核查未见损害。", "seen_state": "verifying"})
    client.force_login(head)
    response = client.post(reverse("workflow:approval_decide", args=[inbox(head).get().pk]),
                           {"decision": "return", "opinion": "请补充监测报告。"})
    assert response.status_code == 302
    clue = Clue.objects.get(pk=verifying.pk)
    assert clue.state == Clue.State.VERIFYING
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.RETURNED
    assert history(clue).first().reason == "请补充监测报告。"


def test_an_opinion_is_required_and_nothing_changes_without_it(client, officer, head, verifying):
    post(client, officer, reverse("screening:clue_not_start", args=[verifying.pk]),
         {"decision_reason": "no_damage", "note": "未见损害。", "seen_state": "verifying"})
    client.force_login(head)
    response = client.post(reverse("workflow:approval_decide", args=[inbox(head).get().pk]),
                           {"decision": "approve", "opinion": ""})
    assert "请填写审批意见。" in response.content.decode()
    assert Clue.objects.get(pk=verifying.pk).state == Clue.State.AWAITING_APPROVAL


def test_only_the_division_head_of_the_handling_department_decides(client, officer, verifying):
    post(client, officer, reverse("screening:clue_not_start", args=[verifying.pk]),
         {"decision_reason": "no_damage", "note": "未见损害。", "seen_state": "verifying"})
    step = ApprovalRequest.objects.get().steps.get()
    other_head = UserFactory(role=Role.DIVISION_HEAD)  # another department
    department_head = UserFactory(department=officer.department, role=Role.DEPARTMENT_HEAD)
    for user in (other_head, department_head, officer):
        client.force_login(user)
        response = client.post(reverse("workflow:approval_decide", args=[step.pk]),
                               {"decision": "approve", "opinion": "同意"})
        assert response.status_code == 404, user
    assert Clue.objects.get(pk=verifying.pk).state == Clue.State.AWAITING_APPROVAL


def test_requests_are_refused_to_other_roles_and_departments(client, officer, verifying):
    url = reverse("cases:open_from_clue", args=[verifying.pk])
    finance = UserFactory(department=officer.department, role=Role.FINANCE)
    stranger = UserFactory(role=Role.OFFICER)
    assert post(client, finance, url, {"note": "x"}).status_code == 403
    assert post(client, stranger, url, {"note": "x"}).status_code == 404
    assert Clue.objects.get(pk=verifying.pk).state == Clue.State.VERIFYING
    assert not ApprovalRequest.objects.exists()


def test_trivial_is_refused_as_a_reason_when_the_assessment_does_not_support_it(
        client, officer, verifying):
    Clue.objects.filter(pk=verifying.pk).update(estimated_amount="3000.01")
    response = post(client, officer, reverse("screening:clue_not_start", args=[verifying.pk]),
                    {"decision_reason": "trivial", "note": "数额小", "seen_state": "verifying"})
    assert response.status_code == 200
    assert "显著轻微评估不支持此理由" in response.content.decode()
    assert Clue.objects.get(pk=verifying.pk).state == Clue.State.VERIFYING


def test_not_start_records_the_reason_and_the_assessment(client, officer, head, verifying):
    Clue.objects.filter(pk=verifying.pk).update(estimated_amount="3000.00")  # SX 第十条 以下
    post(client, officer, reverse("screening:clue_not_start", args=[verifying.pk]),
         {"decision_reason": "trivial", "note": "损害数额3000元。", "seen_state": "verifying"})
    client.force_login(head)
    client.post(reverse("workflow:approval_decide", args=[inbox(head).get().pk]),
                {"decision": "approve", "opinion": "同意不启动。"})
    clue = Clue.objects.get(pk=verifying.pk)
    assert clue.state == Clue.State.NOT_STARTED
    assert clue.decision_reason == Clue.NotStartReason.TRIVIAL
    assert clue.trivial_assessment["within_threshold"] is True
    assert "可以不启动索赔" in clue.trivial_assessment["suggestion"]
    assert clue.decided_on is not None


def _not_started_procuratorate_clue(client, officer, head):
    clue = ClueFactory(department=officer.department, registered_by=officer,
                       channel=SourceChannel.objects.get(code="procuratorate"),
                       source_organisation="某区人民检察院")
    clue = transitions.perform(clue, "start_verification", by=officer)
    post(client, officer, reverse("screening:clue_not_start", args=[clue.pk]),
         {"decision_reason": "already_restored", "note": "已由义务人恢复原状。",
          "seen_state": "verifying"})
    client.force_login(head)
    client.post(reverse("workflow:approval_decide", args=[inbox(head).get().pk]),
                {"decision": "approve", "opinion": "同意"})
    return Clue.objects.get(pk=clue.pk)


def test_a_referred_clue_not_started_cannot_close_before_the_procuratorate_is_told(
        client, officer, head):
    clue = _not_started_procuratorate_clue(client, officer, head)
    assert clue.needs_procuratorate_feedback
    client.force_login(officer)
    assert "须向某区人民检察院反馈" in client.get(reverse("home")).content.decode()
    with pytest.raises(transitions.ConditionsNotMet, match="须先记录向该检察机关的反馈"):
        transitions.perform(clue, "close", by=officer)

    response = post(client, officer, reverse("screening:clue_feedback", args=[clue.pk]),
                    {"sent_on": "", "content": ""})
    assert "请填写反馈日期。" in response.content.decode()
    post(client, officer, reverse("screening:clue_feedback", args=[clue.pk]),
         {"sent_on": timezone.localdate().isoformat(), "content": "已书面反馈不启动理由。"})
    clue = Clue.objects.get(pk=clue.pk)
    assert not clue.needs_procuratorate_feedback
    assert transitions.perform(clue, "close", by=officer).state == Clue.State.CLOSED


def test_referral_starts_a_new_clue_and_clock_in_the_receiving_department(client, officer,
                                                                          verifying):
    receiving = DepartmentFactory(kind="water")
    receiver = UserFactory(department=receiving, role=Role.OFFICER)
    procuratorate = DepartmentFactory(kind="procuratorate",
                                      jurisdiction=officer.department.jurisdiction)
    response = post(client, officer, reverse("screening:clue_refer", args=[verifying.pk]),
                    {"to_department": receiving.pk, "note": "属水利部门职责，随附现场照片。",
                     "copy_to": procuratorate.pk, "seen_state": "verifying"})
    assert response.status_code == 302
    assert Clue.objects.get(pk=verifying.pk).state == Clue.State.REFERRED
    referral = Referral.objects.get()
    assert procuratorate in verifying.participants.all()  # the copy: it can follow the clue

    client.force_login(receiver)
    assert "待接收的移送线索" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("screening:referral_detail", args=[referral.pk])).status_code == 200
    client.post(reverse("screening:referral_receive", args=[referral.pk]))
    referral.refresh_from_db()
    new = referral.received_clue
    assert new.department == receiving and new.state == Clue.State.REGISTERED
    assert new.registered_on == timezone.localdate()
    assert new.source_reference == verifying.number and new.number != verifying.number
    # the sender keeps a read-only view of the outcome
    client.force_login(officer)
    page = client.get(verifying.get_absolute_url()).content.decode()
    assert f"登记为 {new.number}" in page
    assert client.get(new.get_absolute_url()).status_code == 404


def test_another_department_cannot_receive_a_referral(client, officer, verifying):
    receiving = DepartmentFactory()
    post(client, officer, reverse("screening:clue_refer", args=[verifying.pk]),
         {"to_department": receiving.pk, "note": "移送", "seen_state": "verifying"})
    referral = Referral.objects.get()
    outsider = UserFactory(role=Role.OFFICER)
    client.force_login(outsider)
    assert client.post(reverse("screening:referral_receive", args=[referral.pk])).status_code == 404
    referral.refresh_from_db()
    assert referral.received_clue is None
