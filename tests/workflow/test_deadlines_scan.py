"""The scan (workflow.deadlines.scan_deadlines) and the delivery of its alerts: reminders at
each offset, overdue, both escalation steps, the expiry hook, and exactly once under a
repeated scan, a scan killed before it committed, a retried task and two concurrent scans.

Time moves with time_machine; the scan and the delivery are called as plain functions, the
tasks through Celery's eager mode (test_celery_worker.py runs a real worker)."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse

from config.celery import app as celery_app
from workflow.deadlines import (
    expiry_handler,
    extend,
    forget_expiry_handler,
    mark_met,
    on_expiry,
    open_deadline,
    pause,
    process_alerts,
    resume,
    scan_deadlines,
)
from workflow.models import Deadline, DeadlineAlert, DeadlineKind, Notification
from workflow.notifications import notify
from workflow.tasks import process_deadline_alerts_task, scan_deadlines_task

from .test_deadlines import at, open_for, travel

pytestmark = pytest.mark.django_db

Kind = DeadlineKind
Alert = DeadlineAlert.Kind


def run(y, m, d, hour=9):
    """One scan on that day, then the delivery of what it raised."""
    with travel(y, m, d, hour):
        result = scan_deadlines()
        process_alerts(result.alerts)
    return result


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("created_at", "id")
                .values_list("title", flat=True))


@pytest.fixture
def people(demo_org):
    u = demo_org.by_username
    return u["jingban"], u["chuzhang"], u["juzhang"]


@pytest.fixture
def verification(demo_org):
    # SX 第九条: found 9月1日, due 10月8日 (国庆节 moved the last day)
    return open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))


@pytest.fixture
def eager_celery():
    """Tasks enqueued after commit run at once, in the calling thread."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_nothing_before_the_first_reminder(verification, people):
    assert verification.next_action_on == date(2026, 10, 1)  # due − 7 days
    result = run(2026, 9, 20)
    assert (result.deadlines, result.alerts) == (0, [])
    assert not Notification.objects.exists()


def test_reminders_at_each_offset_then_overdue_and_both_escalations(verification, people):
    officer, division_head, department_head = people
    run(2026, 10, 1)  # 7 days left
    assert inbox(officer) == ["期限提醒：初步核查期限还有7日届满（太原市生态环境局）"]
    run(2026, 10, 5)  # 3 days left
    run(2026, 10, 7)  # 1 day left
    assert inbox(officer)[1:] == ["期限提醒：初步核查期限还有3日届满（太原市生态环境局）",
                                  "期限提醒：初步核查期限还有1日届满（太原市生态环境局）"]
    run(2026, 10, 8)  # the last day: nothing new
    assert len(inbox(officer)) == 3
    assert Deadline.objects.get(pk=verification.pk).status == Deadline.Status.OPEN

    run(2026, 10, 9, hour=0)  # the first day after the last day
    deadline = Deadline.objects.get(pk=verification.pk)
    assert deadline.status == Deadline.Status.OVERDUE
    assert deadline.overdue_at == at(2026, 10, 9, 0)
    assert inbox(officer)[3] == "期限已届满：初步核查期限（太原市生态环境局）"
    # escalated to the division head at once (ECOCLAIM_DEADLINE_ESCALATE_DIVISION_DAYS = 0)
    assert inbox(division_head) == ["逾期督办：初步核查期限（太原市生态环境局）"]
    assert inbox(department_head) == []
    body = Notification.objects.get(recipient=division_head).body
    assert body.startswith("太原市生态环境局的初步核查期限（太原市生态环境局，责任人张明）"
                           "已于2026年10月8日届满，至今逾期1日尚未办结。")

    run(2026, 10, 11)
    assert inbox(department_head) == []
    run(2026, 10, 12)  # 3 further days (ECOCLAIM_DEADLINE_ESCALATE_DEPARTMENT_DAYS)
    assert inbox(department_head) == ["逾期督办（报部门负责人）：初步核查期限（太原市生态环境局）"]
    deadline.refresh_from_db()
    assert deadline.next_action_on is None  # nothing left to do for it
    assert len(inbox(officer)) == 4 and len(inbox(division_head)) == 1
    kinds = list(DeadlineAlert.objects.filter(deadline=deadline).order_by("id")
                 .values_list("kind", "offset"))
    assert kinds == [(Alert.REMINDER, 7), (Alert.REMINDER, 3), (Alert.REMINDER, 1),
                     (Alert.OVERDUE, 0), (Alert.ESCALATION_DIVISION, 0),
                     (Alert.ESCALATION_DEPARTMENT, 3)]
    assert all(a.processed_at for a in DeadlineAlert.objects.all())


