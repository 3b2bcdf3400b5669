"""Amount thresholds: 以下/不超过/未超过 include the number, 低于 excludes it
(民法典 第一千二百五十九条)."""

from datetime import date
from decimal import Decimal

import pytest

from rules.errors import RuleError, ThresholdUndefined
from rules.models import RuleProfile
from rules.services import profile_in_force
from rules.thresholds import Threshold

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 1)


def threshold(code: str, key: str) -> Threshold:
    return Threshold.from_rule(profile_in_force(code, ON).rule(key))


class TestBoundaries:
    def test_sx_trivial_3000_yixia_inclusive(self):
        t = threshold("SX", "trivial.amount")  # SX 第十条：3000元以下
        assert t.inclusive
        assert t.admits(Decimal("3000.00"))
        assert t.admits(3000)
        assert not t.admits(Decimal("3000.01"))

    def test_nt_simple_500000_diyu_exclusive(self):
        t = threshold("NT", "simple.amount")  # NT 三(六)：低于五十万元
        assert not t.inclusive
        assert not t.admits(Decimal("500000.00"))
        assert t.admits(Decimal("499999.99"))

    def test_cq_trivial_2000_weichaoguo_inclusive(self):
        t = threshold("CQ", "trivial.amount")  # CQ 四(一)：未超过2000元
        assert t.admits(Decimal("2000.00"))
        assert not t.admits(Decimal("2000.01"))

    @pytest.mark.parametrize("code", ["CQ", "SX"])
    def test_simple_300000_inclusive(self, code):
        t = threshold(code, "simple.amount")  # CQ 九 不超过；SX 第十五条 以下
        assert t.admits(Decimal("300000.00"))
        assert not t.admits(Decimal("300000.01"))

    def test_chaoguo_exclusive(self):
        t = Threshold(Decimal("100"), "gt", "超过")
        assert not t.admits(Decimal("100"))
        assert t.admits(Decimal("100.01"))

    def test_yishang_inclusive(self):
        assert Threshold(Decimal("100"), "ge", "以上").admits(Decimal("100"))


class TestExplain:
    def test_sx_inside(self):
        assert threshold("SX", "trivial.amount").explain(Decimal("3000")) == (
            "损害数额 3,000.00 元，在 SX 第十条规定的 3,000 元以下（含本数）")

    def test_sx_outside(self):
        assert threshold("SX", "trivial.amount").explain(Decimal("3000.01")) == (
            "损害数额 3,000.01 元，不在 SX 第十条规定的 3,000 元以下（含本数）范围内")

    def test_nt_boundary(self):
        t = threshold("NT", "simple.amount")
        assert t.explain(Decimal("500000")) == (
            "损害数额 500,000.00 元，不低于 NT 三(六)规定的 500,000 元（“低于”不含本数）")
        assert t.explain(Decimal("499999.99")) == (
            "损害数额 499,999.99 元，低于 NT 三(六)规定的 500,000 元（不含本数）")

    def test_cq(self):
        t = threshold("CQ", "trivial.amount")
        assert t.explain(Decimal("2000")) == (
            "损害数额 2,000.00 元，未超过 CQ 四(一)规定的 2,000 元（含本数）")
        assert t.explain(Decimal("2000.5")) == (
            "损害数额 2,000.50 元，超过 CQ 四(一)规定的 2,000 元（“未超过”含本数）")

    def test_describe(self):
        assert threshold("SX", "trivial.amount").describe() == "3,000 元以下（含本数）"
        assert threshold("NT", "simple.amount").describe() == "低于 500,000 元（不含本数）"


class TestRefusals:
    def test_float_refused(self):
        with pytest.raises(TypeError, match="不得使用浮点数"):
            threshold("SX", "trivial.amount").admits(3000.0)

    def test_wording_must_match_bound(self):
        with pytest.raises(RuleError, match="第一千二百五十九条"):
            Threshold(Decimal("3000"), "lt", "以下")

    def test_zj_has_no_amount(self):
        rule = RuleProfile.objects.get(rule_set__code="ZJ").rule("simple.amount")
        with pytest.raises(ThresholdUndefined, match="快速鉴定评估"):
            Threshold.from_rule(rule)

    def test_not_an_amount_rule(self):
        with pytest.raises(RuleError, match="不是金额界限规则"):
            threshold("SX", "negotiation.period")
