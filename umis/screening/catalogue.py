from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.cases.registry import ServiceDefinition, register, register_event_labels

ENTRY_BAN_CHECK = "entry_ban_check"


def register_services() -> None:
    register_event_labels(
        {
            "SCREENING_HIT_RAISED": _("Watchlist hit raised"),
            "SCREENING_HIT_CONFIRMED": _("Watchlist hit confirmed"),
            "SCREENING_HIT_DISMISSED": _("Watchlist hit dismissed"),
        }
    )
    register(
        ServiceDefinition(
            code=ENTRY_BAN_CHECK,
            order=80,
            name=_("Check for an entry ban"),
            summary=_("Find out whether an entry ban applies to your own passport."),
            who_may_apply=_("Anyone, for their own passport"),
            fee=_("Free of charge"),
            processing_time=_("Immediately"),
            required_documents=(
                _("Passport number and issuing state"),
                _("Surname and date of birth as in the passport"),
            ),
            start_url_name="screening:entry_ban_check",
        )
    )
