"""The demo's clock (issue 17, "the demo tells a true story"): each demo matter is walked
through the real services step by step, and every step happens on its own day, after the
previous one and never after the moment `load_demo` runs.

Where a service takes the date (`on=`, `entrusted_on=`, `held_on=`…) the demo passes it;
the approvals, the audit trail, `Case.opened_on` and the deadlines read the clock itself
(`timezone.now()`, `timezone.localdate()`), so a step dated in the past is run with the clock
travelled there (time-machine, installed from requirements.lock in every environment). A step
that would fall after the load's own moment runs on the real clock instead, so nothing is
ever dated in the future.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.utils import timezone


class Story:
    """One matter's steps, in order: `with story.on(day):` runs a step at 09:00 Beijing time
    of `day` (or a few minutes after the previous step, if that was later), never after
    `now`, the moment the load began."""

    def __init__(self, now: datetime):
        self.now = now
        self.last: datetime | None = None

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def moment(self, day: date) -> datetime:
        moment = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=5)
        return moment

    @contextmanager
    def on(self, day: date):
        moment = self.moment(day)
        if moment >= self.now:
            yield
            return
        self.last = moment
        with time_machine.travel(moment, tick=True):
            yield
