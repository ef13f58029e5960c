from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from umis.accounts.models import ApiClient, User
from umis.accounts.services import api_client_revoke
from umis.audit.admin import AuditedModelAdmin, audit_admin_change


def admin_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no sign-in form of its own: everybody signs in on the one sign-in page
    (second factor, lockout, audit), then comes back."""
    if request.user.is_authenticated:
        raise PermissionDenied  # signed in, but the admin is not theirs: no redirect loop
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(target, login_url=reverse("accounts:login"))


admin.site.login = admin_sign_in  # type: ignore[method-assign]
# the admin names the system, in the reader's language, not "Django administration"
admin.site.site_header = admin.site.site_title = _("UMIS administration")
# "View site" leads to the site in the language the admin is read in, not always to `/`
admin.site.site_url = reverse_lazy("portal:home")  # type: ignore[assignment]
# an empty value reads as on the office's pages ("—"), not as a hyphen
admin.site.empty_value_display = "—"
# access follows the role and the office: Django's groups of per-model permissions are
# not used, and their permission names are stored in English only
admin.site.unregister(Group)


@admin.register(User)
class UmisUserAdmin(AuditedModelAdmin[User], UserAdmin[User]):
    name_acted_on = _("user (accusative)")
    list_display = ("username", "email", "role", "office", "is_active")
    # access in UMIS follows the role and the office; Django's groups and per-model
    # permissions are not used (their names are stored in English, untranslatable)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and office"), {"fields": ("role", "office", "preferred_language")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_filter = ("role", "office", "is_active")

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """The password page saves its form itself, not through `save_model`: a new
        password is recorded here (that it changed, never the password)."""
        with transaction.atomic():
            before = User.objects.filter(pk=unquote(id)).values_list("password").first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=unquote(id)).first()
            if user is not None and before is not None and before[0] != user.password:
                audit_admin_change(request=request, obj=user, fields=["password"])
        return response


@admin.register(ApiClient)
class ApiClientAdmin(AuditedModelAdmin[ApiClient]):
    name_acted_on = _("API client (accusative)")
    list_display = (
        "name",
        "user",
        "key_prefix",
        "scopes",
        "created_at",
        "revoked_at",
        "last_used_at",
    )
    # a revoked key stays revoked: revocation is the action below, never an edited date
    readonly_fields = ("key_prefix", "key_hash", "created_at", "revoked_at", "last_used_at")
    actions = ("revoke_keys",)
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

    @admin.action(description=_("Revoke the selected keys"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_client_revoke(actor=request.user, client=key)  # type: ignore[arg-type]
        self.message_user(
            request, gettext("Keys revoked: %(count)d") % {"count": len(keys)}, messages.SUCCESS
        )
