"""Publications in the admin, read-only: every change goes through the pages' services (masking,
approval, audit), never through a form that could bypass them."""

from django.contrib import admin

from workflow.admin import ReadOnlyAdmin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("masked_title", "kind", "jurisdiction", "year", "state", "published_at")
    list_filter = ("state", "kind", "year")
    search_fields = ("masked_title",)
    exclude = ("original_text",)
