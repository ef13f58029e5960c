from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaysConfig(AppConfig):
    name = "umis.stays"
    verbose_name = _("Place of stay")
    label = "stays"

    def ready(self) -> None:
        from umis.stays import catalogue, statistics

        catalogue.register_services()
        statistics.register_statistics()
