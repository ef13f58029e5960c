from django.apps import AppConfig


class BorderConfig(AppConfig):
    name = "umis.border"
    label = "border"

    def ready(self) -> None:
        from umis.border import basis, catalogue, jobs

        catalogue.register_services()
        basis.register_provider("visa_free", basis.visa_free_provider)
        jobs.register()
