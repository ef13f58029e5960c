from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "umis.demo"
    label = "demo"
