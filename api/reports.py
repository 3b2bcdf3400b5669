"""The progress report for the provincial reporting system (SX 第四十条: 将生态环境损害赔偿
线索筛查和案件办理进展情况录入信息化平台): a jurisdiction's screening and case progress over a
period, in the stable shape `schemas.ProgressReport` (schema_version "1"; fields are only ever
added). Counted over what the client's service user may see (the one scoping rule), within the
jurisdiction and the ones below it."""

import datetime

from django.db.models import Count
from django.utils import timezone

from cases.models import Case
from screening.models import Clue, SourceChannel


def _counts(rows, field, labels) -> list[dict]:
    return [{"code": row[field], "label": str(labels.get(row[field], row[field])),
             "count": row["n"]} for row in rows]


def progress_report(user, jurisdiction, start: datetime.date, end: datetime.date) -> dict:
    clues = Clue.objects.visible_to(user).filter(jurisdiction__path__startswith=jurisdiction.path)
    registered = clues.filter(registered_on__range=(start, end))
    decided = clues.filter(decided_on__range=(start, end)).exclude(decision="")
    cases = Case.objects.visible_to(user).filter(jurisdiction__path__startswith=jurisdiction.path)
    opened = cases.filter(opened_on__range=(start, end))
    channels = dict(SourceChannel.objects.values_list("code", "name"))
    by_channel = (registered.values("channel__code").annotate(n=Count("id"))
                  .order_by("channel__code"))
    return {
        "schema_version": "1",
        "jurisdiction": {"code": jurisdiction.code, "name": jurisdiction.name},
        "period_start": start, "period_end": end, "generated_at": timezone.now(),
        "screening": {
            "clues_registered": registered.count(),
            "by_state": _counts(registered.values("state").annotate(n=Count("id"))
                                .order_by("state"), "state", dict(Clue.State.choices)),
            "by_channel": [{"code": r["channel__code"], "label": channels[r["channel__code"]],
                            "count": r["n"]} for r in by_channel],
            "decided": _counts(decided.values("decision").annotate(n=Count("id"))
                               .order_by("decision"), "decision", dict(Clue.Decision.choices)),
        },
        "cases": {
            "cases_opened": opened.count(),
            "by_stage": _counts(opened.values("stage").annotate(n=Count("id")).order_by("stage"),
                                "stage", dict(Case.Stage.choices)),
            "open_now": cases.filter(opened_on__lte=end).exclude(
                stage__in=(Case.Stage.CLOSED, Case.Stage.TERMINATED)).count(),
        },
    }
