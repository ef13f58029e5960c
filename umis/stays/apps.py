from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaysConfig(AppConfig):
    name = "umis.stays"
    verbose_name = _("Place of stay")
    label = "stays"

    def ready(self) -> None:
        from umis.core import outbox
        from umis.stays import catalogue, notify, statistics

        catalogue.register_services()
        statistics.register_statistics()
        outbox.register(notify.MAIL_TOPIC, notify.mail_message)
