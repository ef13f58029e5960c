from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "umis.people"
    label = "people"
