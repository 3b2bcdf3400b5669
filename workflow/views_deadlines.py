"""Deadline board, month calendar, deadline detail and the notification inbox. Every deadline
is fetched through Deadline.objects.visible_to (a deadline outside the scope answers 404);
a notification is its recipient's alone."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Department, Jurisdiction
from accounts.scoping import department_q
from rules.calendar import WorkCalendar

from . import notifications
from .forms import QUICK_RENDERER, QuickSelect, StyledForm
from .models import Deadline, DeadlineKind, Notification
from .pagination import keyset_page
from .rows import deadline_rows
from .sorting import Sorting

ACTIVE = (Deadline.Status.OPEN, Deadline.Status.OVERDUE)
SOON_DAYS = 7  # issue 15: 7日内到期 (today and the next seven days)
# Sortable columns: the board's index is (status, due, id), walked either way within a status.
BOARD_SORTS = {"due": "届满日"}
PER_DAY = 4  # deadlines shown in one calendar cell; the rest behind a link to the board


def departments_in_scope(user):
    """The departments whose deadlines the user sees (the department part of the scoping rule
    in accounts/scoping.py), for the board's filter."""
    department = getattr(user, "department", None)
    if department is None:
        return Department.objects.none()
    return Department.objects.filter(department_q(department)).select_related("jurisdiction")


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


class DeadlineFilterForm(StyledForm, forms.Form):
    default_renderer = QUICK_RENDERER  # its inputs written in Python
    VIEWS = [
        ("active", "全部未办结"),
        ("week", "本周到期"),
        ("overdue", "已逾期"),
        ("soon", "7日内到期"),
        ("closed", "已办结或撤销"),
        ("all", "全部"),
    ]
    view = forms.ChoiceField(label="范围", choices=VIEWS, required=False)
    kind = forms.ChoiceField(label="期限类别", choices=[("", "全部类别"), *DeadlineKind.choices],
                             required=False, widget=QuickSelect)
    department = forms.ModelChoiceField(label="办理部门", queryset=Department.objects.none(),
                                        required=False, empty_label="全部部门",
                                        widget=QuickSelect)
    on = forms.DateField(label="届满日", required=False)
    # the dashboard's links (oversight/): the deadlines of a jurisdiction and those below it
    jurisdiction = forms.ModelChoiceField(label="行政区（含下级）", queryset=Jurisdiction.objects.all(),
                                          required=False, widget=forms.HiddenInput)
    mine = forms.BooleanField(label="只看我负责的", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = departments_in_scope(user)

    def value(self, name, default=None):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name) or default
        return default

    def statuses(self) -> list[str]:
        """The statuses the view shows, for keyset_page's split (one index range each)."""
        return {"overdue": [Deadline.Status.OVERDUE], "soon": [Deadline.Status.OPEN],
                "closed": [Deadline.Status.MET, Deadline.Status.CANCELLED],
                "all": list(Deadline.Status.values)}.get(self.value("view", "active"),
                                                         list(ACTIVE))

    def apply(self, qs, today: date):
        """Every filter but the status, which is statuses() (applied one status at a time by
        keyset_page's split: with a redundant `status IN` the planner misjudges the rows)."""
        if self.value("view", "active") == "week":
            monday, sunday = week_of(today)
            qs = qs.filter(due__range=(monday, sunday))
        elif self.value("view", "active") == "soon":
            qs = qs.filter(due__range=(today, today + timedelta(days=SOON_DAYS)))
        if self.value("jurisdiction"):
            qs = qs.filter(department__jurisdiction__path__startswith=self.value("jurisdiction").path)
        if self.value("kind"):
            qs = qs.filter(kind=self.value("kind"))
        if self.value("department"):
            qs = qs.filter(department=self.value("department"))
        if self.value("on"):
            qs = qs.filter(due=self.value("on"))
        if self.value("mine"):
            qs = qs.filter(responsible=self.user)
        return qs


