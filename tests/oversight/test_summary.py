"""The clue summary (oversight/summary.py): the triggers keep it equal to the clues through
registrations, batched imports, transitions, referrals and plain edits; the nightly rebuild
finds any drift and says so; the dashboard's clue groups read from it give the same figures as
a GROUP BY over the clues, scoping (participants included) and partial months too."""

import datetime
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q
from django.test import override_settings

from accounts.roles import Role
from cases.models import Case
from oversight import periods, summary
from oversight.models import CaseCount, ClueCount
from oversight.selection import Selection
from screening.models import Clue, Referral, SourceChannel
from screening.services import refer_clue, register_clues
from tests.cases.factories import CaseFactory
from tests.factories import ClueFactory, DepartmentFactory, UserFactory
from workflow import transitions

from .conftest import NOW

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the summary's triggers are PostgreSQL's"),
]
D = datetime.date


def assert_equal_to_source():
    stored, source = summary.stored_counts(), summary.source_counts()
    assert summary.differences(stored, source) == []
    return source


def test_summary_follows_every_change_and_the_rebuild_finds_nothing(caplog):
    department = DepartmentFactory()
    other = DepartmentFactory(jurisdiction=department.jurisdiction)
    officer = UserFactory(department=department, role=Role.OFFICER)
    # registrations one by one, in two months
    clues = [ClueFactory(department=department, registered_by=officer,
                         registered_on=D(2026, 9, day), found_on=D(2026, 9, 1))
             for day in (3, 4, 5)]
    clues.append(ClueFactory(department=department, registered_by=officer,
                             registered_on=D(2026, 10, 2), found_on=D(2026, 9, 1),
                             damage_type=Clue.DamageType.SOIL))
    assert sum(assert_equal_to_source().values()) == 4
    # the batched import path (one INSERT for many clues)
    channel = SourceChannel.objects.get(code="complaint")
    register_clues([Clue(department=department, jurisdiction=department.jurisdiction,
                         channel=channel, found_on=D(2026, 10, 1), registered_on=D(2026, 10, n),
                         summary=f"第{n}条", damage_type="air") for n in range(1, 6)], by=officer)
    assert sum(assert_equal_to_source().values()) == 9
    # transitions through perform: open → excluded
    first = transitions.perform(clues[0], "start_verification", by=officer)
    transitions.perform(first, "exclude", by=officer, reason="已责令整改完毕")
    # referral: 移送, then closed — a closed clue with a referral counts as 移送
    referral = refer_clue(clues[1], to_department=other, note="属其他部门职责", by=officer)
    closed = transitions.perform(Clue.objects.get(pk=clues[1].pk), "close", by=officer)
    assert closed.state == Clue.State.CLOSED
    source = assert_equal_to_source()
    assert source[(D(2026, 9, 1), department.pk, department.jurisdiction_id,
                   clues[1].channel_id, "water", "referred")] == 1
    # without its referral the closed clue is 不纳入筛查 again (and back on a new one)
    Referral.objects.filter(pk=referral.pk).delete()
    assert_equal_to_source()
    Referral.objects.create(clue=closed, from_department=department, to_department=other,
                            sent_by=officer, note="重新移送")
    assert_equal_to_source()
    # plain edits, even a queryset update that no signal sees: month, department, damage type
    Clue.objects.filter(pk=clues[2].pk).update(registered_on=D(2026, 11, 30))
    Clue.objects.filter(pk=clues[3].pk).update(department=other, damage_type="water")
    assert_equal_to_source()
    # and a rebuild finds nothing to report
    with caplog.at_level(logging.INFO, logger="oversight.summary"):
        assert summary.rebuild() == []
    assert "equal to the records" in caplog.text
    call_command("rebuild_clue_counts")
    assert_equal_to_source()


def test_the_rebuild_reports_drift_loudly_and_repairs_it(caplog):
    clue = ClueFactory(registered_on=D(2026, 9, 3))
    ClueCount.objects.filter(department=clue.department).update(n=5)
    ClueCount.objects.create(month=D(2026, 1, 1), department=clue.department,
                             jurisdiction=clue.jurisdiction, channel=clue.channel,
                             damage_type="air", outcome="open", n=2)
    with caplog.at_level(logging.ERROR, logger="oversight.summary"):
        diff = summary.rebuild()
    assert sorted((k[4], stored, counted) for k, stored, counted in diff) == [
        ("air", 2, 0), ("water", 5, 1)]
    assert "2 keys differed" in caplog.text
    assert_equal_to_source()
    ClueCount.objects.update(n=0)
    with pytest.raises(CommandError, match="1 处"):
        call_command("rebuild_clue_counts")
    assert_equal_to_source()


PERIODS = [periods.parse("2026Q4"), periods.parse("2026"), periods.parse("2026Q3"),
           periods.Period(D(2026, 9, 15), D(2026, 11, 20), "custom", "自定义"),
           periods.Period(D(2026, 10, 3), D(2026, 10, 20), "custom", "自定义")]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}-{p.end}")