def test_notifications_link_to_the_record_and_carry_the_explanation(verification, people):
    officer, _, _ = people
    run(2026, 10, 1)
    note = Notification.objects.get(recipient=officer)
    # a department has no page of its own: the deadline's page
    assert note.url == reverse("workflow:deadline_detail", args=[verification.pk])
    assert "期限届满日为2026年10月8日" in note.body
    assert note.verb == "deadline_reminder"


def test_a_title_naming_its_record_is_not_followed_by_it_again(demo_org, people):
    officer, _, _ = people
    open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1), title="太原市生态环境局 初步核查")
    run(2026, 10, 1)
    assert inbox(officer) == ["期限提醒：太原市生态环境局 初步核查还有7日届满"]


def test_a_late_scan_sends_only_the_closest_reminder(verification, people):
    officer, _, _ = people
    run(2026, 10, 6)  # the scan did not run on 10月1日 nor 10月5日: 2 days left
    assert inbox(officer) == ["期限提醒：初步核查期限还有2日届满（太原市生态环境局）"]
    assert DeadlineAlert.objects.get().offset == 3


def test_a_scan_after_a_long_outage_escalates_both_steps_at_once(verification, people):
    officer, division_head, department_head = people
    run(2026, 10, 20)
    assert inbox(officer) == ["期限已届满：初步核查期限（太原市生态环境局）"]
    assert len(inbox(division_head)) == 1 and len(inbox(department_head)) == 1


def test_configured_offsets_and_escalation_delays(settings, demo_org, people):
    officer, division_head, department_head = people
    settings.ECOCLAIM_DEADLINE_REMINDER_DAYS = [10, 2]
    settings.ECOCLAIM_DEADLINE_ESCALATE_DIVISION_DAYS = 1
    settings.ECOCLAIM_DEADLINE_ESCALATE_DEPARTMENT_DAYS = 5
    deadline = open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1))
    assert deadline.next_action_on == date(2026, 9, 28)
    run(2026, 9, 28)
    run(2026, 10, 6)
    run(2026, 10, 7)
    assert [t.split("期限")[-1] for t in inbox(officer)] == [
        "还有10日届满（太原市生态环境局）", "还有2日届满（太原市生态环境局）"]
    run(2026, 10, 9)
    assert inbox(division_head) == []
    run(2026, 10, 10)
    assert len(inbox(division_head)) == 1
    run(2026, 10, 14)
    assert inbox(department_head) == []
    run(2026, 10, 15)  # 5 days after the division head was told
    assert len(inbox(department_head)) == 1


def test_no_responsible_officer_means_the_division_head_is_reminded(demo_org, people):
    _, division_head, _ = people
    open_for(demo_org, Kind.VERIFICATION, date(2026, 9, 1), responsible=None)
    run(2026, 10, 1)
    assert inbox(division_head) == ["期限提醒：初步核查期限还有7日届满（太原市生态环境局）"]


def test_met_paused_and_extended_deadlines_are_left_alone(demo_org, verification, people):
    officer, _, _ = people
    with travel(2026, 9, 30):
        mark_met(verification, by=officer)
    paused = open_for(demo_org, Kind.INVESTIGATION, date(2026, 9, 1), code="CQ")
    with travel(2026, 9, 10):
        pause(paused, reason="委托鉴定评估")
    run(2026, 10, 1)
    run(2026, 11, 1)
    assert not Notification.objects.exists()
    with travel(2026, 11, 2):
        paused = resume(paused)
    assert paused.due == date(2026, 11, 23)  # 30 days + 53 days paused, 11月23日 a Monday
    run(2026, 11, 16)
    assert inbox(officer) == ["期限提醒：损害调查期限还有7日届满（太原市生态环境局）"]


def test_an_alert_raised_before_a_change_of_due_date_is_not_sent(demo_org, verification, people):
    officer, division_head, _ = people
    with travel(2026, 10, 1):
        result = scan_deadlines()
    with travel(2026, 10, 1, 10):
        extend(verification, approved_by=division_head, reason="补充核查", days=20)
        process_alerts(result.alerts)
    assert inbox(officer) == []
    alert = DeadlineAlert.objects.get()
    assert alert.processed_at and alert.outcome.startswith("期限已办结、撤销、中止或重新计算")
    run(2026, 10, 14)  # the new due date is 10月21日: 7 days left again
    assert inbox(officer) == ["期限提醒：初步核查期限还有7日届满（太原市生态环境局）"]


