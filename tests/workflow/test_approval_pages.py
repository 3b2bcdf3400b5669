"""The approval page (issue 17) through its pages: what is being decided (the subject's summary
from its app's provider: facts, obligors, evidence, classification with reasons, amounts,
earlier opinions), opinion presets, the scope of who may open and decide it, and the
部门负责人's read-only "即将到达"."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from cases.classification import classify
from cases.models import Case, Evidence
from tests.cases.test_case_flow import Org, make_case, submit
from tests.factories import ClueFactory, UserFactory
from workflow import transitions
from workflow.approvals import inbox, upcoming
from workflow.attachments import attach
from workflow.models import ApprovalRequest, ApprovalStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return Org()


@pytest.fixture
def pending_case(client, org):
    case = make_case(org, estimated_amount=Decimal("1250000"))
    Evidence.objects.create(
        case=case, kind=Evidence.Kind.MONITORING, title="下游断面水质监测报告",
        recorded_by=org.officer,
        attachment=attach(case, SimpleUploadedFile("监测报告.pdf", b"%PDF-1.4 x"),
                          by=org.officer))
    attach(case, SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n"), by=org.officer)
    classify(case, by=org.officer)
    submit(client, org, case)
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.INITIATION_APPROVAL
    return case


def page(client, user, step):
    client.force_login(user)
    return client.get(reverse("workflow:approval_decide", args=[step.pk]))


def test_the_page_shows_what_is_being_decided(client, org, pending_case):
    step = inbox(org.division_head).get()
    html = page(client, org.division_head, step).content.decode()
    assert "某企业超标排放造成河段水体污染" in html  # 案由 (form [1])
    obligor = pending_case.obligor_links.get()
    assert str(obligor.party) in html  # 赔偿义务人
    assert "下游断面水质监测报告" in html  # the evidence catalogue, linked to its file
    assert "案件类别" in html and pending_case.classifications.first().label in html
    assert "1,250,000.00 元" in html  # amounts in the one format
    assert "现场照片.png" in html  # a file of the case outside the catalogue
    assert html.count("监测报告.pdf") == 0 and html.count("下游断面水质监测报告") == 1
    assert "启动索赔只审批一次" in html  # NAT 三; issue 17


def test_earlier_opinions_are_shown(client, org, pending_case):
    step = inbox(org.division_head).get()
    client.force_login(org.division_head)
    client.post(reverse("workflow:approval_decide", args=[step.pk]),
                {"decision": "return", "opinion": "退回补充，请补充下游取样点位图。"})
    submit(client, org, Case.objects.get(pk=pending_case.pk))
    html = page(client, org.division_head, inbox(org.division_head).get()).content.decode()
    assert "此前的审批意见" in html and "请补充下游取样点位图" in html

    client.post(reverse("workflow:approval_decide", args=[inbox(org.division_head).get().pk]),
                {"decision": "approve", "opinion": "同意启动，报局领导审定。"})
    html = page(client, org.department_head, inbox(org.department_head).get()).content.decode()
    assert "同意启动，报局领导审定。" in html  # the previous step's opinion


def test_the_clue_provider_shows_the_clue(client):
    clue = ClueFactory(summary="某化工厂夜间偷排，下游鱼类死亡。")
    officer = UserFactory(department=clue.department, role=Role.OFFICER)
    head = UserFactory(department=clue.department, role=Role.DIVISION_HEAD)
    clue = transitions.perform(clue, "start_verification", by=officer)
    client.force_login(officer)
    client.post(reverse("screening:clue_not_start", args=[clue.pk]),
                {"decision_reason": "no_damage", "note": "现场核查未见损害。",
                 "seen_state": "verifying"})
    html = page(client, head, inbox(head).get()).content.decode()
    assert "某化工厂夜间偷排，下游鱼类死亡。" in html and "现场核查未见损害。" in html
    assert clue.number in html and "2,800.00 元" in html


def test_presets_fill_the_opinion_which_stays_editable(client, org, pending_case):
    step = inbox(org.division_head).get()
    html = page(client, org.division_head, step).content.decode()
    for label in ("同意", "不同意", "退回补充"):
        assert f'">{label}</option>' in html
    # the decision buttons stay the only buttons named 同意 / 退回 (browser tests click them)
    assert html.count("同意</button>") == 1 and html.count("退回</button>") == 1
    assert "workflow/opinion_presets.js" in html and "<script>" not in html  # CSP: no inline
    # Without scripts 填入 posts back: the text is filled, nothing is decided.
    response = client.post(reverse("workflow:approval_decide", args=[step.pk]),
                           {"preset": "supplement", "fill": "1", "opinion": ""})
    assert response.status_code == 200
    assert "退回补充，请补充：</textarea>" in response.content.decode()
    assert ApprovalStep.objects.get(pk=step.pk).decision == ApprovalStep.Decision.PENDING
    # the approver edits it and decides
    client.post(reverse("workflow:approval_decide", args=[step.pk]),
                {"preset": "supplement", "decision": "return",
                 "opinion": "退回补充，请补充：监测点位图。"})
    step.refresh_from_db()
    assert step.decision == ApprovalStep.Decision.RETURNED
    assert step.opinion == "退回补充，请补充：监测点位图。"


def test_another_department_or_a_non_approver_is_refused(client, org, pending_case):
    step = inbox(org.division_head).get()
    other = Org()
    url = reverse("workflow:approval_decide", args=[step.pk])
    for user in (other.division_head, other.department_head, org.officer):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"decision": "approve", "opinion": "同意。"}).status_code == 404
    assert ApprovalStep.objects.get(pk=step.pk).decision == ApprovalStep.Decision.PENDING
    # the other department's head has nothing coming either
    client.force_login(other.department_head)
    assert pending_case.number not in client.get(
        reverse("workflow:approval_inbox")).content.decode()


def test_the_department_head_sees_what_is_coming_read_only(client, org, pending_case):
    assert not inbox(org.department_head).exists()
    (step,) = upcoming(org.department_head)
    client.force_login(org.department_head)
    html = client.get(reverse("workflow:approval_inbox")).content.decode()
    assert "即将到达" in html and str(pending_case) in html
    assert "待机构负责人审批" in html
    assert "即将到达：1 项" in client.get(reverse("home")).content.decode()

    html = page(client, org.department_head, step).content.decode()
    assert "即将到达" in html and "某企业超标排放造成河段水体污染" in html
    assert 'name="decision"' not in html and 'name="preset"' not in html
    url = reverse("workflow:approval_decide", args=[step.pk])
    assert client.post(url, {"decision": "approve", "opinion": "同意。"}).status_code == 403
    assert ApprovalStep.objects.get(pk=step.pk).decision == ApprovalStep.Decision.WAITING
    assert ApprovalRequest.objects.get(pk=step.request_id).status == "pending"

    # once the 机构负责人 agrees it is theirs to decide, and no longer "coming"
    client.force_login(org.division_head)
    client.post(reverse("workflow:approval_decide", args=[inbox(org.division_head).get().pk]),
                {"decision": "approve", "opinion": "同意。"})
    assert not upcoming(org.department_head).exists()
    assert inbox(org.department_head).get().pk == step.pk
    html = page(client, org.department_head, step).content.decode()
    assert 'name="decision"' in html


def test_a_not_start_shows_the_reason_and_the_trivial_assessment(client):
    clue = ClueFactory(estimated_amount=Decimal("3000.00"))  # SX 第十条: 3000 元以下
    officer = UserFactory(department=clue.department, role=Role.OFFICER)
    head = UserFactory(department=clue.department, role=Role.DIVISION_HEAD)
    clue = transitions.perform(clue, "start_verification", by=officer)
    client.force_login(officer)
    client.post(reverse("screening:clue_not_start", args=[clue.pk]),
                {"decision_reason": "trivial", "note": "损害数额3000元。",
                 "seen_state": "verifying"})
    clue.refresh_from_db()
    html = page(client, head, inbox(head).get()).content.decode()
    assert "不启动理由" in html and clue.get_decision_reason_display() in html
    assert "显著轻微评估" in html and "可以不启动索赔" in html
    assert "3,000.00 元" in html
