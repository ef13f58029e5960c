from django.apps import AppConfig


class BorderConfig(AppConfig):
    name = "umis.border"
    label = "border"

    def ready(self) -> None:
        from umis.border import basis, catalogue, jobs, selectors, services, statistics
        from umis.border.models import Presence
        from umis.people.selectors import person_office_link_register
        from umis.people.services import person_derived_link_register

        person_office_link_register(selectors.findings_of_office, "person_id")
        person_office_link_register(selectors.crossings_of_office, "person_id")
        # a merge moves the crossings, then each person's presence is built from them again
        person_derived_link_register(Presence, "person", services.presence_rebuild)
        catalogue.register_services()
        statistics.register_statistics()
        basis.register_provider("visa_free", basis.visa_free_provider)
        jobs.register()
