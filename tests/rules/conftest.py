from datetime import date

import pytest

from rules import services
from rules.models import RuleSet


@pytest.fixture
def nat():
    return RuleSet.objects.get(code="NAT")


@pytest.fixture
def tst(nat):
    """A local rule set of the tests' own, based on NAT, with no profiles yet."""
    return RuleSet.objects.create(code="TST", name="测试地方", base=nat)


@pytest.fixture
def tst_v1(tst):
    """TST 第1版, published from 2026-01-01, open-ended."""
    return services.create_profile(
        tst,
        {
            "trivial.amount": ({"amount": "3000.00", "bound": "le", "wording": "以下"},
                               "TST 第十条"),
            "verification.period": ({"days": 30, "calendar": "natural",
                                     "start_event": "discovered"}, "TST 第九条"),
        },
        source_document="测试规则（第1版）",
        effective_from=date(2026, 1, 1),
        publish=True,
    )
