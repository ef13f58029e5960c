from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "umis.payments"
    label = "payments"

    def ready(self) -> None:
        from umis.core import outbox
        from umis.payments import services

        outbox.register(services.DUPLICATE_REFUND_TOPIC, services.payment_duplicate_refund)
