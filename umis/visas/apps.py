from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisasConfig(AppConfig):
    name = "umis.visas"
    label = "visas"
    verbose_name = _("E-visas")

    def ready(self) -> None:
        from umis.border import basis
        from umis.core import periodic
        from umis.visas import catalogue, selectors, services, statistics

        catalogue.register_services()
        statistics.register_statistics()
        services.register_hooks()
        # an issued e-visa is a legal basis of its holder's stay (the border's calculation)
        basis.register_provider("evisa", selectors.evisa_bases, selectors.evisa_holders)
        basis.register_label("evisa", selectors.evisa_label)

        def escalate() -> str | None:
            n = services.visa_escalate_near_breach()
            return f"escalated {n} e-visa cases" if n else None

        periodic.register("evisa-escalate", 60, escalate)
