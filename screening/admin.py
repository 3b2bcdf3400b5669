from django.contrib import admin

from .models import SourceChannel


@admin.register(SourceChannel)
class SourceChannelAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "code", "is_procuratorate_referral",
                    "is_department_referral", "active")
    list_display_links = ("name",)
    list_editable = ("active",)


from .models import ClueImport, ReportExport, ScreeningRound  # noqa: E402


class _ReadOnly(admin.ModelAdmin):
    """Recorded through the screening pages (numbering, scope, audit); the admin only shows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScreeningRound)
class ScreeningRoundAdmin(_ReadOnly):
    list_display = ("department", "year", "quarter", "sequence", "screened_on", "created_by")
    list_filter = ("year", "quarter")
    list_select_related = ("department", "created_by")
    search_fields = ("department__name",)


@admin.register(ReportExport)
class ReportExportAdmin(_ReadOnly):
    list_display = ("filename", "requested_by", "status", "rows_done", "rows_total",
                    "created_at", "finished_at")
    list_filter = ("status", "scope")
    list_select_related = ("requested_by",)
    exclude = ("file",)  # files leave only through the scoped download view


@admin.register(ClueImport)
class ClueImportAdmin(_ReadOnly):
    list_display = ("original_name", "department", "uploaded_by", "status", "rows_new",
                    "rows_skipped", "created_at", "imported_at")
    list_filter = ("status",)
    list_select_related = ("department", "uploaded_by")
    exclude = ("file",)