# --- exactly once --------------------------------------------------------------------------

def test_a_repeated_scan_and_delivery_do_nothing_twice(verification, people):
    officer, division_head, _ = people
    for hour in (9, 10, 23):
        run(2026, 10, 1, hour)
    with travel(2026, 10, 1, 12):
        assert scan_deadlines().deadlines == 0
        assert process_alerts() == 0
    for hour in (0, 8, 17):
        run(2026, 10, 9, hour)
    assert len(inbox(officer)) == 2
    assert len(inbox(division_head)) == 1
    assert DeadlineAlert.objects.count() == 3


def test_a_scan_killed_before_commit_leaves_nothing_and_the_next_one_does_it_all(
        verification, people):
    officer, _, _ = people

    class WorkerKilled(Exception):
        pass

    with travel(2026, 10, 1), pytest.raises(WorkerKilled), transaction.atomic():
        scan_deadlines()
        assert DeadlineAlert.objects.count() == 1
        raise WorkerKilled
    assert not DeadlineAlert.objects.exists()
    assert Deadline.objects.get(pk=verification.pk).next_action_on == date(2026, 10, 1)
    run(2026, 10, 1)
    assert inbox(officer) == ["期限提醒：初步核查期限还有7日届满（太原市生态环境局）"]


def test_a_retried_task_delivers_once(verification, people, eager_celery,
                                      django_capture_on_commit_callbacks):
    officer, _, _ = people
    with travel(2026, 10, 1), django_capture_on_commit_callbacks(execute=True) as callbacks:
        scan_deadlines_task.apply()
    assert len(callbacks) >= 1  # the delivery was enqueued after the batch committed
    assert len(inbox(officer)) == 1
    alert = DeadlineAlert.objects.get()
    with travel(2026, 10, 1, 10), django_capture_on_commit_callbacks(execute=True):
        scan_deadlines_task.apply()  # acks_late redelivery of the same beat tick
        process_deadline_alerts_task.apply(args=[[alert.pk]])
        process_deadline_alerts_task.apply(args=[[alert.pk]])
    assert len(inbox(officer)) == 1


def test_an_alert_whose_delivery_was_lost_is_requeued(verification, people, eager_celery,
                                                      django_capture_on_commit_callbacks):
    officer, _, _ = people
    with travel(2026, 10, 1):
        scan_deadlines()  # committed, but its on-commit enqueue never ran (broker down)
    assert inbox(officer) == []
    with travel(2026, 10, 1, 9) as clock:
        clock.shift(timedelta(minutes=5))
        assert scan_deadlines().requeued == 1
    assert len(inbox(officer)) == 1


def test_a_scan_with_the_broker_down_keeps_its_alerts_and_a_later_scan_sends_them(
        verification, people, dead_broker, django_capture_on_commit_callbacks):
    """Issue 14.3: neither the on-commit send nor the requeue raises with the broker down."""
    officer, _, _ = people
    with travel(2026, 10, 1), django_capture_on_commit_callbacks(execute=True):
        scan_deadlines_task.apply()  # the send after commit fails: logged, not raised
    alert = DeadlineAlert.objects.get()
    assert alert.processed_at is None and inbox(officer) == []
    with travel(2026, 10, 1, 9) as clock:
        clock.shift(timedelta(minutes=5))
        assert scan_deadlines().requeued == 1  # its send fails again: no error
        dead_broker.conf.task_always_eager = True  # the broker is back
        clock.shift(timedelta(minutes=5))
        assert scan_deadlines().requeued == 1
    assert len(inbox(officer)) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
