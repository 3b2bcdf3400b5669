"""Read-only admin of the negotiation and court records: they change only through
negotiation/services.py and the officer's pages (states through workflow.transitions, a signed
agreement never), so the admin shows them for support and audit and changes nothing."""

from django.contrib import admin

from workflow.admin import ReadOnlyAdmin

from .models import (
    Agreement,
    Enforcement,
    Instalment,
    JudicialConfirmation,
    Litigation,
    Meeting,
    Negotiation,
    PaymentTerm,
    PerformanceReport,
    RestorationTerm,
    ServiceAttempt,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields  # shown, never a form field (some are not editable at all)


class ServiceAttemptInline(ReadOnlyInline):
    model = ServiceAttempt
    fields = ("obligor", "method", "attempted_on", "succeeded", "recipient", "note", "proof",
              "recorded_by")


class MeetingInline(ReadOnlyInline):
    model = Meeting
    fields = ("sequence", "held_on", "place", "obligor_attendance", "agent_name",
              "agent_authorisation", "minutes_file", "recorded_by")


@admin.register(Negotiation)
class NegotiationAdmin(ReadOnlyAdmin):
    list_display = ("case", "round_number", "kind", "state", "served_on", "ended_on",
                    "failure_reason")
    list_filter = ("state", "kind", "failure_reason")
    search_fields = ("case__number",)
    list_select_related = ("case",)
    raw_id_fields = ("case", "created_by", "facts_confirmation", "early_restoration_allowed_by")
    inlines = [ServiceAttemptInline, MeetingInline]
    show_full_result_count = False


class RestorationTermInline(ReadOnlyInline):
    model = RestorationTerm
    fields = ("item", "mode", "obligor", "target", "estimated_cost", "start_by", "finish_by",
              "assessment_by")


class PaymentTermInline(ReadOnlyInline):
    model = PaymentTerm
    fields = ("kind", "obligor", "amount", "due_on", "guarantee")


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ("case", "version", "state", "signed_on", "signed_place")
    list_filter = ("state",)
    search_fields = ("case__number",)
    list_select_related = ("case",)
    raw_id_fields = ("case", "negotiation", "previous", "drafted_by")
    inlines = [RestorationTermInline, PaymentTermInline]
    show_full_result_count = False


@admin.register(Instalment)
class InstalmentAdmin(ReadOnlyAdmin):
    list_display = ("term", "sequence", "amount", "due_on")
    list_select_related = ("term",)
    show_full_result_count = False


@admin.register(JudicialConfirmation)
class JudicialConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("case", "agreement", "court", "applied_on", "state", "ruling_number",
                    "ruling_date")
    list_filter = ("state",)
    search_fields = ("case__number", "ruling_number", "court")
    list_select_related = ("case", "agreement")
    raw_id_fields = ("case", "agreement", "agreement_file", "appraisal_report", "created_by")
    show_full_result_count = False


@admin.register(Litigation)
class LitigationAdmin(ReadOnlyAdmin):
    list_display = ("case", "origin", "court", "court_case_number", "state", "effective_on")
    list_filter = ("state", "origin")
    search_fields = ("case__number", "court_case_number", "judgment_number")
    list_select_related = ("case",)
    raw_id_fields = ("case", "created_by")
    show_full_result_count = False


@admin.register(Enforcement)
class EnforcementAdmin(ReadOnlyAdmin):
    list_display = ("case", "basis", "court", "applied_on", "state", "defaulter_listed_on",
                    "credit_reported_on")
    list_filter = ("state", "basis")
    search_fields = ("case__number", "enforcement_number")
    list_select_related = ("case",)
    raw_id_fields = ("case", "confirmation", "litigation", "respondents", "created_by")
    show_full_result_count = False


@admin.register(PerformanceReport)
class PerformanceReportAdmin(ReadOnlyAdmin):
    list_display = ("case", "obligor", "organ_kind", "organ", "reported_on")
    list_filter = ("organ_kind",)
    search_fields = ("case__number", "organ")
    list_select_related = ("case", "obligor__party")
    raw_id_fields = ("case", "obligor", "file", "recorded_by")
    show_full_result_count = False
