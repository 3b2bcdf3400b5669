"""Filters a list page receives from a link (the dashboard's figures, oversight/): the
jurisdiction (with the ones below it), the department and a date range on the list's own date.

They narrow a queryset that is already scoped (`visible_to`), so a department or jurisdiction
outside the user's scope simply matches nothing; they never widen what the user sees. The
fields are hidden inputs: the list shows them as a line of labels (`includes/linked_filters.html`)
with a link that clears them, and keeps them when its own filters are submitted."""

from __future__ import annotations

from django import forms

from accounts.models import Department, Jurisdiction

HIDDEN_DATE = forms.HiddenInput


class LinkedFilters(forms.Form):
    jurisdiction = forms.ModelChoiceField(
        label="行政区（含下级）", queryset=Jurisdiction.objects.all(), required=False,
        widget=forms.HiddenInput)
    department = forms.ModelChoiceField(
        label="办理部门", queryset=Department.objects.all(), required=False,
        widget=forms.HiddenInput)
    date_from = forms.DateField(label="起始日期", required=False, widget=HIDDEN_DATE)
    date_to = forms.DateField(label="截止日期", required=False, widget=HIDDEN_DATE)

    # Path from the listed model to its jurisdiction, department and date (subclasses set them).
    linked_jurisdiction = "jurisdiction"
    linked_department = "department"
    linked_date: str | None = None
    linked_date_label = "日期"

    LINKED_FIELDS = ("jurisdiction", "department", "date_from", "date_to")

    def apply_linked(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("jurisdiction"):
            queryset = queryset.filter(**{
                f"{self.linked_jurisdiction}__path__startswith": data["jurisdiction"].path})
        if data.get("department"):
            queryset = queryset.filter(**{self.linked_department: data["department"]})
        if self.linked_date and data.get("date_from"):
            queryset = queryset.filter(**{f"{self.linked_date}__gte": data["date_from"]})
        if self.linked_date and data.get("date_to"):
            queryset = queryset.filter(**{f"{self.linked_date}__lte": data["date_to"]})
        return queryset

    def linked_labels(self) -> list[str]:
        """The linked filters in force, in Chinese, for the line above the list."""
        if not self.is_bound or not self.is_valid():
            return []
        data, labels = self.cleaned_data, []
        if data.get("jurisdiction"):
            labels.append(f"行政区：{data['jurisdiction'].name}（含下级）")
        if data.get("department"):
            labels.append(f"办理部门：{data['department'].name}")
        start, end = data.get("date_from"), data.get("date_to")
        if start or end:
            def day(d):
                return f"{d.year}年{d.month}月{d.day}日" if d else "……"
            labels.append(f"{self.linked_date_label}：{day(start)}至{day(end)}")
        return labels + self.extra_linked_labels()

    def extra_linked_labels(self) -> list[str]:
        return []

    def hidden_linked(self):
        return [self[name] for name in self.LINKED_FIELDS if name in self.fields]
