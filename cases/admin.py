from django.contrib import admin

# --- Appraisal registries (鉴定评估机构, 评估专家; issue 4, appraisal part) --------------------
# Managed by the administrator (系统管理员). Appraisals themselves are recorded only through the
# case pages (cases/views_appraisal.py), which keep scope, stage and periods consistent.
from .models import AppraisalInstitution, Expert  # noqa: E402


@admin.register(AppraisalInstitution)
class AppraisalInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "qualification", "qualification_number",
                    "qualification_valid_until", "active")
    list_filter = ("qualification", "active")
    search_fields = ("name", "credit_code", "qualification_number", "fields_covered")
    list_editable = ("active",)


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("name", "field", "organisation", "pool", "title", "phone", "active")
    list_filter = ("pool", "active")
    search_fields = ("name", "field", "organisation", "organisation_credit_code")
    list_editable = ("active",)
