"""`manage.py load_demo` builds the demo organisation and every app's demo records, twice
without duplicates; its two 其他 bureaus of the city (市气象局, 市文旅局) each see their own
demo clue and not the other's (accounts/scoping.py)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Department
from screening.models import Clue

pytestmark = pytest.mark.django_db


def test_load_demo_runs_twice_and_keeps_same_kind_departments_apart(demo_org):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
                             tick=False):
        call_command("load_demo", stdout=StringIO())
        clues = Clue.objects.count()
        out = StringIO()
        call_command("load_demo", stdout=out)
    assert Clue.objects.count() == clues
    assert "qixiang" in out.getvalue() and "wenlv" in out.getvalue()
    weather = Department.objects.get(short_name="市气象局")
    culture = Department.objects.get(short_name="市文旅局")
    assert weather.kind == culture.kind == Department.Kind.OTHER
    assert weather.jurisdiction == culture.jurisdiction
    for user, own, other in ((demo_org.by_username["qixiang"], weather, culture),
                             (demo_org.by_username["wenlv"], culture, weather)):
        visible = Clue.objects.visible_to(user)
        assert visible.filter(department=own).exists()
        assert not visible.filter(department=other).exists()