@login_required
@require_GET
def deadline_board(request):
    today = timezone.localdate()
    filters = DeadlineFilterForm(request.GET or None, user=request.user)
    deadlines = filters.apply(
        Deadline.objects.visible_to(request.user).select_related("department", "responsible"),
        today,
    )
    statuses = filters.statuses()
    sorting = Sorting(request, BOARD_SORTS, default="-due")
    page = keyset_page(deadlines, key=sorting.key, descending=sorting.descending,
                       split=("status", statuses),
                       after=request.GET.get("after"), before=request.GET.get("before"))
    view = filters.value("view", "active")
    summary = []
    if view in ("week", "overdue", "soon"):  # bounded sets; the whole table is never grouped
        summary = list(deadlines.filter(status__in=statuses).order_by().values("department__name", "kind")
                       .annotate(n=Count("id")).order_by("-n", "department__name")[:12])
        labels = dict(DeadlineKind.choices)
        for row in summary:
            row["kind_label"] = labels.get(row["kind"], row["kind"])
    monday, sunday = week_of(today)
    return render(request, "workflow/deadline_board.html", {
        "page": page, "rows": deadline_rows(page), "filters": filters, "view": view,
        "query": request.GET.copy(),
        "sorting": sorting,
        "summary": summary, "today": today, "week": (monday, sunday),
    })


@login_required
@require_GET
def deadline_calendar(request):
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())

    filters = DeadlineFilterForm(request.GET or None, user=request.user)
    deadlines = Deadline.objects.visible_to(request.user).filter(
        due__range=(grid_start, grid_end))
    if filters.value("view", "active") not in ("all", "closed"):
        deadlines = deadlines.filter(status__in=ACTIVE)
    if filters.value("kind"):
        deadlines = deadlines.filter(kind=filters.value("kind"))
    if filters.value("department"):
        deadlines = deadlines.filter(department=filters.value("department"))
    if filters.value("mine"):
        deadlines = deadlines.filter(responsible=request.user)

    counts = dict(deadlines.order_by().values("due").annotate(n=Count("id"))
                  .values_list("due", "n"))
    shown: dict[date, list[Deadline]] = {}
    for deadline in (deadlines.annotate(rank=Window(RowNumber(), partition_by=[F("due")],
                                                    order_by=[F("id").asc()]))
                     .filter(rank__lte=PER_DAY).select_related("department")
                     .order_by("due", "id")):
        shown.setdefault(deadline.due, []).append(deadline)

    cal = WorkCalendar()
    weeks, day = [], grid_start
    query = request.GET.copy()
    query.pop("month", None)
    while day <= grid_end:
        week = []
        for _ in range(7):
            info = cal.day_info(day)
            items = shown.get(day, [])
            week.append({
                "date": day, "in_month": day.month == first.month, "today": day == today,
                "rest": not info.is_workday, "name": info.name or "",
                "confirmed": info.confirmed, "items": items,
                "more": counts.get(day, 0) - len(items),
            })
            day += timedelta(days=1)
        weeks.append(week)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render(request, "workflow/deadline_calendar.html", {
        "weeks": weeks, "first": first, "filters": filters,
        "previous": f"{previous:%Y-%m}", "following": f"{following:%Y-%m}",
        "query": query.urlencode(), "weekdays": "一二三四五六日",
    })


@login_required
@require_GET
def deadline_detail(request, pk: int):
    deadline = get_object_or_404(
        Deadline.objects.visible_to(request.user).select_related(
            "department", "responsible", "profile", "profile__rule_set"),
        pk=pk,
    )
    return render(request, "workflow/deadline_detail.html", {
        "deadline": deadline,
        "pauses": deadline.pauses.select_related("started_by", "ended_by"),
        "changes": deadline.changes.select_related("by")[:100],
        "alerts": deadline.alerts.order_by("-created_at", "-id")[:50],
    })


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    inbox = Notification.objects.filter(recipient=request.user)
    if unread_only:
        inbox = inbox.filter(read_at__isnull=True)
    page = keyset_page(inbox, key="created_at",
                       after=request.GET.get("after"), before=request.GET.get("before"))
    return render(request, "workflow/notification_list.html", {
        "page": page, "unread_only": unread_only, "query": request.GET.copy(),
        "email_enabled": notifications.email_enabled(request.user),
        "has_email": bool(request.user.email),
    })


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("workflow:notification_list")


@login_required
@require_POST
def notification_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.mark_read(request.user, note.pk)
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.mark_all_read(request.user)
    messages.success(request, f"已将{count}条通知标为已读。" if count else "没有未读通知。")
    return _back(request)


@login_required
@require_POST
def notification_preferences(request):
    enabled = request.POST.get("email_enabled") == "1"
    notifications.set_email_enabled(request.user, enabled)
    messages.success(request, "已开启邮件通知。" if enabled else "已关闭邮件通知。")
    return redirect(reverse("workflow:notification_list"))
