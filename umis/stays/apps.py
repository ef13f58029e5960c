from django.apps import AppConfig


class StaysConfig(AppConfig):
    name = "umis.stays"
    label = "stays"

    def ready(self) -> None:
        from umis.stays import catalogue

        catalogue.register_services()
