"""Audit rows for a change and a transition; transitions are the only way a state moves, and
two users moving the same record at once cannot both succeed."""

import threading
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from accounts.roles import Role
from screening.models import Clue
from tests.factories import ClueFactory, UserFactory
from workflow import transitions
from workflow.audit import acting_as, history
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.OFFICER)


@pytest.fixture
def clue(officer):
    return ClueFactory(department=officer.department, registered_by=officer)


def test_creating_a_record_is_recorded_with_its_values(clue, officer):
    (event,) = history(clue)
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor is None  # created outside a request and without acting_as
    assert event.changes["summary"]["new"] == clue.summary
    assert event.changes["damage_type"]["new"] == "水污染"


def test_a_change_records_who_and_old_to_new(clue, officer):
    clue = Clue.objects.get(pk=clue.pk)
    with acting_as(officer):
        clue.estimated_amount = Decimal("3500.00")
        clue.damage_type = Clue.DamageType.SOIL
        clue.save()
    event = history(clue).first()
    assert event.action == AuditEvent.Action.UPDATE
    assert event.actor == officer
    assert event.actor_name == officer.full_name
    assert event.changes["estimated_amount"] == {
        "label": "估算损害数额（元）", "old": "2,800.00", "new": "3,500.00"}
    assert event.changes["damage_type"] == {"label": "损害类型", "old": "水污染", "new": "土壤污染"}
    assert set(event.changes) == {"estimated_amount", "damage_type"}


def test_saving_without_a_change_records_nothing(clue):
    before = AuditEvent.objects.count()
    Clue.objects.get(pk=clue.pk).save()
    assert AuditEvent.objects.count() == before


def test_a_transition_records_from_to_who_and_why(clue, officer):
    moved = transitions.perform(clue, "start_verification", by=officer, reason="开始核查")
    assert moved.state == Clue.State.VERIFYING
    assert Clue.objects.get(pk=clue.pk).state == Clue.State.VERIFYING
    event = history(clue).first()
    assert event.action == AuditEvent.Action.TRANSITION
    assert (event.from_state, event.to_state) == ("已登记", "初步核查中")
    assert event.transition == "开始初步核查"
    assert event.actor == officer
    assert event.reason == "开始核查"


def test_the_state_field_cannot_be_assigned_directly(clue):
    with pytest.raises(AttributeError):
        clue.state = Clue.State.CASE_OPENED


def test_a_transition_needs_its_permission(clue):
    finance = UserFactory(role=Role.FINANCE, department=clue.department)
    with pytest.raises(transitions.TransitionDenied):
        transitions.perform(clue, "start_verification", by=finance)
    assert Clue.objects.get(pk=clue.pk).state == Clue.State.REGISTERED
    assert not history(clue).filter(action=AuditEvent.Action.TRANSITION).exists()


def test_a_transition_from_the_wrong_state_is_refused_in_chinese(clue, officer):
    transitions.perform(clue, "start_verification", by=officer)
    fresh = Clue.objects.get(pk=clue.pk)
    with pytest.raises(transitions.TransitionError, match="当前状态“初步核查中”下不能执行此操作"):
        transitions.perform(fresh, "start_verification", by=officer)


def test_a_stale_view_of_the_state_is_refused(clue, officer):
    transitions.perform(clue, "start_verification", by=officer)
    with pytest.raises(transitions.StaleState, match="该记录已被他人处理"):
        transitions.perform(clue, "start_verification", by=officer, expected_state="registered")


def test_audit_events_cannot_be_changed_or_deleted(clue):
    event = history(clue).first()
    event.reason = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="篡改")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_admin_offers_no_way_to_edit_audit_events(clue):
    admin = site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, history(clue).first())
    assert not admin.has_delete_permission(request, history(clue).first())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL's")
def test_the_database_refuses_to_rewrite_audit_rows(clue):
    event = history(clue).first()
    with pytest.raises(DatabaseError, match="审计记录不可修改或删除"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE workflow_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM workflow_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
# serialized_rollback: restores the rule profiles (migration data) an earlier flush removed
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_transitions_one_wins_the_other_is_told():
    officer = UserFactory(role=Role.OFFICER)
    clue = ClueFactory(department=officer.department, registered_by=officer)
    both_loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        try:
            mine = Clue.objects.get(pk=clue.pk)  # each user opened the page in state 已登记
            both_loaded.wait()
            transitions.perform(mine, "start_verification", by=officer)
            outcomes.append("ok")
        except transitions.StaleState as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes)[0] == "ok"
    assert outcomes.count("ok") == 1
    assert "该记录已被他人处理，当前状态为“初步核查中”" in [o for o in outcomes if o != "ok"][0]
    assert history(clue).filter(action=AuditEvent.Action.TRANSITION).count() == 1


def test_a_record_loaded_with_deferred_fields_saves_and_audits_only_what_it_has(clue, officer):
    partial = Clue.objects.only("id", "summary", "state").get(pk=clue.pk)
    with acting_as(officer):
        partial.summary = "补充：下游取水口已停用。"
        partial.save(update_fields=["summary"])
    event = history(clue).first()
    assert set(event.changes) == {"summary"}
