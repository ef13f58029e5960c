from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "umis.cases"
    label = "cases"
