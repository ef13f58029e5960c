from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "umis.api"
    label = "api"
