from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "umis.portal"
    label = "portal"

    def ready(self) -> None:
        from umis.portal import planned_services

        planned_services.register_planned()
