from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Department, Jurisdiction, User


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent", "rule_set")
    list_filter = ("level", "rule_set")
    search_fields = ("name", "code")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "jurisdiction", "is_lead")
    list_filter = ("kind", "is_lead", "jurisdiction")
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "department", "title", "is_active")
    list_filter = ("is_active", "groups", "department__jurisdiction")
    search_fields = ("username", "full_name")
    list_select_related = ("department",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "department", "title", "phone", "email")}),
        ("角色与权限", {"fields": ("is_active", "is_staff", "groups")}),
        ("登录记录", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": (
            "username", "full_name", "department", "groups", "password1", "password2")}),
    )
    filter_horizontal = ("groups",)
