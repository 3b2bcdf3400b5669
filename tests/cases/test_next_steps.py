"""The case page's 下一步 card and its collapsed sections (issue 17): what the user may do now
anywhere in the case, what is not yet possible and why, nothing for whoever may not act, and
each section's own URL scoped like the case page."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case
from tests.factories import DepartmentFactory, UserFactory
from workflow import approvals
from workflow.approvals import inbox

from .test_case_flow import Org, make_case

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def org():
    return Org()


def card(client, case) -> str:
    """The 下一步 card of the case page, as HTML."""
    page = client.get(case.get_absolute_url()).content.decode()
    start = page.index('data-testid="next-steps"')
    return page[start:page.index("</section>", start)]


def test_a_draft_case_offers_its_form_and_names_what_the_submission_lacks(client, org):
    case = make_case(org, obligor=False)
    client.force_login(org.officer)
    html = card(client, case)
    assert reverse("cases:case_initiation", args=[case.pk]) in html
    # 提交启动审批 is not possible yet: the transition's own condition says why
    later = html[html.index("尚不能办理"):]
    assert "提交启动审批" in later and "须登记至少一名赔偿义务人" in later
    assert reverse("cases:case_submit_initiation", args=[case.pk]) not in html


def test_a_complete_draft_offers_the_submission_as_a_button(client, org):
    case = make_case(org)
    client.force_login(org.officer)
    html = card(client, case)
    assert f'action="{reverse("cases:case_submit_initiation", args=[case.pk])}"' in html
    assert 'name="seen_state" value="draft"' in html
    assert "尚不能办理" not in html


def test_the_approver_sees_the_decision_waiting_for_them_and_the_officer_does_not(client, org):
    case = make_case(org)
    approvals.request_approval(case, "case_initiation", by=org.officer, summary="启动")
    step = inbox(org.division_head).get()
    client.force_login(org.division_head)
    html = card(client, case)
    assert reverse("workflow:approval_decide", args=[step.pk]) in html
    assert "审批：索赔启动" in html
    client.force_login(org.department_head)  # second step: not yet theirs
    assert reverse("workflow:approval_decide", args=[step.pk]) not in card(client, case)
    client.force_login(org.officer)
    officer_card = card(client, case)
    assert "审批：" not in officer_card and "提交启动审批" not in officer_card


def test_an_investigating_case_links_to_the_investigation_and_the_appraisal(client, org):
    case = make_case(org)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INVESTIGATING)
    client.force_login(org.officer)
    html = card(client, case)
    assert reverse("cases:case_investigation", args=[case.pk]) in html
    assert reverse("cases:appraisal_entrust", args=[case.pk]) in html
    # the conclusion waits for the investigation report (the transition's condition)
    later = html[html.index("尚不能办理"):]
    assert "调查结束，形成调查结论" in later and "须填写调查情况登记表" in later


def test_a_coordinator_who_only_sees_the_case_gets_no_actions(client, org):
    lead = DepartmentFactory(jurisdiction=org.department.jurisdiction, is_lead=True)
    coordinator = UserFactory(department=lead, role=Role.COORDINATOR)
    case = make_case(org)
    client.force_login(coordinator)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    html = card(client, case)
    assert "没有需要办理的事项" in html and "<button" not in html and "btn" not in html
    assert "尚不能办理" not in html


def test_another_departments_officer_is_refused_the_page_and_every_section(client, org):
    case = make_case(org)
    other = Org()
    client.force_login(other.officer)
    assert client.get(case.get_absolute_url()).status_code == 404
    for name in ("investigation", "negotiation", "timeline", "approvals", "documents"):
        url = reverse("cases:case_section", args=[case.pk, name])
        assert client.get(url, **HTMX).status_code == 404
        assert client.get(url).status_code == 404


def test_a_section_is_a_fragment_for_htmx_and_a_page_without_scripts(client, org):
    case = make_case(org)
    client.force_login(org.officer)
    page = client.get(case.get_absolute_url()).content.decode()
    url = reverse("cases:case_section", args=[case.pk, "classification"])
    assert f'hx-get="{url}"' in page and f'href="{url}"' in page  # with and without scripts
    assert 'data-testid="case-classification"' not in page  # its body is not on the page
    fragment = client.get(url, **HTMX).content.decode()
    assert "<html" not in fragment and 'data-testid="case-classification"' in fragment
    full = client.get(url).content.decode()
    assert "<html" in full and 'data-testid="case-classification"' in full
    assert case.get_absolute_url() in full  # back to the case
    assert client.get(reverse("cases:case_section", args=[case.pk, "nonsense"])).status_code \
        == 404


def test_the_summary_does_not_read_the_panels(client, org, django_assert_max_num_queries):
    """The collapsed sections cost nothing until opened: the page's queries do not include the
    panels' (a generous bound; the bench measures the time)."""
    case = make_case(org)
    client.force_login(org.officer)
    client.get(case.get_absolute_url())
    with django_assert_max_num_queries(30):
        client.get(case.get_absolute_url())
