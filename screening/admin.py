from django.contrib import admin

from workflow.admin import ReadOnlyAdmin

from .models import ClueImport, ReportExport, ScreeningRound, SourceChannel


@admin.register(SourceChannel)
class SourceChannelAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "code", "is_procuratorate_referral",
                    "is_department_referral", "active")
    list_display_links = ("name",)
    list_editable = ("active",)


# Rounds, exports and imports are recorded through the screening pages (numbering, scope,
# audit); the admin only shows them.
@admin.register(ScreeningRound)
class ScreeningRoundAdmin(ReadOnlyAdmin):
    list_display = ("department", "year", "quarter", "sequence", "screened_on", "created_by")
    list_filter = ("year", "quarter")
    list_select_related = ("department", "created_by")
    search_fields = ("department__name",)


@admin.register(ReportExport)
class ReportExportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "requested_by", "status", "rows_done", "rows_total",
                    "created_at", "finished_at")
    list_filter = ("status", "scope")
    list_select_related = ("requested_by",)
    exclude = ("file",)  # files leave only through the scoped download view


@admin.register(ClueImport)
class ClueImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "department", "uploaded_by", "status", "rows_new",
                    "rows_skipped", "created_at", "imported_at")
    list_filter = ("status",)
    list_select_related = ("department", "uploaded_by")
    exclude = ("file",)
