from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.cases.registry import ServiceDefinition, Sla, register, register_event_labels
from umis.stays.workflow import WORKFLOW

SERVICE_CODE = "stay_registration"


def register_services() -> None:
    register_event_labels(
        {
            "STAY_REGISTRATION_LATE": _("Registered late"),
            "STAY_REGISTRATION_ENDED": _("Stay ended"),
            "STAY_REGISTRATION_SUPERSEDED": _(
                "Stay ended: the guest moved and was registered at another place"
            ),
            "STAY_REGISTRATION_TAKEN_OVER": _(
                "Stay ended: the receiving party registered the guest at the same address"
            ),
            "STAY_REGISTRATION_ANNULLED": _("Registration annulled"),
            "STAY_REGISTRATION_CONFIRMED": _("Registration confirmed"),
            "CASE_NOTE_ADDED": _("Note added"),
        }
    )
    register(
        ServiceDefinition(
            code=SERVICE_CODE,
            order=20,
            prefix="SR",
            name=_("Registration at the place of stay"),
            summary=_(
                "A foreigner or stateless person staying more than 15 days is registered at the place of stay "
                "within 15 days of arrival (30 days for citizens of Kazakhstan)."
            ),
            who_may_apply=_(
                "The receiving party: a hotel or similar establishment, or the owner of the flat; the foreigner may also file."
            ),
            fee=_("Free of charge"),
            processing_time=_(
                "Immediately: the registration number and certificate are issued at once"
            ),
            required_documents=(
                _("Passport or other travel document of the guest"),
                _("Address of the place of stay"),
                _("Dates of arrival and planned departure"),
                _(
                    "For your own filing: the name of the owner or landlord of the accommodation, and your e-mail"
                ),
            ),
            workflow=WORKFLOW,
            sla=Sla(working_days=3),
            start_url_name="stays:register",
            start_roles=frozenset({"host"}),
            start_label=_("Register a guest (hotels and owners)"),
            public_start_url_name="stays_own:register",
            public_start_label=_("Register your own stay"),
        )
    )
