"""The portal's registration-deadline and stay calculator (no case: it only answers)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.cases.registry import ServiceDefinition, register

CALCULATOR_CODE = "stay_calculator"


def register_services() -> None:
    register(
        ServiceDefinition(
            code=CALCULATOR_CODE,
            order=25,
            name=_("Registration-deadline and stay calculator"),
            summary=_(
                "From your dates of entry and exit: the days used in the current period, the "
                "days left, the last day you may stay and when you must be registered."
            ),
            who_may_apply=_("Anyone"),
            fee=_("Free of charge"),
            processing_time=_("Immediately"),
            required_documents=(_("Your dates of entry and exit"),),
            start_url_name="border:calculator",
        )
    )
