"""历史记录: an obligor's damage events and closed cases from before the system, so that the
repeat exception of 显著轻微 (CQ 四(二); SX 第十一条(二): 赔偿义务人曾因违法行为造成生态环境
损害，2年内再次发生的) sees them from the first day instead of from two years on.

A record is dated before its jurisdiction's first rule profile (rules/: the day the system's
rules start to apply there); later damage is registered as a clue. It counts as a damage event
(parties/party_links.py), opens no deadlines, and is scoped like a clue."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from rules.calendar import cn_date
from rules.models import RuleProfile
from workflow.numbering import next_number

from .models import HistoricalRecord


def system_start(jurisdiction) -> date | None:
    """The day the jurisdiction's first published rule profile took effect (None: none yet)."""
    return RuleProfile.objects.filter(
        rule_set_id=jurisdiction.rule_set_id,
        status__in=[RuleProfile.Status.ACTIVE, RuleProfile.Status.RETIRED],
    ).aggregate(first=Min("effective_from"))["first"]


def event_date_errors(jurisdiction, day: date | None) -> list[str]:
    """Why `day` cannot be a historical record's date in `jurisdiction` (Chinese), or []."""
    if day is None:
        return []
    if day > timezone.localdate():
        return [f"发生日期{cn_date(day)}晚于今天，不可能。"]
    start = system_start(jurisdiction)
    if start is not None and day >= start:
        return [f"历史记录只登记{jurisdiction}自{cn_date(start)}起适用规则配置之前的事项；"
                f"{cn_date(day)}的损害请登记为线索。"]
    return []


def record_historical(record: HistoricalRecord, *, by) -> HistoricalRecord:
    """Check and save a new historical record of `record.department`: its number (jurisdiction,
    year, sequence), its date before the first rule profile. Raises ValidationError (Chinese,
    per field)."""
    record.jurisdiction = record.department.jurisdiction
    record.created_by = by
    errors = {}
    try:
        record.full_clean(exclude=["number", "created_by"])
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    if NON_FIELD_ERRORS in errors:  # historical_record_unique: the same 文号 again
        errors.setdefault("document_number", []).extend(errors.pop(NON_FIELD_ERRORS))
    if "event_date" not in errors:
        problems = event_date_errors(record.jurisdiction, record.event_date)
        if problems:
            errors["event_date"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        year = timezone.localdate().year
        seq = next_number(f"history:{record.jurisdiction.code}", year)
        record.number = f"{record.jurisdiction.code}-{year}-LS{seq:05d}"
        record.save()
    return record
