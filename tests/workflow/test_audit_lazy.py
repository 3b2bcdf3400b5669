"""The audit baseline of a loaded record is taken lazily, from the values as loaded (issue 14
§4: a list page loads records it never saves), and every audited save still records the
right old and new values."""

import datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from disclosure.models import Publication
from screening.models import Clue
from tests.factories import ClueFactory, UserFactory
from workflow import transitions
from workflow.audit import acting_as, history, snapshot
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.OFFICER)


@pytest.fixture
def clue(officer):
    return ClueFactory(department=officer.department, registered_by=officer)


def test_loading_records_takes_no_snapshot(clue):
    loaded = list(Clue.objects.filter(pk=clue.pk))
    assert "_audit_snapshot" not in loaded[0].__dict__
    assert "_audit_loaded" in loaded[0].__dict__


def test_the_lazy_baseline_equals_the_snapshot_taken_at_load(clue):
    eager = snapshot(Clue.objects.get(pk=clue.pk))
    lazy = Clue.objects.get(pk=clue.pk)
    assert lazy._audit_before == eager
    partial = Clue.objects.only("id", "summary", "registered_on").get(pk=clue.pk)
    assert partial._audit_before == snapshot(Clue.objects.only(
        "id", "summary", "registered_on").get(pk=clue.pk))
    assert set(partial._audit_before) == {"summary", "registered_on"}


def test_changes_made_before_the_baseline_is_read_are_still_recorded_old_to_new(clue, officer):
    loaded = Clue.objects.get(pk=clue.pk)
    loaded.estimated_amount = Decimal("9100.00")
    loaded.summary = "改：上游另有排污口。"
    loaded.registered_on = datetime.date(2026, 9, 4)
    with acting_as(officer):
        loaded.save()
    event = history(clue).first()
    assert event.action == AuditEvent.Action.UPDATE
    assert event.changes["estimated_amount"]["old"] == "2,800.00"
    assert event.changes["estimated_amount"]["new"] == "9,100.00"
    assert event.changes["summary"] == {
        "label": "线索概要", "old": clue.summary, "new": "改：上游另有排污口。"}
    assert event.changes["registered_on"]["old"] == "2026年9月3日"
    assert set(event.changes) == {"estimated_amount", "summary", "registered_on"}
    # the baseline is now the saved values: saving again records nothing
    count = AuditEvent.objects.count()
    loaded.save()
    assert AuditEvent.objects.count() == count


def test_a_transition_records_the_fields_it_set_old_to_new(clue, officer):
    # perform() loads the record locked (lazily) and the transition sets fields on it
    transitions.perform(clue, "start_verification", by=officer)
    transitions.perform(Clue.objects.get(pk=clue.pk), "request_case_opening", by=officer,
                        reason="损害事实清楚。")
    event = history(clue).first()
    assert event.action == AuditEvent.Action.TRANSITION
    assert (event.from_state, event.to_state) == ("初步核查中", "待审批")
    assert set(event.changes) == {"decision", "decision_note"}
    assert event.changes["decision_note"] == {
        "label": "结论说明", "old": "", "new": "损害事实清楚。"}


@pytest.mark.parametrize("stored", [None, "", "public/2026/x.pdf"])
def test_a_file_field_reads_the_same_lazily_as_eagerly(stored):
    # a FieldFile reads "" for an empty or NULL column: the lazy baseline must too
    record = Publication.from_db("default", ["id", "public_pdf", "published_at"],
                                 [1, stored, datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)])
    assert record._audit_before == snapshot(record)
    assert record._audit_before["public_pdf"] == (stored or "")


def test_a_new_record_has_no_baseline():
    assert Clue()._audit_before is None
