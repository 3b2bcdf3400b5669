"""The early end's approval page shows the project, why it ends and what is still owed (SX
第二十九条), with the case behind it (issue 17: the restoration provider)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from restoration import services
from tests.restoration.factories import D, agreement_with, walk
from tests.restoration.test_projects import TERM, only_project
from workflow import approvals

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]


def test_the_early_end_page_shows_the_project_and_the_amount_owed(client, d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "in_progress")
    services.request_early_end(project, reason="force_majeure", note="山洪冲毁修复区域",
                               amount=Decimal("80000"), due_on=D(2026, 12, 31), by=d.officer)
    step = approvals.inbox(d.division_head).get()
    client.force_login(d.division_head)
    html = client.get(reverse("workflow:approval_decide", args=[step.pk])).content.decode()
    assert "河段底泥清淤" in html and "山洪冲毁修复区域" in html
    assert "80,000.00 元" in html and "2026年12月31日" in html
    assert project.case.number in html
    # the 部门负责人 reads it ahead, without deciding
    client.force_login(d.department_head)
    (coming,) = approvals.upcoming(d.department_head)
    html = client.get(reverse("workflow:approval_decide", args=[coming.pk])).content.decode()
    assert "即将到达" in html and "山洪冲毁修复区域" in html and 'name="decision"' not in html
