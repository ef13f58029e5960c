from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "umis.screening"
    label = "screening"

    def ready(self) -> None:
        from umis.people.selectors import person_office_link_register
        from umis.screening import catalogue, selectors

        person_office_link_register(selectors.hits_of_office, "person_id")
        catalogue.register_services()
