from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from umis.accounts.models import ApiClient, User


@admin.register(User)
class UmisUserAdmin(UserAdmin[User]):
    list_display = ("username", "email", "role", "office", "is_active")
    list_filter = ("role", "office", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("UMIS", {"fields": ("role", "office", "preferred_language")}),
    )  # type: ignore[misc]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    list_display = (
        "name",
        "user",
        "key_prefix",
        "scopes",
        "created_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = ("key_prefix", "key_hash", "created_at", "last_used_at")
    fields = (
        "name",
        "user",
        "scopes",
        "key_prefix",
        "key_hash",
        "created_at",
        "revoked_at",
        "last_used_at",
    )

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are created with `umis apiclient create`, which shows the key once
