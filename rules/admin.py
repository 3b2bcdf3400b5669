from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from rules import services
from rules.calendar import weekday_cn
from rules.errors import RuleError, RuleValidationError
from rules.keys import REGISTRY, key_choices
from rules.models import CalendarDay, CalendarYear, RuleProfile, RuleSet, RuleValue


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "base"]
    search_fields = ["code", "name"]


class RuleValueForm(forms.ModelForm):
    key = forms.ChoiceField(label="规则键", choices=key_choices)

    class Meta:
        model = RuleValue
        fields = ["key", "value", "citation", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "cols": 30})}


class RuleValueInline(admin.TabularInline):
    """Editable on drafts only; published versions show their values read-only."""

    model = RuleValue
    form = RuleValueForm
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or not obj.is_locked

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(RuleProfile)
class RuleProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rule_set", "version", "status", "effective_from", "effective_to",
                    "supersedes", "created_at"]
    list_filter = ["rule_set", "status"]
    list_select_related = ["rule_set", "supersedes__rule_set"]
    inlines = [RuleValueInline]
    actions = ["publish_drafts", "retire_profiles"]
    readonly_fields = ["version", "status", "supersedes", "created_at", "created_by"]
    fields = ["rule_set", "version", "status", "source_document", "effective_from",
              "effective_to", "supersedes", "change_note", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "rule_set"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # published versions are view-only; changing them means creating a new version
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.version = (obj.rule_set.profiles.aggregate(m=Max("version"))["m"] or 0) + 1
        super().save_model(request, obj, form, change)

    @admin.action(description="发布所选草稿", permissions=["add"])
    def publish_drafts(self, request, queryset):
        for profile in queryset.order_by("rule_set__code", "version"):
            try:
                services.activate(profile, by=request.user)
            except RuleError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{profile.label}已发布。", messages.SUCCESS)

    @admin.action(description="废止所选版本（任何日期均不再适用）", permissions=["add"])
    def retire_profiles(self, request, queryset):
        for profile in queryset:
            try:
                services.retire(profile)
            except RuleError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{profile.label}已废止。", messages.WARNING)

    def get_urls(self):
        return [
            path("<int:pk>/new-version/", self.admin_site.admin_view(self.new_version_view),
                 name="rules_ruleprofile_new_version"),
            *super().get_urls(),
        ]

    def new_version_view(self, request, pk):
        profile = get_object_or_404(RuleProfile.objects.select_related("rule_set"), pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if profile.status != RuleProfile.Status.ACTIVE:
            self.message_user(request, "只能基于已发布的版本创建新版本。", messages.ERROR)
            return redirect("admin:rules_ruleprofile_change", profile.pk)
        form = NewVersionForm(request.POST or None, profile=profile)
        if request.method == "POST" and form.is_valid():
            try:
                new = form.save(by=request.user)
            except RuleValidationError as error:
                form.add_error(None, error.messages)
            except RuleError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"已创建并发布{new.label}。", messages.SUCCESS)
                return redirect(reverse("admin:rules_ruleprofile_change", args=[new.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"基于{profile.label}创建新版本",
            "opts": self.model._meta,
            "original": profile,
            "form": form,
            "rows": form.rows(),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/rules/ruleprofile/new_version.html", context)


class NewVersionForm(forms.Form):
    effective_from = forms.DateField(label="新版本施行日期", widget=AdminDateWidget)
    note = forms.CharField(label="变更说明", widget=forms.Textarea(attrs={"rows": 3}))
    source_document = forms.CharField(label="依据文件", max_length=300)

    def __init__(self, *args, profile: RuleProfile, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.current = {v.key: v for v in profile.values.all()}
        self.fields["source_document"].initial = profile.source_document
        for key, spec in REGISTRY.items():
            old = self.current.get(key)
            self.fields[f"value__{key}"] = forms.JSONField(
                label=f"{spec.label}（{key}）", required=False,
                initial=old.value if old else None,
                help_text=f"留空表示本版本不规定（适用基准规则）。格式：{spec.shape}",
                widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
            )
            self.fields[f"citation__{key}"] = forms.CharField(
                label="依据条款", required=False, initial=old.citation if old else "",
            )

    def rows(self):
        return [(self[f"value__{key}"], self[f"citation__{key}"]) for key in REGISTRY]

    def save(self, *, by) -> RuleProfile:
        data = self.cleaned_data
        changes, citations, remove = {}, {}, []
        for key in REGISTRY:
            value = data[f"value__{key}"]
            citation = data[f"citation__{key}"].strip()
            old = self.current.get(key)
            if value is None:
                if old is not None:
                    remove.append(key)
                continue
            if old is None or value != old.value:
                changes[key] = value
            if citation and (old is None or citation != old.citation):
                citations[key] = citation
        if not (changes or citations or remove
                or data["source_document"] != self.profile.source_document):
            raise RuleError("没有任何变更，无需创建新版本。")
        return services.new_version(
            self.profile, changes, by=by, effective_from=data["effective_from"],
            note=data["note"], citations=citations, remove=remove,
            source_document=data["source_document"],
        )


class _RecordedBy(admin.ModelAdmin):
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CalendarDay)
class CalendarDayAdmin(_RecordedBy):
    list_display = ["date", "weekday", "kind", "name", "note", "created_by"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name", "note"]
    fields = ["date", "kind", "name", "note", "created_by", "created_at"]

    @admin.display(description="星期")
    def weekday(self, obj):
        return weekday_cn(obj.date)


@admin.register(CalendarYear)
class CalendarYearAdmin(_RecordedBy):
    list_display = ["year", "source", "created_by", "created_at"]
    fields = ["year", "source", "note", "created_by", "created_at"]
