"""Amount thresholds with Chinese legal counting (民法典 第一千二百五十九条):
以下、以内、不超过、未超过 include the number (≤); 低于、不满 exclude it (<);
超过 excludes it (>); 以上 includes it (≥). Amounts are Decimal, never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules.errors import RuleError, ThresholdUndefined
from rules.keys import WORDING_BOUND
from rules.models import Rule

_INCLUSIVE = {"le": True, "ge": True, "lt": False, "gt": False}


def format_yuan(amount: Decimal, *, cents: bool = True) -> str:
    """3000 -> "3,000.00" (cents) or "3,000"; a non-integral amount always shows cents."""
    if cents or amount != amount.to_integral_value():
        return f"{amount:,.2f}"
    return f"{amount:,.0f}"


def _as_amount(value: Decimal | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"金额须为 Decimal（不得使用浮点数），收到 {value!r}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"金额无效：{value!r}")
    return amount


@dataclass(frozen=True)
class Threshold:
    amount: Decimal
    bound: str  # le | lt | gt | ge
    wording: str  # the article's own word: 以下 / 不超过 / 低于 …
    citation: str = ""

    def __post_init__(self):
        if WORDING_BOUND.get(self.wording) != self.bound:
            raise RuleError(
                f"用语“{self.wording}”与界限 {self.bound} 不一致（民法典 第一千二百五十九条）。"
            )

    @classmethod
    def from_rule(cls, rule: Rule) -> Threshold:
        """From a trivial.amount or simple.amount rule."""
        value = rule.value
        if not isinstance(value, dict) or "amount" not in value:
            raise RuleError(f"“{rule.label}”（{rule.key}）不是金额界限规则。")
        if value.get("amount") is None:
            reference = value.get("reference", "")
            raise ThresholdUndefined(
                f"{rule.source}的“{rule.label}”未规定具体数额"
                + (f"：{reference}" if reference else "") + f"（{rule.citation}）。"
            )
        return cls(Decimal(value["amount"]), value["bound"], value["wording"], rule.citation)

    @property
    def inclusive(self) -> bool:
        return _INCLUSIVE[self.bound]

    def admits(self, amount: Decimal | int) -> bool:
        x = _as_amount(amount)
        return {
            "le": x <= self.amount,
            "lt": x < self.amount,
            "gt": x > self.amount,
            "ge": x >= self.amount,
        }[self.bound]

    def describe(self) -> str:
        """E.g. "3,000 元以下（含本数）", "低于 500,000 元（不含本数）"."""
        limit = f"{format_yuan(self.amount, cents=False)} 元"
        counted = "（含本数）" if self.inclusive else "（不含本数）"
        if self.wording in ("以下", "以内", "以上"):
            return f"{limit}{self.wording}{counted}"
        return f"{self.wording} {limit}{counted}"

    def explain(self, amount: Decimal | int, subject: str = "损害数额") -> str:
        """E.g. "损害数额 3,000.00 元，在 SX 第十条规定的 3,000 元以下（含本数）"."""
        x = _as_amount(amount)
        shown = f"{subject} {format_yuan(x)} 元"
        source = f"{self.citation}规定的" if self.citation else "规定的"
        limit = f"{format_yuan(self.amount, cents=False)} 元"
        counted = "含本数" if self.inclusive else "不含本数"
        admitted = self.admits(x)
        if self.wording in ("以下", "以内", "以上"):
            if admitted:
                return f"{shown}，在 {source} {limit}{self.wording}（{counted}）"
            return f"{shown}，不在 {source} {limit}{self.wording}（{counted}）范围内"
        if admitted:
            return f"{shown}，{self.wording} {source} {limit}（{counted}）"
        negation = {"不超过": "超过", "未超过": "超过", "低于": "不低于", "不满": "已满",
                    "超过": "未超过"}[self.wording]
        return f"{shown}，{negation} {source} {limit}（“{self.wording}”{counted}）"
