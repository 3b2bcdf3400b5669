from django.contrib import admin

from .models import SourceChannel


@admin.register(SourceChannel)
class SourceChannelAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "code", "is_procuratorate_referral",
                    "is_department_referral", "active")
    list_display_links = ("name",)
    list_editable = ("active",)
