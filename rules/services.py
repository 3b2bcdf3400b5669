"""Looking up and versioning rule profiles.

A profile version, once published (active), is never rewritten: new_version copies it, applies
the changes, publishes the copy and closes the old version's period the day before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from rules.errors import (
    NoProfileInForce,
    ProfileLocked,
    RuleNotDefined,
    RuleValidationError,
    UnknownRuleSet,
)
from rules.keys import get_key, validate
from rules.models import Rule, RuleProfile, RuleSet, RuleValue, _cn_date

__all__ = [
    "NoProfileInForce",
    "ProfileLocked",
    "Rule",
    "RuleNotDefined",
    "RuleValidationError",
    "UnknownRuleSet",
    "activate",
    "create_profile",
    "new_version",
    "profile_in_force",
    "retire",
]

_INHERIT = object()


def as_date(value: date | datetime) -> date:
    """A date; an aware datetime is read in the project's time zone."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"需要日期，收到 {value!r}")


def get_rule_set(rule_set_or_code: RuleSet | str) -> RuleSet:
    if isinstance(rule_set_or_code, RuleSet):
        return rule_set_or_code
    try:
        return RuleSet.objects.get(code=rule_set_or_code)
    except RuleSet.DoesNotExist:
        raise UnknownRuleSet(f"没有代码为“{rule_set_or_code}”的规则集。") from None


