from django.contrib import admin

from .models import Attachment, AuditEvent, NumberSequence


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "object_repr", "from_state", "to_state")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor_name", "reason")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "kind", "size", "uploaded_by", "uploaded_at")
    exclude = ("file",)
    show_full_result_count = False


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ("scope", "year", "last")


# --- deadlines and notifications: read-only; they change through workflow.deadlines --------

from .models import (  # noqa: E402
    Deadline,
    DeadlineAlert,
    DeadlineChange,
    DeadlinePause,
    Notification,
    NotificationPreference,
)


class DeadlinePauseInline(admin.TabularInline):
    model = DeadlinePause
    extra = 0
    can_delete = False
    readonly_fields = ("started_on", "ended_on", "reason", "counted_days", "started_by",
                       "ended_by")

    def has_add_permission(self, request, obj=None):
        return False


class DeadlineChangeInline(DeadlinePauseInline):
    model = DeadlineChange
    readonly_fields = ("action", "at", "by", "reason", "old_due", "new_due")
    exclude = ("explanation",)


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ("subject_label", "title", "kind", "due", "confirmed", "status",
                    "department", "responsible")
    list_filter = ("status", "kind", "confirmed")
    search_fields = ("subject_label", "title")
    list_select_related = ("department", "responsible")
    raw_id_fields = ("department", "responsible", "profile")
    inlines = [DeadlinePauseInline, DeadlineChangeInline]
    show_full_result_count = False


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnlyAdmin):
    list_display = ("deadline", "kind", "offset", "due", "created_at", "processed_at", "outcome",
                    "attempts")
    list_filter = ("kind",)
    list_select_related = ("deadline",)
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "title", "created_at", "read_at", "email_status")
    list_filter = ("email_status", "verb")
    list_select_related = ("recipient",)
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_enabled")
    raw_id_fields = ("user",)
