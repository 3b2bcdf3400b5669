"""The demo tells a true story (issue 17) over 8 quarters of two cities (issue 15): `load_demo` walks every demo matter step by step on
its own dates, counted back from the day it runs, so no record's history goes backwards and
nothing is dated after the load (workflow/demo_clock.py)."""

import datetime
from io import StringIO
from itertools import pairwise

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case
from negotiation.models import Agreement, JudicialConfirmation, Negotiation
from workflow.models import ApprovalRequest, AuditEvent

pytestmark = pytest.mark.django_db

LOADED_AT = datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)


@pytest.fixture
def demo(db):
    with time_machine.travel(LOADED_AT, tick=False):
        call_command("load_demo", stdout=StringIO())
    return timezone.localdate(LOADED_AT)


def test_no_history_goes_backwards_or_into_the_future_and_each_case_is_in_order(demo):
    """One load for all the checks (a load takes a while)."""
    _cases_in_order(demo)
    _province_dashboard(demo)
    assert not AuditEvent.objects.filter(at__gt=LOADED_AT).exists()
    assert not ApprovalRequest.objects.filter(requested_at__gt=LOADED_AT).exists()
    assert AuditEvent.objects.filter(at__lt=LOADED_AT - datetime.timedelta(days=90)).exists()
    history: dict[tuple, list] = {}
    for content_type, object_id, at in AuditEvent.objects.order_by("id").values_list(
            "content_type", "object_id", "at").iterator():
        history.setdefault((content_type, object_id), []).append(at)
    for subject, moments in history.items():
        assert moments == sorted(moments), subject


def _steps(case: Case) -> list[tuple[str, datetime.date]]:
    """The case's dated steps in lifecycle order."""
    clue = case.clues.get()
    steps = [("发现", clue.found_on), ("登记", clue.registered_on), ("启动", case.opened_on)]
    if case.court_notified_on:
        steps.append(("告知法院", case.court_notified_on))
    negotiation = Negotiation.objects.filter(case=case).order_by("pk").first()
    if negotiation and negotiation.notice_issued_on:
        steps.append(("磋商告知", negotiation.notice_issued_on))
        for service in negotiation.service_attempts.order_by("pk"):
            steps.append(("送达", service.attempted_on))
        for meeting in negotiation.meetings.order_by("pk"):
            steps.append(("磋商会议", meeting.held_on))
    agreement = Agreement.objects.filter(case=case, signed_on__isnull=False).first()
    if agreement:
        steps.append(("签订协议", agreement.signed_on))
    for confirmation in JudicialConfirmation.objects.filter(case=case).order_by("pk"):
        steps += [("申请司法确认", confirmation.applied_on), ("裁定", confirmation.ruling_date)]
    return [(name, day) for name, day in steps if day is not None]


def _cases_in_order(demo):
    cases = Case.objects.all()
    assert cases.count() >= 11
    for case in cases:
        steps = _steps(case)
        days = [day for _, day in steps]
        assert all(a[1] <= b[1] for a, b in pairwise(steps)), (case.summary, steps)
        assert days[-1] <= demo, (case.summary, steps)
        created = AuditEvent.objects.filter(
            object_id=str(case.pk), content_type__model="case").order_by("id").first()
        assert timezone.localdate(created.at) == case.opened_on, case.summary


def _province_dashboard(demo):
    """省生态环境厅 (shengting) sees both cities side by side, each with cases and money, and
    cases started in several quarters, terminated in more than one, two closed (issue 15)."""
    from accounts.models import User
    from oversight import figures
    from oversight.forms import DashboardFilterForm

    user = User.objects.get(username="shengting")
    with time_machine.travel(LOADED_AT, tick=False):
        sel = DashboardFilterForm(None, user=user, today=demo).selection()
        trend = figures.case_trend(sel)
        units = figures.breakdown(sel)
        money = figures.money(sel)
    # every one of the 8 quarters has cases started: before SX (2025年7月10日) under the
    # national baseline's version of the rule set (oversight/demo.py: pre_local_profile)
    assert len(trend) == 8 and all(q.started for q in trend), trend
    assert trend[0].period.start < datetime.date(2025, 7, 10)
    assert sum(1 for q in trend if q.terminated) >= 2, trend
    assert sum(q.closed for q in trend) == 2, trend
    rows = {row.label: row for row in units.rows}
    for city in ("太原市人民政府", "大同市人民政府"):
        row = rows[city]
        assert row.clues and row.cases_active and row.claimed > 0 and row.paid > 0, row
    assert money.total.agreed > 0 and money.total.paid > 0 and money.total.claimed > 0
