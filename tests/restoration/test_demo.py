"""The demo data has cases in restoration and with fund activity, reconciled, and loading it
twice changes nothing."""

import pytest

from accounts.discovery import app_modules
from restoration import ledger
from restoration.models import (
    AlternativeProject,
    Payment,
    RestorationProject,
    SpendingRequest,
)
from workflow.audit import acting_as

pytestmark = pytest.mark.django_db


def load_all(org):
    for module in app_modules("demo"):
        if hasattr(module, "load"):
            with acting_as(org.by_username["jingban"]):
                module.load(org)


def test_the_demo_has_restoration_and_fund_activity_and_loads_twice(demo_org):
    load_all(demo_org)
    counts = (AlternativeProject.objects.count(), Payment.objects.count(),
              SpendingRequest.objects.count(), RestorationProject.objects.count())
    states = set(RestorationProject.objects.values_list("state", flat=True))
    assert {"in_progress", "passed"} <= states
    assert set(SpendingRequest.objects.values_list("state", flat=True)) == {"paid", "submitted"}
    for case in {p.case for p in Payment.objects.select_related("case")}:
        assert ledger.verify(case).problems() == []
    load_all(demo_org)
    assert (AlternativeProject.objects.count(), Payment.objects.count(),
            SpendingRequest.objects.count(), RestorationProject.objects.count()) == counts
