from django.apps import AppConfig


class VisasConfig(AppConfig):
    name = "umis.visas"
    label = "visas"

    def ready(self) -> None:
        from umis.core import periodic
        from umis.visas import catalogue, services

        catalogue.register_services()
        services.register_hooks()

        def escalate() -> str | None:
            n = services.visa_escalate_near_breach()
            return f"escalated {n} e-visa cases" if n else None

        periodic.register("evisa-escalate", 60, escalate)
