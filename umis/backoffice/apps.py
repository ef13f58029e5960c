from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "umis.backoffice"
    label = "backoffice"
