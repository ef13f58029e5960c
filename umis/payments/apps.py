from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "umis.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from umis.core import outbox
        from umis.payments import services

        outbox.register(services.DUPLICATE_REFUND_TOPIC, services.payment_duplicate_refund)
