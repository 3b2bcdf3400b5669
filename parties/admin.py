from django import forms
from django.contrib import admin

from .models import Party, can_see_full_identity
from .validators import normalise_code


class PartyAdminForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = ["kind", "name", "credit_code", "legal_representative", "representative_title",
                  "id_number", "work_unit", "address", "phone", "note"]

    def clean_credit_code(self):
        return normalise_code(self.cleaned_data.get("credit_code"))

    def clean_id_number(self):
        return normalise_code(self.cleaned_data.get("id_number"))


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    form = PartyAdminForm
    list_display = ("name", "kind", "shown_code", "address", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)  # shows the box; the search itself is Party.objects.search
    search_help_text = "名称开头、统一社会信用代码或完整身份证号码"
    readonly_fields = ("created_by", "created_at", "updated_at")
    show_full_result_count = False
    ordering = ("-created_at", "-id")

    @admin.display(description="统一社会信用代码 / 身份证号码")
    def shown_code(self, obj):
        return obj.masked_code  # lists never show a full ID number

    def get_search_results(self, request, queryset, search_term):
        # name prefix and codes, on the indexes of parties/models.py (no UPPER(), no %x%)
        return queryset.search(search_term), False

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.is_person and not can_see_full_identity(request.user):
            fields.remove("id_number")
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Records of every stage point at parties: a party is corrected, never deleted.
        return False
