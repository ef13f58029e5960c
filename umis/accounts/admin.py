from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from umis.accounts.models import ApiClient, User


def admin_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no sign-in form of its own: everybody signs in on the one sign-in page
    (second factor, lockout, audit), then comes back."""
    if request.user.is_authenticated:
        raise PermissionDenied  # signed in, but the admin is not theirs: no redirect loop
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(target, login_url=reverse("accounts:login"))


admin.site.login = admin_sign_in  # type: ignore[method-assign]


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
