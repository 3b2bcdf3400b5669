"""Amount fields and the scoping of records that belong to a case."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

POSITIVE = [MinValueValidator(CENT, message="金额须大于零。")]
NON_NEGATIVE = [MinValueValidator(ZERO, message="金额不能为负数。")]
PERCENT = [MinValueValidator(0, message="进度不能小于0%。"),
           MaxValueValidator(100, message="进度不能超过100%。")]


def yuan(value) -> Decimal:
    """Two decimal places, half up (DOMAIN §6: decimal yuan, never floats)."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money(label: str, *, positive: bool = False, null: bool = False, default=None,
          **kwargs) -> models.DecimalField:
    extra = {"null": True, "blank": True} if null else {}
    if default is not None:
        extra["default"] = default
    return models.DecimalField(label, max_digits=14, decimal_places=2,
                               validators=POSITIVE if positive else NON_NEGATIVE,
                               **extra, **kwargs)
