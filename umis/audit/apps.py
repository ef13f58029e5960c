from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "umis.audit"
    label = "audit"

    def ready(self) -> None:
        from umis.audit.services import audit_seal_pending
        from umis.core import periodic

        def seal() -> str | None:
            sealed = audit_seal_pending()
            return f"sealed {sealed} audit rows" if sealed else None

        periodic.register("audit-seal", 30, seal)