def profile_in_force(rule_set_or_code: RuleSet | str, on: date | datetime) -> RuleProfile:
    """The published profile version whose period covers `on`; the highest version wins."""
    rule_set = get_rule_set(rule_set_or_code)
    day = as_date(on)
    profile = (
        RuleProfile.objects.select_related("rule_set", "rule_set__base")
        .filter(rule_set=rule_set, status=RuleProfile.Status.ACTIVE, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-version")
        .first()
    )
    if profile is None:
        raise NoProfileInForce(
            f"{rule_set.name}（{rule_set.code}）在{_cn_date(day)}没有生效的规则配置版本。"
        )
    profile.in_force_on = day  # rule() falls back to the base rule set on this same date
    return profile


def _next_version(rule_set: RuleSet) -> int:
    return (rule_set.profiles.aggregate(m=Max("version"))["m"] or 0) + 1


def _normalise_values(values: Mapping[str, Any]) -> dict[str, tuple[Any, str, str]]:
    """{key: (value, citation[, note])} -> {key: (normalised value, citation, note)}."""
    result = {}
    for key, spec in values.items():
        value, citation, *rest = spec
        if not (citation or "").strip():
            raise RuleValidationError(
                f"规则“{get_key(key).label}”（{key}）须注明依据条款。", code="citation_required"
            )
        result[key] = (validate(key, value), citation.strip(), rest[0] if rest else "")
    return result


@transaction.atomic
def create_profile(
    rule_set_or_code: RuleSet | str,
    values: Mapping[str, tuple],
    *,
    source_document: str,
    effective_from: date | None = None,
    effective_to: date | None = None,
    publish: bool = False,
    by=None,
    note: str = "",
) -> RuleProfile:
    """A new profile version (draft, or published with publish=True) with the given values,
    each given as (value, citation) or (value, citation, note)."""
    rule_set = RuleSet.objects.select_for_update().get(pk=get_rule_set(rule_set_or_code).pk)
    checked = _normalise_values(values)
    profile = RuleProfile.objects.create(
        rule_set=rule_set, version=_next_version(rule_set), source_document=source_document,
        effective_from=effective_from, effective_to=effective_to, created_by=by,
        change_note=note,
    )
    RuleValue.objects.bulk_create(
        RuleValue(profile=profile, key=k, value=v, citation=c, note=n)
        for k, (v, c, n) in checked.items()
    )
    return activate(profile, by=by) if publish else profile


@transaction.atomic
def activate(profile: RuleProfile, *, by=None) -> RuleProfile:
    """Publish a draft. Earlier published versions whose period reaches past the new start are
    closed the day before it."""
    profile = RuleProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != RuleProfile.Status.DRAFT:
        raise ProfileLocked(f"{profile.label}不是草稿，不能再次发布。", code="not_draft")
    if profile.effective_from is None:
        raise RuleValidationError(f"{profile.label}尚未填写施行日期，不能发布。",
                                  code="effective_from_required")
    for value in profile.values.all():
        validate(value.key, value.value)
    if not profile.values.exists():
        raise RuleValidationError(f"{profile.label}没有任何规则值，不能发布。", code="empty")

    if profile.rule_set.profiles.filter(
        status=RuleProfile.Status.ACTIVE, version__gt=profile.version
    ).exists():
        raise RuleValidationError(
            f"{profile.rule_set.code}已有更高版本发布，不能再发布{profile.label}。",
            code="stale_version",
        )

    start = profile.effective_from
    earlier = (
        RuleProfile.objects.select_for_update()
        .filter(rule_set=profile.rule_set, status=RuleProfile.Status.ACTIVE,
                version__lt=profile.version)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    )
    for old in earlier:
        if old.effective_from >= start:
            raise RuleValidationError(
                f"{profile.label}的施行日期{_cn_date(start)}不晚于已发布的{old.label}"
                f"（{_cn_date(old.effective_from)}施行），会使其完全失效；请调整施行日期。",
                code="overlap",
            )
        old.effective_to = start - timedelta(days=1)
        old.save(update_fields=["effective_to"])
    profile.status = RuleProfile.Status.ACTIVE
    profile.save(update_fields=["status"])
    return profile


@transaction.atomic
def retire(profile: RuleProfile) -> RuleProfile:
    """Withdraw a published version entirely: it no longer applies to any date. (A version
    replaced by a newer one stays published with its closed period.)"""
    profile = RuleProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != RuleProfile.Status.ACTIVE:
        raise ProfileLocked(f"{profile.label}不是已发布状态，不能废止。", code="not_active")
    profile.status = RuleProfile.Status.RETIRED
    profile.save(update_fields=["status"])
    return profile


@transaction.atomic
def new_version(
    profile: RuleProfile,
    changes: Mapping[str, Any],
    *,
    by,
    effective_from: date,
    note: str,
    citations: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    remove: Iterable[str] = (),
    source_document: str | None = None,
    effective_to: Any = _INHERIT,
) -> RuleProfile:
    """Publish a copy of `profile` with `changes` ({key: value}) applied, starting on
    effective_from; the old version ends the day before. The old version is not rewritten.

    citations/notes give the article and note of changed or added keys (a changed key keeps
    its old citation unless given); remove drops keys, so that the base rule set applies.
    effective_to defaults to the old version's end (the document's validity), if later.
    """
    old = RuleProfile.objects.select_related("rule_set").get(pk=profile.pk)
    if old.status != RuleProfile.Status.ACTIVE:
        raise ProfileLocked(
            f"只能基于已发布的版本创建新版本；{old.label}为“{old.get_status_display()}”"
            + ("，草稿可直接修改。" if old.status == RuleProfile.Status.DRAFT else "。"),
            code="not_active",
        )
    if not (note or "").strip():
        raise RuleValidationError("请填写变更说明。", code="note_required")
    effective_from = as_date(effective_from)
    if effective_from <= old.effective_from:
        raise RuleValidationError(
            f"新版本的施行日期须晚于{old.label}的施行日期{_cn_date(old.effective_from)}。",
            code="invalid_effective_from",
        )
    citations = dict(citations or {})
    notes = dict(notes or {})
    current = {v.key: v for v in old.values.all()}
    removed = set(remove)
    for key in removed | set(citations) | set(notes):
        get_key(key)
    missing = sorted(removed - set(current))
    if missing:
        raise RuleValidationError(f"{old.label}没有要删除的规则：{'、'.join(missing)}。",
                                  code="remove_missing")

    merged: dict[str, tuple] = {}
    for key, value in current.items():
        if key not in removed:
            merged[key] = (value.value, citations.get(key, value.citation),
                           notes.get(key, value.note))
    for key, value in changes.items():
        if key in removed:
            raise RuleValidationError(f"规则“{key}”不能同时修改和删除。", code="conflict")
        previous = current.get(key)
        citation = citations.get(key, previous.citation if previous else "")
        merged[key] = (value, citation, notes.get(key, ""))
    checked = _normalise_values(merged)

    if effective_to is _INHERIT:
        effective_to = (old.effective_to
                        if old.effective_to and old.effective_to >= effective_from else None)
    new = RuleProfile.objects.create(
        rule_set=old.rule_set, version=_next_version(old.rule_set),
        source_document=source_document or old.source_document,
        effective_from=effective_from, effective_to=effective_to, created_by=by,
        supersedes=old, change_note=note.strip(),
    )
    RuleValue.objects.bulk_create(
        RuleValue(profile=new, key=k, value=v, citation=c, note=n)
        for k, (v, c, n) in checked.items()
    )
    return activate(new, by=by)


def rule_in_force(rule_set_or_code: RuleSet | str, key: str, on: date | datetime) -> Rule:
    """Shortcut: profile_in_force(...).rule(key)."""
    return profile_in_force(rule_set_or_code, on).rule(key)
