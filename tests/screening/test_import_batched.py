"""The batched registration of an import (screening.services.register_clues, issue 14.2) gives
exactly what register_clue gives row by row: the same file is imported both ways from the same
database state and the clues, numbers, parties, participants, audit events, deadlines and the
preview's messages are compared."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from parties.models import Party
from parties.services import find_or_create_party
from rules.errors import RuleError
from screening import imports
from screening.imports import ClueImportResource
from screening.models import Clue
from screening.services import register_clue, register_clues
from tests.parties.factories import OrganisationFactory, make_credit_code
from tests.screening.test_import import row, xlsx
from workflow.models import AuditEvent, Deadline, DeadlineChange, NumberSequence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


class RowByRowResource(ClueImportResource):
    """The reference: the import as it was before batching, every valid row saved at once by
    find_or_create_party and register_clue."""

    class Meta(ClueImportResource.Meta):
        use_bulk = False

    def before_save_instance(self, instance, row, **kwargs):
        pass

    def do_instance_save(self, instance, is_create):
        obligors = []
        for name, code in getattr(instance, "_import_obligors", []):
            match = find_or_create_party(kind=Party.Kind.ORGANISATION, name=name,
                                         credit_code=code, by=self.user)
            obligors.append(match.party)
            if (name, code) in self._named:
                continue
            self._named.add((name, code))
            if match.created:
                self._note(f"新登记当事人“{name}”（{code}）。")
            elif match.differs:
                self._note(match.describe())
        try:
            register_clue(instance, by=self.user, obligors=obligors,
                          profile=self.profile_on(instance.found_on))
        except RuleError as e:
            from django.core.exceptions import ValidationError

            raise ValidationError({"found_on": str(e)}) from e


CODES = [make_credit_code(f"3000{n:04d}") for n in range(6)]


def rows(*, invalid: bool):
    """Rows that exercise every part of a registration: two registration years (two number
    scopes), several days found (profiles looked up per day), several obligors per row, an
    obligor named by many rows, an obligor registered before under another name, a referral by
    the procuratorate (a participant), a reference repeated in the file, an invalid row and a
    row already registered."""
    out = []
    for i in range(14):
        names = [f"批量化工{i % 4}有限公司"]
        codes = [CODES[i % 4]]
        if i % 5 == 0:
            names.append("先登记公司（新名）")
            codes.append(CODES[5])
        out.append(row(**{
            "来源文号": f"批〔2026〕{i}号", "发现日期": date(2025 + (i % 3 == 0), 9, 1 + i),
            "登记日期": date(2025 + (i % 3 == 0), 10, 1 + i), "估算损害数额（元）": 100 + i,
            "涉嫌赔偿义务人": "；".join(names), "统一社会信用代码": "；".join(codes)}))
    out.append(row(**{"来源文号": "批〔2026〕3号", "线索概要": "重复"}))
    out.append(row(**{"来源文号": "检移〔2026〕1号", "线索渠道": "检察机关移送的",
                      "移送检察机关": "太原市人民检察院", "来源单位": "",
                      "涉嫌赔偿义务人": "", "统一社会信用代码": ""}))
    out.append(row(**{"来源文号": "已登记〔2026〕1号"}))
    if invalid:  # the preview reports it; the whole import is then rolled back
        out.append(row(**{"来源文号": "错〔2026〕1号", "损害类型": "不存在"}))
    return out


def snapshot():
    """Everything an import writes, keyed by what is stable across two runs (numbers, codes),
    never by database ids."""
    key = {}
    for clue in Clue.objects.all():
        key[("clue", str(clue.pk))] = clue.number
    for party in Party.objects.all():
        key[("party", str(party.pk))] = party.credit_code
    clues = sorted(
        (c.number, c.source_reference, c.summary, c.found_on, c.registered_on,
         c.rule_profile_id, c.registered_by_id, c.state, c.source_organisation,
         c.referring_procuratorate_id, c.estimated_amount, c.place_id, c.department_id,
         tuple(sorted(c.participants.values_list("pk", flat=True))),
         tuple(sorted(c.suspected_obligors.values_list("credit_code", flat=True))))
        for c in Clue.objects.all())
    parties = sorted(Party.objects.values_list("credit_code", "name", "kind", "created_by_id"))
    events = sorted(
        (e.content_type.model, key.get((e.content_type.model, e.object_id), e.object_id),
         e.object_repr, e.action, repr(sorted(e.changes.items())), e.actor_id, e.actor_name)
        for e in AuditEvent.objects.select_related("content_type"))
    deadlines = sorted(
        (d.subject_label, key[("clue", str(d.object_id))],
         d.kind, d.title, d.rule_key, d.citation, d.profile_id, d.start_event, d.start_date,
         d.calendar, d.days, d.due, d.confirmed, d.explanation, d.responsible_id,
         d.department_id, d.next_action_on, d.status)
        for d in Deadline.objects.all())
    changes = sorted(
        (c.deadline.subject_label, c.action, c.by_id, c.reason, c.old_due, c.new_due,
         c.explanation) for c in DeadlineChange.objects.select_related("deadline"))
    sequences = sorted(NumberSequence.objects.values_list("scope", "year", "last"))
    return {"clues": clues, "parties": parties, "events": events, "deadlines": deadlines,
            "changes": changes, "sequences": sequences}


def import_both_ways(demo_org, monkeypatch, *, dry_run):
    user = demo_org.by_username["jingban"]
    OrganisationFactory(name="先登记公司", credit_code=CODES[5], created_by=user)
    register_clue(Clue(department=user.department, jurisdiction=user.department.jurisdiction,
                       channel_id=imports.SourceChannel.objects.filter(active=True).first().pk,
                       found_on=date(2026, 9, 1), registered_on=date(2026, 9, 2),
                       source_reference="已登记〔2026〕1号", summary="已登记", damage_type="water"),
                  by=user)
    upload = imports.store_upload(xlsx(rows(invalid=dry_run)), department=user.department, by=user)
    monkeypatch.setattr(ClueImportResource._meta, "batch_size", 4)  # several batches
    outcomes = {}
    for name, resource in (("batched", ClueImportResource), ("row by row", RowByRowResource)):
        with transaction.atomic():
            report = imports.excel_import.run_import(upload, resource, by=user,
                                                     dry_run=dry_run)
            outcomes[name] = (report.as_json(), snapshot())
            transaction.set_rollback(True)
    return outcomes


def test_the_batched_import_writes_what_register_clue_writes_row_by_row(demo_org, monkeypatch):
    outcomes = import_both_ways(demo_org, monkeypatch, dry_run=False)
    (report, written), (reference_report, reference) = (outcomes["batched"],
                                                        outcomes["row by row"])
    statuses = [r[1] for r in report["rows"]]
    assert statuses.count("new") == 15 and statuses.count("skipped") == 2, report["rows"]
    assert report["problems"] == [] == reference_report["problems"]
    assert len(written["clues"]) == 16 and len(written["deadlines"]) >= 15
    for part in ("clues", "parties", "events", "deadlines", "changes", "sequences"):
        assert written[part] == reference[part], part
    assert report == reference_report  # the same messages, notes on new or renamed parties
    notes = [m for r in report["rows"] for m in r[4]]
    assert sum("新登记当事人" in m for m in notes) == 4
    assert sum("先登记公司" in m and "未覆盖" in m for m in notes) == 1
    assert len(written["sequences"]) == 2  # 2025 and 2026


def test_the_dry_run_reports_what_the_row_by_row_dry_run_reports(demo_org, monkeypatch):
    outcomes = import_both_ways(demo_org, monkeypatch, dry_run=True)
    assert outcomes["batched"] == outcomes["row by row"]
    assert [r[1] for r in outcomes["batched"][0]["rows"]].count("invalid") == 1
    assert len(outcomes["batched"][1]["clues"]) == 1  # only the clue registered before


def test_register_clues_numbers_gapless_after_register_clue(demo_org):
    user = demo_org.by_username["jingban"]
    department = user.department
    channel = imports.SourceChannel.objects.filter(active=True).first()

    def clue(n):
        return Clue(department=department, jurisdiction=department.jurisdiction,
                    channel=channel, found_on=date(2026, 9, 1), registered_on=date(2026, 9, 2),
                    summary=f"第{n}条", damage_type="water")

    first = register_clue(clue(0), by=user)
    batch = register_clues([clue(n) for n in range(1, 4)], by=user)
    last = register_clue(clue(4), by=user)
    numbers = [c.number for c in [first, *batch, last]]
    seqs = [int(n.rsplit("XS", 1)[1]) for n in numbers]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    assert Deadline.objects.filter(object_id__in=[c.pk for c in batch]).count() == 3
    assert AuditEvent.objects.filter(object_id__in=[str(c.pk) for c in batch],
                                     action=AuditEvent.Action.CREATE).count() == 3
