"""Amount fields (cases/money.py) and progress bounds of restoration records."""

from django.core.validators import MaxValueValidator, MinValueValidator

from cases.money import CENT, ZERO, money, yuan

__all__ = ["CENT", "PERCENT", "ZERO", "money", "yuan"]

PERCENT = [MinValueValidator(0, message="进度不能小于0%。"),
           MaxValueValidator(100, message="进度不能超过100%。")]
