from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "umis.documents"
    label = "documents"
