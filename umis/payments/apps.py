from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "umis.payments"
    label = "payments"
