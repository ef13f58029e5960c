"""The admin writes to the audit log like every other way of changing data.

`AuditedModelAdmin` records who added, changed or deleted which row and the names of the
fields changed (never their values: a password or a key hash stays out of the log), in
the transaction of the change. Every admin of the project derives from it; the admins of
installed packages (second-factor devices, lockouts, tasks) are wrapped in it when the
audit app is ready, so no admin page changes data unrecorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from umis.audit.services import AuditEntry, audit_record, audit_record_many
from umis.core.admin import NamedModelAdmin

_M = TypeVar("_M", bound=models.Model)


def _field_names(fields: Iterable[str]) -> list[str]:
    """The names of the fields changed; every password field (new, again, usable) is one."""
    return sorted({"password" if "password" in name else name for name in fields})


def audit_admin_change(
    *, request: HttpRequest, obj: models.Model, fields: Iterable[str], created: bool = False
) -> None:
    """Record a row added or changed in the admin (call inside the change's transaction)."""
    names = _field_names(fields)
    if not created and not names:
        return  # saved as it was
    audit_record(
        actor=request.user,
        action="ADMIN_RECORD_CREATED" if created else "ADMIN_RECORD_CHANGED",
        entity=obj,
        data={"fields": names},
    )


class AuditedModelAdmin(NamedModelAdmin[_M]):
    """A model admin whose additions, changes and deletions are in the audit log."""

    def save_model(self, request: HttpRequest, obj: _M, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_admin_change(
                request=request, obj=obj, fields=form.changed_data, created=not change
            )

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="ADMIN_RECORD_DELETED", entity=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        with transaction.atomic():
            audit_record_many(
                actor=request.user,
                entries=[AuditEntry("ADMIN_RECORD_DELETED", entity=obj) for obj in queryset],
            )
            super().delete_queryset(request, queryset)


def admin_site_audit(site: admin.AdminSite) -> None:
    """Put every admin registered on `site` that is not audited yet (those of installed
    packages) behind `AuditedModelAdmin`."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedModelAdmin):
            continue
        base = type(model_admin)
        # the name a package's admin is given for the headings (umis.core.vendor_apps)
        named = {"name_acted_on": getattr(base, "name_acted_on", None)}
        audited = type(f"Audited{base.__name__}", (AuditedModelAdmin, base), named)
        site.unregister(model)
        site.register(model, audited)
