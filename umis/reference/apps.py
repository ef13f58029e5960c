from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "umis.reference"
    label = "reference"