# serialized_rollback: restores the rule profiles (migration data) an earlier flush removed
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_scans_raise_and_deliver_each_alert_once(eager_celery):
    from accounts.demo import build_org

    org = build_org()
    officer = org.by_username["jingban"]
    department = org.departments["市生态环境局"]
    with travel(2026, 9, 30):
        for i in range(40):
            open_deadline(department, Kind.NEGOTIATION_REPLY, profile=None,
                          start_date=date(2026, 9, 30), days=1 + i % 7, citation="磋商告知书",
                          responsible=officer, department=department)
    due = Deadline.objects.filter(next_action_on__lte=date(2026, 10, 10)).count()
    assert due == 40
    both_ready = threading.Barrier(3)
    errors: list[BaseException] = []

    def work(job):
        try:
            both_ready.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    now = at(2026, 10, 10)  # all 40 are overdue: overdue, escalation to the division head
    scanned: list[int] = []
    jobs = [lambda: scanned.append(scan_deadlines(now, batch_size=3).deadlines),
            lambda: scanned.append(scan_deadlines(now, batch_size=3).deadlines),
            lambda: process_alerts(now=now, batch_size=2)]
    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    with travel(2026, 10, 10):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors
    assert sum(scanned) == 40  # each row claimed by one scan only
    assert DeadlineAlert.objects.filter(kind=Alert.OVERDUE).count() == 40
    assert DeadlineAlert.objects.filter(kind=Alert.ESCALATION_DIVISION).count() == 40
    assert not DeadlineAlert.objects.filter(processed_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=officer).count() == 40
    assert Notification.objects.filter(recipient=org.by_username["chuzhang"]).count() == 40
    assert not Notification.objects.filter(recipient=org.by_username["juzhang"]).exists()
    assert Deadline.objects.filter(status=Deadline.Status.OVERDUE).count() == 40


# --- the expiry hook -----------------------------------------------------------------------

@pytest.fixture
def expiry_calls():
    """A test-only handler for the negotiation period in place of the negotiation app's own
    (negotiation/deadlines.py), restored afterwards."""
    calls: list[int] = []
    failures = {"left": 0}
    real = expiry_handler(Kind.NEGOTIATION_PERIOD)
    forget_expiry_handler(Kind.NEGOTIATION_PERIOD)

    @on_expiry(Kind.NEGOTIATION_PERIOD)
    def negotiation_period_passed(deadline):
        calls.append(deadline.pk)
        notify(deadline.responsible, verb="negotiation_expired", title="磋商期限届满",
               url=deadline.link)
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("the negotiation could not be locked")

    yield calls, failures
    forget_expiry_handler(Kind.NEGOTIATION_PERIOD)
    if real is not None:
        on_expiry(Kind.NEGOTIATION_PERIOD)(real)


@pytest.fixture
def negotiation(demo_org):
    # SX 第十八条: served 6月1日, 90 days, due 8月31日
    return open_for(demo_org, Kind.NEGOTIATION_PERIOD, date(2026, 6, 1))


def test_the_expiry_handler_runs_once_when_the_period_passes(expiry_calls, negotiation, people):
    calls, _ = expiry_calls
    officer, _, _ = people
    run(2026, 8, 31)
    assert calls == []
    run(2026, 9, 1)
    run(2026, 9, 1, 15)
    run(2026, 9, 7)
    assert calls == [negotiation.pk]
    assert "磋商期限届满" in inbox(officer)


def test_a_failing_expiry_handler_keeps_nothing_and_is_retried(expiry_calls, negotiation, people):
    calls, failures = expiry_calls
    officer, _, _ = people
    failures["left"] = 1
    run(2026, 9, 1)
    assert calls == [negotiation.pk]
    alert = DeadlineAlert.objects.get(kind=Alert.EXPIRY)
    assert alert.processed_at is None and alert.attempts == 1
    assert "could not be locked" in alert.last_error
    assert "磋商期限届满" not in inbox(officer)  # the handler's work was rolled back
    assert "期限已届满：磋商期限（太原市生态环境局）" in inbox(officer)  # the rest was delivered
    with travel(2026, 9, 1, 9) as clock:
        clock.shift(timedelta(minutes=5))
        process_alerts()
    assert calls == [negotiation.pk, negotiation.pk]
    assert inbox(officer).count("磋商期限届满") == 1
    alert.refresh_from_db()
    assert alert.processed_at is not None


def test_no_expiry_when_the_negotiation_ended_in_time(expiry_calls, negotiation, people):
    calls, _ = expiry_calls
    with travel(2026, 8, 20):
        mark_met(negotiation, note="签订赔偿协议")
    run(2026, 9, 1)
    assert calls == []


def test_kinds_without_a_handler_raise_no_expiry_alert(verification):
    run(2026, 10, 9)
    assert not DeadlineAlert.objects.filter(kind=Alert.EXPIRY).exists()


def test_a_second_handler_for_a_kind_is_refused(expiry_calls):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="already has an expiry handler"):
        on_expiry(Kind.NEGOTIATION_PERIOD)(lambda deadline: None)
