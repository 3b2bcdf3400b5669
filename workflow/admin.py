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
