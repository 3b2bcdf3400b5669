"""The case stage machine (DOMAIN §3.2–§3.3): form [1] with the 机构负责人 then 部门负责人
approvals (NAT 三), send-back at either level, the investigation period (CQ 五), the
conclusion, and termination with form [3] and the same two approvals."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case, CaseObligor
from rules.models import RuleSet
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory
from tests.parties.factories import OrganisationFactory
from workflow import approvals, transitions
from workflow.approvals import inbox
from workflow.deadlines import deadlines_of
from workflow.models import ApprovalRequest, DeadlineKind

pytestmark = pytest.mark.django_db


class Org:
    def __init__(self, code="CQ"):
        jurisdiction = JurisdictionFactory(rule_set=RuleSet.objects.get(code=code))
        self.department = DepartmentFactory(jurisdiction=jurisdiction)
        self.officer = UserFactory(department=self.department, role=Role.OFFICER)
        self.division_head = UserFactory(department=self.department, role=Role.DIVISION_HEAD)
        self.department_head = UserFactory(department=self.department, role=Role.DEPARTMENT_HEAD)


def make_case(org: Org, *, obligor=True, **fields) -> Case:
    jurisdiction = org.department.jurisdiction
    case = Case.objects.create(
        number=f"{jurisdiction.code}-2026-SP{Case.objects.count() + 1:04d}",
        jurisdiction=jurisdiction, department=org.department,
        rule_profile=jurisdiction.rule_profile_on(datetime.date(2026, 9, 1)),
        source="日常监管、执法巡查发现的", cause="某企业超标排放造成河段水体污染",
        summary="经核查，造成下游河段水体损害，应当启动索赔。", created_by=org.officer, **fields)
    if obligor:
        CaseObligor.objects.create(case=case, party=OrganisationFactory())
    return case


@pytest.fixture
def org():
    return Org()


def approve(client, user, *, decision="approve", opinion="同意。"):
    client.force_login(user)
    step = inbox(user).get()
    return client.post(reverse("workflow:approval_decide", args=[step.pk]),
                       {"decision": decision, "opinion": opinion})


def said(client, response) -> list[str]:
    """The messages a redirect after a decision leaves for the next page."""
    return [str(m) for m in client.get(response.url).context["messages"]]


def submit(client, org, case):
    client.force_login(org.officer)
    return client.post(reverse("cases:case_submit_initiation", args=[case.pk]),
                       {"seen_state": case.stage})


def stage(case) -> str:
    return Case.objects.get(pk=case.pk).stage


def test_initiation_needs_both_heads_in_order(client, org):
    case = make_case(org)
    submit(client, org, case)
    assert stage(case) == Case.Stage.INITIATION_APPROVAL
    assert not inbox(org.department_head).exists()  # the department head waits for the first

    # each decision says what happened and what comes next (workflow.approvals.decision_message)
    title = ApprovalRequest.objects.get().title
    first = approve(client, org.division_head, opinion="同意启动，报局领导审定。")
    assert said(client, first)[-1] == f"已同意。“{title}”待部门负责人审批。"
    assert stage(case) == Case.Stage.INITIATION_APPROVAL
    last = approve(client, org.department_head, opinion="同意。")
    assert said(client, last)[-1] == f"已同意。“{title}”已批准，案件现为“调查中”。"
    case.refresh_from_db()
    assert case.stage == Case.Stage.INVESTIGATING
    assert case.investigation_started_on is not None
    request = ApprovalRequest.objects.get(action="case_initiation")
    assert [s.opinion for s in request.steps.order_by("order")] == ["同意启动，报局领导审定。", "同意。"]


@pytest.mark.parametrize("returning", ["division_head", "department_head"])
def test_either_head_can_send_it_back_with_an_opinion(client, org, returning):
    case = make_case(org)
    submit(client, org, case)
    if returning == "department_head":
        approve(client, org.division_head)
    returned = approve(client, getattr(org, returning), decision="return", opinion="请补充损害事实。")
    assert said(client, returned)[-1].startswith("已退回申请人。")
    assert stage(case) == Case.Stage.DRAFT
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.RETURNED
    assert not inbox(org.department_head).exists()
    # resubmitting starts a fresh request
    submit(client, org, case)
    assert stage(case) == Case.Stage.INITIATION_APPROVAL
    assert ApprovalRequest.objects.filter(status="pending").count() == 1


def test_form_one_needs_an_obligor_and_a_reason(client, org):
    case = make_case(org, obligor=False)
    response = submit(client, org, case)
    assert response.status_code == 302
    assert stage(case) == Case.Stage.DRAFT
    assert not ApprovalRequest.objects.exists()


def test_others_cannot_submit_approve_or_see(client, org):
    case = make_case(org)
    finance = UserFactory(department=org.department, role=Role.FINANCE)
    stranger = UserFactory(role=Role.OFFICER)
    client.force_login(finance)
    assert client.post(reverse("cases:case_submit_initiation", args=[case.pk])).status_code == 403
    client.force_login(stranger)
    assert client.post(reverse("cases:case_submit_initiation", args=[case.pk])).status_code == 404
    assert client.get(case.get_absolute_url()).status_code == 404
    submit(client, org, case)
    step = inbox(org.division_head).get()
    for user in (org.officer, org.department_head, UserFactory(role=Role.DIVISION_HEAD)):
        client.force_login(user)
        response = client.post(reverse("workflow:approval_decide", args=[step.pk]),
                               {"decision": "approve", "opinion": "同意"})
        assert response.status_code == 404
    assert stage(case) == Case.Stage.INITIATION_APPROVAL


def test_the_investigation_period_starts_on_approval_under_cq(client, org):
    case = make_case(org)
    submit(client, org, case)
    approve(client, org.division_head)
    approve(client, org.department_head)
    deadline = deadlines_of(case).get(kind=DeadlineKind.INVESTIGATION)
    assert deadline.citation.startswith("CQ 五")
    assert deadline.start_date == Case.objects.get(pk=case.pk).investigation_started_on


def test_no_investigation_period_where_the_profile_sets_none():
    org = Org("SX")
    case = make_case(org)
    client_case = case
    approvals.request_approval(client_case, "case_initiation", by=org.officer, summary="启动")
    for head in (org.division_head, org.department_head):
        approvals.decide(inbox(head).get(), by=head, approve=True, opinion="同意")
    assert stage(case) == Case.Stage.INVESTIGATING
    assert not deadlines_of(case).filter(kind=DeadlineKind.INVESTIGATION).exists()


def _investigating(org) -> Case:
    case = make_case(org)
    approvals.request_approval(case, "case_initiation", by=org.officer, summary="启动")
    for head in (org.division_head, org.department_head):
        approvals.decide(inbox(head).get(), by=head, approve=True, opinion="同意")
    return Case.objects.get(pk=case.pk)


def test_concluding_needs_the_form_two_record_and_opens_the_conclusion_period():
    org = Org("SX")
    case = _investigating(org)
    with pytest.raises(transitions.ConditionsNotMet, match="调查情况登记表"):
        transitions.perform(case, "conclude_investigation", by=org.officer)
    investigation = case.investigation
    investigation.damage_facts = "2026年8月排放含镍废水，下游300米河段受污染。"
    investigation.legal_basis = "《民法典》第一千二百三十四条、第一千二百三十五条"
    investigation.suggestion = "建议开展磋商。"
    investigation.save()
    case = transitions.perform(case, "conclude_investigation", by=org.officer)
    assert case.stage == Case.Stage.CONCLUDED
    conclusion = deadlines_of(case).get(kind=DeadlineKind.INVESTIGATION_CONCLUSION)
    assert conclusion.citation == "SX 第十七条"
    case = transitions.perform(case, "start_negotiation", by=org.officer)
    conclusion.refresh_from_db()
    assert conclusion.status == "met"


def test_termination_needs_both_approvals_and_leaves_the_case_read_only(client):
    org = Org("SX")
    case = _investigating(org)
    investigation = case.investigation
    investigation.damage_facts, investigation.legal_basis = "损害轻微", "SX 第十一条"
    investigation.suggestion = "建议终止索赔"
    investigation.save()
    case = transitions.perform(case, "conclude_investigation", by=org.officer)
    client.force_login(org.officer)
    response = client.post(reverse("cases:case_terminate", args=[case.pk]), {"reason": ""})
    assert "请填写理由。" in response.content.decode()
    client.post(reverse("cases:case_terminate", args=[case.pk]),
                {"reason": "经调查，损害已由义务人修复完毕。", "seen_state": "concluded"})
    assert stage(case) == Case.Stage.TERMINATION_APPROVAL
    approve(client, org.division_head)
    approve(client, org.department_head)
    case.refresh_from_db()
    assert case.stage == Case.Stage.TERMINATED
    assert case.termination_reason == "经调查，损害已由义务人修复完毕。"
    client.force_login(org.officer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "办理操作" not in page
    response = client.post(reverse("cases:case_initiation", args=[case.pk]),
                           {"source": "x", "cause": "改写"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).cause != "改写"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_heads_deciding_the_same_step_at_once_one_wins():
    org = Org()
    case = make_case(org)
    approvals.request_approval(case, "case_initiation", by=org.officer, summary="启动")
    second_head = UserFactory(department=org.department, role=Role.DIVISION_HEAD)
    step = inbox(org.division_head).get()
    barrier, outcomes = threading.Barrier(2), []

    def decide(user, approve_it):
        try:
            barrier.wait()
            approvals.decide(step, by=user, approve=approve_it, opinion="意见")
            outcomes.append("ok")
        except approvals.ApprovalError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(org.division_head, True)),
               threading.Thread(target=decide, args=(second_head, False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcomes.count("ok") == 1
    assert "该申请已由他人处理" in [o for o in outcomes if o != "ok"][0]
    assert stage(case) in (Case.Stage.INITIATION_APPROVAL, Case.Stage.DRAFT)


def test_an_appraisal_entrusted_the_day_the_investigation_starts_pauses_the_clock(org):
    case = _investigating(org)  # CQ 五: 30 days, appraisal time excluded
    deadline = deadlines_of(case).get(kind=DeadlineKind.INVESTIGATION)
    case = transitions.perform(case, "start_appraisal", by=org.officer)
    deadline.refresh_from_db()
    assert deadline.paused_since == case.investigation_started_on
    case = transitions.perform(case, "finish_appraisal", by=org.officer)
    deadline.refresh_from_db()
    assert deadline.paused_since is None and deadline.status == "open"


def test_the_case_timeline_shows_the_approvals_and_evidence_too(client, org):
    case = make_case(org)
    submit(client, org, case)
    approve(client, org.division_head, opinion="同意，报局领导。")
    client.force_login(org.officer)
    page = client.get(reverse("cases:case_section", args=[case.pk, "timeline"]),
                      HTTP_HX_REQUEST="true").content.decode()
    assert "提交启动审批" in page  # the case's own transition
    assert "审批环节" in page and "同意，报局领导。" in page  # the approval step's audit event
    assert "赔偿义务人" in page


def test_only_the_lead_coordinator_designates_joint_handling(client, org):
    org.department.is_lead = True
    org.department.save()
    case = make_case(org)
    water = DepartmentFactory(jurisdiction=org.department.jurisdiction, kind="water")
    coordinator = UserFactory(department=org.department, role=Role.COORDINATOR)
    url = reverse("cases:case_joint", args=[case.pk])
    for user in (org.officer, org.division_head):
        client.force_login(user)
        assert client.post(url, {"participants": [water.pk]}).status_code == 403
    client.force_login(coordinator)
    response = client.post(url, {"participants": [], "lead_department": water.pk})
    assert "牵头办案部门须为办案部门或参与的联合办案部门" in response.content.decode()
    client.post(url, {"participants": [water.pk], "lead_department": water.pk})
    case.refresh_from_db()
    assert list(case.participants.all()) == [water] and case.lead_department == water
    water_officer = UserFactory(department=water, role=Role.OFFICER)
    client.force_login(water_officer)
    assert client.get(case.get_absolute_url()).status_code == 200  # a joint case is in scope
