"""Status for the referring body (NT 三(二); SX 第八条) and the denials: every way in goes
through the one scoping rule, so another department's record answers 404; a revoked token 401;
an operation the client was not given 403; too many calls 429."""

import hashlib

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.roles import Role
from api.models import ApiCall, ApiClient, Operation
from api.services import revoke_client
from cases.models import Case
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory, DepartmentFactory, UserFactory
from workflow import transitions
from workflow.approvals import inbox

from .conftest import Caller, clue_payload, make_client

pytestmark = pytest.mark.django_db


def test_status_of_a_clue_it_sent_and_of_the_case_opened_from_it(api, dept):
    number = api.post("/api/v1/clues", clue_payload()).json()["number"]
    status = api.get(f"/api/v1/clues/{number}")
    assert status.status_code == 200
    body = status.json()
    assert body["kind"] == "clue" and body["next_deadline"]["kind"] == "verification"
    assert body["result"]["cases"] == [] and body["decisions"] == []

    case = CaseFactory(department=dept)
    case.clues.add(dept.clues.get(number=number))
    assert api.get(f"/api/v1/clues/{number}").json()["result"]["cases"] == [
        {"number": case.number, "stage": "draft", "stage_label": "索赔启动登记"}]
    case_body = api.get(f"/api/v1/cases/{case.number}").json()
    assert case_body["stage_label"] == "索赔启动登记" and case_body["clues"] == [number]
    assert case_body["result"]["closed"] is False


def test_the_decision_and_the_approval_are_reported(client, dept, registered):
    """The 不启动索赔 decided on the pages (officer, then the 机构负责人's approval) is what the
    referring body reads: the decision, its reason and the approval's opinion."""
    officer = UserFactory(department=dept, role=Role.OFFICER)
    head = UserFactory(department=dept, role=Role.DIVISION_HEAD)
    clue = ClueFactory(department=dept, registered_by=officer, estimated_amount="3000.00")
    transitions.perform(clue, "start_verification", by=officer)
    client.force_login(officer)
    client.post(reverse("screening:clue_not_start", args=[clue.pk]),
                {"decision_reason": "already_restored", "note": "已由义务人恢复原状。",
                 "seen_state": "verifying"})
    client.force_login(head)
    client.post(reverse("workflow:approval_decide", args=[inbox(head).get().pk]),
                {"decision": "approve", "opinion": "同意不启动。"})
    client.logout()
    body = Caller(client, registered[1]).get(f"/api/v1/clues/{clue.number}").json()
    assert body["state_label"] == "决定不启动"
    assert body["result"]["decision_label"] == "不启动索赔"
    assert body["result"]["decision_reason"] == "already_restored"
    [approval] = body["decisions"]
    assert approval["status_label"] == "已批准"
    assert approval["steps"][0]["opinion"] == "同意不启动。"
    assert body["next_deadline"] is None  # the 初步核查 clock closed with the decision


def test_another_departments_clue_and_case_are_not_found(api):
    other = DepartmentFactory()
    clue, case = ClueFactory(department=other), CaseFactory(department=other)
    for url in (f"/api/v1/clues/{clue.number}", f"/api/v1/cases/{case.number}"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["detail"] == "未找到该记录，或不在本客户端可查看的范围内。"


def test_the_lead_department_sees_its_jurisdiction_like_on_the_pages(client, dept):
    lead = DepartmentFactory(jurisdiction=dept.jurisdiction, is_lead=True, kind="other")
    clue = ClueFactory(department=dept)
    _, token = make_client(lead, role=Role.COORDINATOR)
    assert Caller(client, token).get(f"/api/v1/clues/{clue.number}").status_code == 200


def test_a_revoked_token_is_refused(client, api, registered):
    assert api.get("/api/v1/clues/NONE").status_code == 404
    revoke_client(registered[0])
    response = api.get("/api/v1/clues/NONE")
    assert response.status_code == 401
    assert response.json()["detail"] == "未提供有效的接口令牌，或令牌已被吊销。"
    assert response["WWW-Authenticate"] == "Bearer"


def test_no_token_or_a_wrong_one_is_401(client):
    assert Caller(client, None).get("/api/v1/clues/X").status_code == 401
    assert Caller(client, "eck_wrong").get("/api/v1/clues/X").status_code == 401


def test_the_token_is_stored_hashed(registered):
    client, token = registered
    stored = ApiClient.objects.get(pk=client.pk)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiClient.objects.values().get(pk=client.pk))
    assert not stored.user.has_usable_password()


def test_an_operation_not_given_is_forbidden(client, dept):
    _, token = make_client(dept, operations=[Operation.READ_STATUS])
    response = Caller(client, token).post("/api/v1/clues", clue_payload())
    assert response.status_code == 403
    assert response.json()["detail"] == "本客户端未获准“报送线索”操作。"


def test_the_role_limits_what_a_client_does_as_on_the_pages(client, dept):
    _, token = make_client(dept, role=Role.DEPARTMENT_HEAD)  # read-only on clues
    response = Caller(client, token).post("/api/v1/clues", clue_payload())
    assert response.status_code == 403
    assert response.json()["detail"] == "本客户端的角色（部门负责人）无权“报送线索”。"


@override_settings(ECOCLAIM_API_RATE_LIMIT="3/min")
def test_too_many_calls_answer_429_per_client(client, api, dept):
    answers = [api.get("/api/v1/clues/X").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    last = api.get("/api/v1/clues/X")
    assert last.json()["detail"] == "调用过于频繁，请稍后再试。" and int(last["Retry-After"]) > 0
    # another client has its own allowance
    _, token = make_client(dept, name="另一平台")
    assert Caller(client, token).get("/api/v1/clues/X").status_code == 404


def test_every_call_is_recorded_as_the_client(api, registered):
    api.get("/api/v1/clues/X")
    api.post("/api/v1/clues", clue_payload())
    calls = ApiCall.objects.filter(client=registered[0]).order_by("id")
    assert [(c.method, c.status) for c in calls] == [("GET", 404), ("POST", 201)]


def test_a_case_of_the_department_is_seen_with_its_stage(api, dept):
    case = CaseFactory(department=dept)
    body = api.get(f"/api/v1/cases/{case.number}").json()
    assert body["stage"] == Case.Stage.DRAFT and body["next_deadline"] is None
