"""The 显著轻微 evaluation under CQ (未超过 2,000 元, CQ 四(一)) and SX (3,000 元以下, SX 第十条),
both inclusive, and the exceptions that still require a claim (CQ 四; SX 第十一条)."""

from decimal import Decimal

import pytest

from rules.models import RuleSet
from rules.services import profile_in_force
from screening.models import Clue
from screening.trivial import assess
from tests.factories import ClueFactory, DepartmentFactory, JurisdictionFactory
from tests.parties.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def clue_under(code: str, amount: str | None, **fields) -> Clue:
    jurisdiction = JurisdictionFactory(rule_set=RuleSet.objects.get(code=code))
    department = DepartmentFactory(jurisdiction=jurisdiction)
    return ClueFactory(department=department,
                       estimated_amount=Decimal(amount) if amount else None, **fields)


@pytest.mark.parametrize(("code", "amount", "within"), [
    ("CQ", "2000.00", True),    # CQ 四(一) 未超过 2000 元: inclusive
    ("CQ", "2000.01", False),
    ("SX", "3000.00", True),    # SX 第十条 3000 元以下: inclusive
    ("SX", "3000.01", False),
    ("SX", "2000.01", True),
])
def test_the_amount_threshold_is_inclusive(code, amount, within):
    result = assess(clue_under(code, amount))
    assert result.within_threshold is within
    assert result.may_not_start is within
    if within:
        assert "可以不启动索赔" in result.suggestion
    else:
        assert "应当启动索赔" in result.suggestion


def test_the_assessment_cites_the_profile():
    result = assess(clue_under("SX", "2500.00"))
    assert "SX 第十条" in result.citations and "SX 第十一条" in result.citations
    assert "3,000 元以下" in result.amount_text


def test_unknown_amount_gives_no_verdict():
    result = assess(clue_under("CQ", None))
    assert result.within_threshold is None
    assert not result.may_not_start
    assert "损害数额未知" in result.suggestion


@pytest.mark.parametrize("code", ["CQ", "SX"])
def test_red_line_or_reserve_still_requires_a_claim(code):
    result = assess(clue_under(code, "100.00", in_protected_area=True))
    red_line = next(e for e in result.exceptions if e.code == "red_line_or_reserve")
    assert red_line.applies is True
    assert not result.may_not_start
    assert "应当启动索赔" in result.suggestion


def test_cq_lists_the_higher_level_decision_as_a_question_for_the_officer():
    result = assess(clue_under("CQ", "100.00"))
    other = next(e for e in result.exceptions if e.code == "higher_level_decides")
    assert other.applies is None
    assert result.may_not_start
    assert "尚需判断" in result.suggestion


def test_rectification_counts_only_where_the_profile_has_that_rule():
    clue = clue_under("SX", "100.00", rectification=Clue.Rectification.NOT_DONE)
    assert "rectification_incomplete" not in {e.code for e in assess(clue).exceptions}
    zj_draft = RuleSet.objects.get(code="ZJ").profiles.get()
    result = assess(clue, profile=zj_draft)
    rectification = next(e for e in result.exceptions if e.code == "rectification_incomplete")
    assert rectification.applies is True


def test_nt_has_no_trivial_amount_and_says_so():
    nt = profile_in_force("NT", clue_under("SX", "1.00").found_on)
    result = assess(clue_under("NT", "100.00"), profile=nt)
    assert result.within_threshold is None
    assert "未规定显著轻微的数额标准" in result.amount_text


def _clue_of(party, found_on: str, amount="100.00"):
    clue = clue_under("SX", amount)
    Clue.objects.filter(pk=clue.pk).update(found_on=found_on, registered_on=found_on)
    clue = Clue.objects.get(pk=clue.pk)
    clue.suspected_obligors.add(party)
    return clue


def test_same_obligor_again_within_two_years_counted_from_the_earlier_damage():
    party = OrganisationFactory(name="晋阳化工有限公司")
    earlier = _clue_of(party, "2024-10-01")
    # verified: damage found, claim opened (a clue still being verified is undecided)
    Clue.objects.filter(pk=earlier.pk).update(state=Clue.State.CASE_OPENED)
    again = _clue_of(party, "2026-10-01")  # exactly two years later: 2 年内 includes it
    result = assess(again)
    repeat = next(e for e in result.exceptions if e.code == "repeat_within_years")
    assert repeat.applies is True
    assert earlier.number in repeat.detail
    assert not result.may_not_start


def test_damage_more_than_two_years_earlier_does_not_count():
    party = OrganisationFactory(name="晋阳化工有限公司")
    _clue_of(party, "2024-09-30")
    result = assess(_clue_of(party, "2026-10-01"))
    repeat = next(e for e in result.exceptions if e.code == "repeat_within_years")
    assert repeat.applies is False
    assert result.may_not_start


def test_without_a_registered_obligor_the_repeat_question_stays_open():
    result = assess(clue_under("SX", "100.00"))
    repeat = next(e for e in result.exceptions if e.code == "repeat_within_years")
    assert repeat.applies is None
    assert "尚未登记赔偿义务人" in repeat.detail
