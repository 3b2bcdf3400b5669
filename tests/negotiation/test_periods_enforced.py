"""The deadline engine acts on a negotiation's periods: past the 90 days (or the reply date)
the officer and the division head are told that 磋商不成 applies and litigation should follow
(CQ 七(三); SX 第十九条)."""

import datetime

import pytest
import time_machine

from negotiation import services
from tests.negotiation.factories import desk, in_progress, served
from workflow.deadlines import process_alerts, scan_deadlines
from workflow.models import Notification

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime.datetime(*args, 1, tzinfo=datetime.UTC)


def run_engine(when):
    with time_machine.travel(when, tick=False):
        scan_deadlines()
        process_alerts()


def test_the_ninety_days_passing_tells_officer_and_division_head_to_litigate():
    d = desk("SX")
    with time_machine.travel(at(2026, 10, 9), tick=False):
        negotiation = in_progress(d)  # served 30 September: the period ends 29 December
    run_engine(at(2026, 12, 29))
    assert not Notification.objects.filter(title__startswith="磋商期限已届满").exists()
    run_engine(at(2026, 12, 30))
    told = Notification.objects.filter(title__startswith="磋商期限已届满")
    assert set(told.values_list("recipient", flat=True)) == {d.officer.pk, d.division_head.pk}
    assert "应当及时提起诉讼" in told.first().body
    assert told.first().url == negotiation.get_absolute_url()
    run_engine(at(2026, 12, 31))
    assert told.count() == 2  # once


def test_no_reply_by_the_date_of_the_notice_is_reported_but_not_after_a_reply():
    d = desk("SX")
    with time_machine.travel(at(2026, 10, 1), tick=False):
        silent = served(d)  # reply due 15 October
        answered = served(d)
    with time_machine.travel(at(2026, 10, 10), tick=False):
        services.record_reply(answered, reply="agreed", replied_on=datetime.date(2026, 10, 10),
                              by=d.officer)
    run_engine(at(2026, 10, 16))
    told = Notification.objects.filter(title__startswith="赔偿义务人未按期答复")
    assert told.count() == 2
    assert {n.url for n in told} == {silent.get_absolute_url()}


def test_a_finished_round_is_left_alone():
    d = desk("SX")
    with time_machine.travel(at(2026, 10, 9), tick=False):
        negotiation = in_progress(d)
        services.fail_negotiation(negotiation, reason="other", note="义务人注销", by=d.officer)
    run_engine(at(2026, 12, 30))
    assert not Notification.objects.filter(title__startswith="磋商期限已届满").exists()
