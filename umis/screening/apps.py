from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "umis.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from umis.people.selectors import person_office_link_register
        from umis.screening import catalogue, selectors, statistics

        person_office_link_register(selectors.hits_of_office, "person_id")
        catalogue.register_services()
        statistics.register_statistics()
