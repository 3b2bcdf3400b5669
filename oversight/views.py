"""数据看板: every figure of the user's scope (oversight/figures.py) with its chart and a link to
the list it counts (oversight/links.py). Thin: the filters make a Selection, the figures
count, this module only arranges them for the template."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from screening.models import Clue
from screening.reports import OUTCOMES
from workflow.forms import QuickSelect, StyledForm
from workflow.list_filters import LinkedFilters
from workflow.models import ApprovalRequest, ApprovalStep

from . import figures, links
from .charts import Item, Series, bar_chart, donut_chart, line_chart
from .figures import AGE_BUCKETS, age_q
from .forms import DashboardFilterForm
from .periods import QUARTER_NAMES
from .selection import Selection

OUTCOME_COLORS = {"open": "#1565c0", "case_opened": "#2e7d32", "not_started": "#ef6c00",
                  "referred": "#6a1b9a", "excluded": "#546e7a"}


def yuan(value) -> str:
    return f"{value:,.2f} 元"


def short_quarter(p) -> str:
    return f"{p.start.year}年{QUARTER_NAMES[(p.start.month - 1) // 3 + 1][1]}季"


@login_required
@require_GET
def dashboard(request):
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET or None, user=request.user, today=today)
    context = {"form": form, "today": today}
    if form.is_bound and not form.is_valid():
        return render(request, "oversight/dashboard.html", context, status=200)
    sel = form.selection() if form.is_bound else DashboardFilterForm(
        None, user=request.user, today=today).selection()
    context.update(build(sel, timezone.now()))
    return render(request, "oversight/dashboard.html", context)


def build(sel: Selection, now) -> dict:
    """The figures of a selection with their charts and links (also for a browser-free test
    or a report that wants the page's arrangement)."""
    clue = figures.clues_by_channel_and_outcome(sel)
    for row in clue.rows:
        row.href = links.clues(sel, channel=row.channel_id)
        row.cells = [(row.outcomes[code], links.clues(sel, channel=row.channel_id, outcome=code))
                     for code, _ in OUTCOMES]
    clue_outcome_cells = [(code, label, clue.outcome_totals.get(code, 0),
                           links.clues(sel, outcome=code)) for code, label in OUTCOMES]

    stages = figures.cases_by_stage(sel)
    for s in stages:
        s.href = links.cases(sel, stage=s.stage)

    trend = figures.case_trend(sel)
    for q in trend:
        q.label = short_quarter(q.period)
        q.started_href = links.cases(sel, opened_in=q.period)
        q.terminated_href = links.cases(sel, stage="terminated", ended_in=q.period)
        q.closed_href = links.cases(sel, stage="closed", ended_in=q.period)

    due = figures.deadlines_due(sel)
    for r in due.rows:
        r.overdue_href = links.deadlines(sel, view="overdue", kind=r.kind,
                                         department=r.department_id)
        r.soon_href = links.deadlines(sel, view="soon", kind=r.kind, department=r.department_id)

    approval = figures.approvals_waiting(sel, now)
    for r in approval.rows:
        r.href = links.approvals(sel, action=r.action)
        r.cells = [(r.ages[code], links.approvals(sel, action=r.action, age=code))
                   for code, *_ in AGE_BUCKETS]

    money = figures.money(sel)
    for r in money.by_damage_type:
        r.href = links.cases(replace(sel, damage_type=r.key)) if r.key else ""
        r.cells = [yuan(v) for v in r.values()]
    for r in money.by_jurisdiction:
        r.cells = [yuan(v) for v in r.values()]
    money.total.cells = [yuan(v) for v in money.total.values()]

    rest = figures.restoration(sel)
    project_items = [Item(label, n, links.projects(sel, state=code)) for code, label, n in
                     rest.by_state]

    majors = figures.major_cases(sel)
    side = figures.breakdown(sel)
    if side is not None:
        for r in side.rows + [side.total]:
            r.money_cells = [yuan(r.claimed), yuan(r.paid), yuan(r.outstanding)]

    return {
        "sel": sel, "damage_label": dict(Clue.DamageType.choices).get(sel.damage_type, ""),
        "clue": clue, "clue_outcomes": clue_outcome_cells,
        "clue_total_href": links.clues(sel),
        "clue_chart": donut_chart(
            [Item(label, n, href, OUTCOME_COLORS.get(code, "")) for code, label, n, href in
             clue_outcome_cells], title=f"{sel.period.label}线索筛查结果"),
        "clue_channel_chart": bar_chart(
            [Item(r.label, r.total, r.href) for r in clue.rows],
            title=f"{sel.period.label}线索来源渠道"),
        "stages": stages, "cases_total": sum(s.count for s in stages),
        "cases_href": links.cases(sel),
        "stage_chart": bar_chart([Item(s.label, s.count, s.href) for s in stages],
                                 title="案件所处阶段"),
        "trend": trend,
        "trend_chart": line_chart([q.label for q in trend], [
            Series("启动", [q.started for q in trend], [q.started_href for q in trend],
                   "#2e7d32"),
            Series("终止", [q.terminated for q in trend], [q.terminated_href for q in trend],
                   "#c62828"),
            Series("结案", [q.closed for q in trend], [q.closed_href for q in trend],
                   "#1565c0"),
        ], title="近8个季度案件启动、终止、结案"),
        "due": due,
        "overdue_href": links.deadlines(sel, view="overdue"),
        "soon_href": links.deadlines(sel, view="soon"),
        "due_chart": bar_chart(
            [Item(f"{label}（逾期）", o, links.deadlines(sel, view="overdue", kind=k), "#c62828")
             for k, label, o, s in due.by_kind if o]
            + [Item(f"{label}（7日内）", s, links.deadlines(sel, view="soon", kind=k), "#ef6c00")
               for k, label, o, s in due.by_kind if s],
            title="逾期及7日内到期的期限", label_width=200),
        "approval": approval, "age_buckets": AGE_BUCKETS,
        "approvals_href": links.approvals(sel),
        "approval_chart": bar_chart(
            [Item(label, approval.ages[code], links.approvals(sel, age=code))
             for code, label, *_ in AGE_BUCKETS], title="待审批事项已等待时间"),
        "money": money,
        "money_chart": bar_chart(
            [Item(label.split("（")[0], float(v), "", text=yuan(v))
             for (code, label), v in zip(money.fields, money.total.values(), strict=True)],
            title="赔偿资金合计", label_width=120, width=600),
        "rest": rest, "projects_href": links.projects(sel),
        "project_chart": donut_chart(project_items, title="修复项目状态"),
        "majors": majors, "major_href": links.cases(sel, classification="major"),
        "major_ledger_href": links.major_ledger(sel),
        "side": side,
    }


# --- pending approvals (the list the approvals figure counts) ---------------------------------

class ApprovalFilters(StyledForm, LinkedFilters):
    linked_jurisdiction = "department__jurisdiction"
    action = forms.CharField(required=False, widget=forms.HiddenInput)
    age = forms.ChoiceField(label="已等待", required=False, widget=QuickSelect,
                            choices=[("", "全部"), *[(c, label) for c, label, *_ in AGE_BUCKETS]])

    def hidden_extra(self):
        return [self["action"]]


@login_required
@require_GET
def approvals(request):
    """Approval requests still pending in the user's scope (department_q, as the figure),
    oldest first; at most 200 rows."""
    today, now = timezone.localdate(), timezone.now()
    filters = ApprovalFilters(request.GET or None)
    sel = DashboardFilterForm(None, user=request.user, today=today).selection()
    qs = filters.apply_linked(sel.approvals().filter(status=ApprovalRequest.Status.PENDING))
    if filters.is_valid():
        if filters.cleaned_data["action"]:
            qs = qs.filter(action=filters.cleaned_data["action"])
        if filters.cleaned_data["age"]:
            qs = qs.filter(age_q(filters.cleaned_data["age"], now))
    rows = list(qs.select_related("department", "requested_by", "content_type")
                .prefetch_related("subject", Prefetch(
                    "steps", queryset=ApprovalStep.objects.filter(decision="pending"),
                    to_attr="pending_steps"))
                .order_by("requested_at", "pk")[:200])
    for r in rows:
        r.waited_days = (now - r.requested_at).days
    return render(request, "oversight/approvals.html",
                  {"rows": rows, "filters": filters, "count": qs.count()})
