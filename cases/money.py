"""Amounts (DOMAIN §6): decimal yuan with two places, never negative, never floats. Every
stage's amount fields come from `money()`."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

POSITIVE = [MinValueValidator(CENT, message="金额须大于零。")]
NON_NEGATIVE = [MinValueValidator(ZERO, message="金额不能为负数。")]


def yuan(value) -> Decimal:
    """Two decimal places, half up."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money(label: str, *, positive: bool = False, null: bool = False, default=None,
          **kwargs) -> models.DecimalField:
    """An amount field; `null=True` for an amount not known yet (also blank in forms)."""
    extra = {"null": True, "blank": True} if null else {}
    if default is not None:
        extra["default"] = default
    return models.DecimalField(label, max_digits=14, decimal_places=2,
                               validators=POSITIVE if positive else NON_NEGATIVE,
                               **extra, **kwargs)