def test_clue_groups_from_the_summary_equal_the_clues(world, period):
    # a joint clue of C2 in which C1's water bureau takes part: counted for that bureau by the
    # participant part of the scoping rule, which the summary's key does not hold
    ClueFactory(department=world.c2_lead, registered_on=D(2026, 10, 9),
                participants=[world.c1_water])
    ClueFactory(department=world.c2_lead, registered_on=D(2026, 9, 20),
                participants=[world.c1_water])
    users = [world.water_officer, world.coordinator, world.provincial, world.c2_officer]
    for user in users:
        for kw in ({}, {"jurisdiction": world.c1}, {"department": world.c2_lead},
                   {"damage_type": "water"}):
            s = Selection(user=user, period=period, today=NOW.date(), **kw)
            direct = summary._count_clues(
                s.clues().filter(registered_on__range=(period.start, period.end)))
            assert sorted(summary.clue_groups(s)) == sorted(direct), (user, kw)
    # the participant's figure holds the joint clue of the quarter
    s = Selection(user=world.water_officer, period=PERIODS[0], today=NOW.date())
    assert sum(n for *_, n in summary.clue_groups(s)) == 3


def test_whole_months():
    assert summary.whole_months(D(2026, 10, 1), D(2026, 12, 31)) == (D(2026, 10, 1),
                                                                     D(2026, 12, 1))
    assert summary.whole_months(D(2026, 9, 15), D(2026, 11, 20)) == (D(2026, 10, 1),
                                                                     D(2026, 10, 1))
    assert summary.whole_months(D(2026, 2, 1), D(2026, 2, 28)) == (D(2026, 2, 1), D(2026, 2, 1))
    assert summary.whole_months(D(2026, 10, 3), D(2026, 10, 31)) is None
    assert summary.whole_months(D(2026, 10, 3), D(2026, 11, 2)) is None


def assert_cases_equal_to_source():
    assert summary.case_differences() == []


def test_case_summary_follows_every_change(caplog):
    department = DepartmentFactory()
    other = DepartmentFactory(jurisdiction=department.jurisdiction)
    a = CaseFactory(department=department, opened_on=D(2026, 9, 10))
    b = CaseFactory(department=department, opened_on=D(2026, 10, 1), damage_type="soil",
                    classification=Case.Classification.MAJOR)
    CaseFactory(department=other, opened_on=D(2026, 10, 31))
    assert_cases_equal_to_source()
    # the appraised damage set (a save), a stage moved, a case moved to another department
    a.appraised_amount = 120_000
    a.save(update_fields=["appraised_amount"])
    Case.objects.filter(pk=b.pk).update(stage=Case.Stage.INVESTIGATING,
                                        appraised_amount=80_000)
    Case.objects.filter(pk=a.pk).update(department=other, opened_on=D(2026, 11, 2))
    assert_cases_equal_to_source()
    stored = summary.case_stored_counts()
    assert sum(c for _, c in stored.values()) == 200_000
    Case.objects.filter(pk=b.pk).update(appraised_amount=None)
    assert_cases_equal_to_source()
    # drift is found and repaired
    CaseCount.objects.filter(department=other).update(claimed=1)
    with caplog.at_level(logging.ERROR, logger="oversight.summary"):
        assert len(summary.rebuild()) == 2
    assert_cases_equal_to_source()
    assert summary.rebuild() == []


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}-{p.end}")
def test_case_figures_from_the_summary_equal_the_cases(world, period):
    # a joint case of C2 in which C1's water bureau takes part
    CaseFactory(department=world.c2_lead, opened_on=D(2026, 10, 9), appraised_amount=7_000,
                classification=Case.Classification.MAJOR).participants.add(world.c1_water)
    CaseFactory(department=world.c2_lead, opened_on=D(2026, 9, 20),
                damage_type="water").participants.add(world.c1_water)
    users = [world.water_officer, world.coordinator, world.provincial, world.c2_officer]
    ended = [Case.Stage.TERMINATED, Case.Stage.CLOSED]
    span = (period.start, period.end)
    for user in users:
        for kw in ({}, {"jurisdiction": world.c1}, {"department": world.c2_lead},
                   {"damage_type": "water"}):
            s = Selection(user=user, period=period, today=NOW.date(), **kw)
            with override_settings(ECOCLAIM_CLUE_SUMMARY=False):
                direct = summary.case_groups(s)
                started = summary.cases_started(s, D(2025, 1, 1), D(2026, 12, 31))
                majors = summary.major_counts(s, ended)
            assert direct == summary._group_cases(s.cases(), Q(opened_on__range=span))
            normal = sorted((*k, n, o, c or 0) for *k, n, o, c in direct)
            assert sorted(summary.case_groups(s)) == normal, (user, kw)
            mine = summary.cases_started(s, D(2025, 1, 1), D(2026, 12, 31))
            assert totals(mine) == totals(started), (user, kw)
            assert summary.major_counts(s, ended) == majors, (user, kw)
    s = Selection(user=world.water_officer, period=PERIODS[0], today=NOW.date())
    assert sum(n for *_, n, _, _ in summary.case_groups(s)) == 4  # A, B and the two joint


def totals(rows):
    out = {}
    for month, n in rows:
        out[month] = out.get(month, 0) + n
    return out
