"""Errors of the rules layer. str(error) is the Chinese message shown to users."""

from django.core.exceptions import ValidationError


class RuleError(Exception):
    """Base of every error raised by the rules layer."""


class RuleValidationError(RuleError, ValidationError):
    """A refused key, value or change; also a ValidationError so forms show it."""

    def __str__(self) -> str:
        return "；".join(self.messages)


class UnknownRuleKey(RuleValidationError):
    """The key is not in rules.keys.REGISTRY (a typo, usually)."""


class InvalidRuleValue(RuleValidationError):
    """The value does not match the key's schema."""


class ProfileLocked(RuleValidationError):
    """An active or retired profile version, or one of its values, may not be rewritten."""


class NoProfileInForce(RuleError, LookupError):
    """No active profile version of the rule set covers the date."""


class UnknownRuleSet(NoProfileInForce):
    """No rule set has that code."""


class RuleNotDefined(RuleError, LookupError):
    """Neither the profile nor its base rule set(s) in force on the date define the key."""


class NoFixedPeriod(RuleError):
    """The period rule has no fixed number of days (e.g. NAT 四 合理期限)."""


class ThresholdUndefined(RuleError):
    """The amount rule names no amount (it refers to another document)."""
