from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "umis.reports"
    label = "reports"
