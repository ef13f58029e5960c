from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "umis.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from umis.core import periodic
        from umis.people.selectors import person_office_link_register
        from umis.screening import catalogue, selectors, services, statistics

        person_office_link_register(selectors.hits_of_office, "person_id")
        catalogue.register_services()
        statistics.register_statistics()

        def imports_resume() -> str | None:
            n = services.watchlist_imports_resume_stalled()
            return f"took up {n} stalled watchlist imports" if n else None

        periodic.register("watchlist-imports-resume", 60, imports_resume)
