from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "umis.accounts"
    verbose_name = _("Accounts and API clients")
    label = "accounts"

    def ready(self) -> None:
        from umis.accounts.services import sessions_prune
        from umis.core import periodic

        periodic.register("sessions-prune", 3600, sessions_prune)
