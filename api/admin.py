"""The 系统管理员 registers external systems here: the token is shown once, on the page that
answers the registration, and only its SHA-256 is kept; revoking stops it at once."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from accounts.roles import Role
from workflow.admin import ReadOnlyAdmin

from .models import ApiCall, ApiClient, Operation
from .services import register_client, revoke_client, sync_service_user


class ApiClientForm(forms.ModelForm):
    operations = forms.MultipleChoiceField(
        label="允许的操作", choices=Operation.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项允许的操作。"})

    class Meta:
        model = ApiClient
        fields = ["name", "department", "role", "operations"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a system acts as a department's officer, head or liaison, never as an administrator
        self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "department", "role", "token_prefix", "created_at", "revoked_at")
    list_filter = ("revoked_at", "department__jurisdiction")
    search_fields = ("name",)
    list_select_related = ("department",)
    readonly_fields = ("token_prefix", "user", "created_at", "created_by", "revoked_at")
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None):
        return False  # its calls and intakes stay attributable

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            sync_service_user(obj)
            return
        client, token = register_client(
            name=obj.name, department=obj.department, role=obj.role,
            operations=form.cleaned_data["operations"], by=request.user)
        obj.pk, obj._issued_token = client.pk, token
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # no relations of its own; the service user's role is set by the service

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(request, "api/token_issued.html", {
            **self.admin_site.each_context(request), "client": obj,
            "token": obj._issued_token, "opts": self.model._meta,
            "title": "接口令牌已签发"})

    @admin.action(description="吊销所选客户端的令牌", permissions=["change"])
    def revoke(self, request, queryset):
        for client in queryset:
            revoke_client(client)
        messages.success(request, f"已吊销{queryset.count()}个客户端的令牌。")


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = ("at", "client", "method", "path", "status")
    list_filter = ("client", "status")
    list_select_related = ("client",)
