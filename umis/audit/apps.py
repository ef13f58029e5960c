from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "umis.audit"
    label = "audit"

    def ready(self) -> None:
        from django.contrib import admin

        from umis.audit.admin import admin_site_audit
        from umis.audit.services import (
            audit_refusals_mark,
            audit_refusals_rewind,
            audit_seal_pending,
        )
        from umis.core import periodic
        from umis.core.races import Rewind, rewind_register

        # a unit of work run again after a race must not leave its refusal rows twice
        rewind_register(Rewind(audit_refusals_mark, audit_refusals_rewind))

        def seal() -> str | None:
            sealed = audit_seal_pending()
            return f"sealed {sealed} audit rows" if sealed else None

        periodic.register("audit-seal", 30, seal)

        # the admin modules are loaded by now (the admin app comes first): those of
        # installed packages change data too, and must leave audit rows like ours
        admin_site_audit(admin.site)
