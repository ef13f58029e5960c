from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "umis.screening"
    label = "screening"

    def ready(self) -> None:
        from umis.screening import catalogue

        catalogue.register_services()
