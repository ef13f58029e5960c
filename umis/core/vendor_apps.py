"""The installed packages' apps under names the admin can show in the user's language
(their own names are English only, or not marked for translation)."""

from __future__ import annotations

from typing import Any

from axes.apps import AppConfig as AxesAppConfig
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpAppConfig
from django_tasks_db.apps import TasksAppConfig


@admin.display(description=_("Status"))
def _attempt_status(model_admin: Any, obj: Any) -> str:
    """How many attempts are left before sign-in is locked, or that it is locked."""
    left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
    if left > 0:
        return _("Attempts left: %(n)d") % {"n": left}
    return str(_("Sign-in locked"))


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")

    def ready(self) -> None:
        super().ready()
        from axes.admin import AccessAttemptAdmin, IsLockedOutFilter

        # the package writes the status in English ("3 Attempt Remaining", "Locked Out")
        AccessAttemptAdmin.status = _attempt_status
        IsLockedOutFilter.title = _("Sign-in locked")
        # "Выберите попытку входа" (umis.core.admin.NamedModelAdmin)
        AccessAttemptAdmin.name_acted_on = _("access attempt (accusative)")


class TotpConfig(TotpAppConfig):
    verbose_name = _("Second sign-in factor (TOTP)")

    def ready(self) -> None:
        super().ready()
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # the package's names are not marked for translation; migrations read the model's
        # declared options, not these
        TOTPDevice._meta.verbose_name = _("TOTP device")
        TOTPDevice._meta.verbose_name_plural = _("TOTP devices")
        # the list's columns and filters are named by these fields
        for name, label in (
            ("user", _("user")),
            ("name", _("name")),
            ("created_at", _("created at")),
            ("last_used_at", _("last used at")),
            ("confirmed", _("confirmed")),
        ):
            TOTPDevice._meta.get_field(name).verbose_name = label
        from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin

        # the package builds this text once, at import, in English around the names of the
        # fields in the language of that moment
        TOTPDeviceAdmin.search_help_text = _("Search by username or e-mail address")
        TOTPDeviceAdmin.qrcode_link.short_description = _("QR code")
        # "Добавить устройство TOTP", in lower case inside the heading
        TOTPDeviceAdmin.name_acted_on = _("TOTP device (accusative)")


class TasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]

    def ready(self) -> None:
        super().ready()
        from django_tasks_db.models import DBTaskResult

        # the package names the other columns for translation (our catalogue holds them in
        # az and ru); these two it does not name
        DBTaskResult._meta.get_field("id").verbose_name = _("identifier")
        DBTaskResult.task_name.fget.short_description = _("task name")  # type: ignore[attr-defined]
        from django_tasks_db.admin import DBTaskResultAdmin

        # "Выберите результат задачи", in lower case inside the heading
        DBTaskResultAdmin.name_acted_on = _("task result (accusative)")  # type: ignore[attr-defined]
