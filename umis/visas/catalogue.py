from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.cases.registry import ServiceDefinition, Sla, register, register_event_labels
from umis.visas.workflow import WORKFLOW

SERVICE_CODE = "evisa"
STANDARD_SLA = Sla(working_days=3)
URGENT_SLA = Sla(hours=3)  # around the clock, holidays included


def register_services() -> None:
    register_event_labels(
        {
            "EVISA_PAID": _("Fee paid"),
            "EVISA_REFERRED": _("Referred to an officer"),
            "EVISA_ISSUED": _("E-visa issued"),
            "EVISA_APPROVED": _("Approved by an officer"),
            "EVISA_REFUSED": _("Refused"),
            "EVISA_ANNULLED": _("E-visa annulled"),
            "EVISA_ESCALATED": _("Escalated to the office head"),
        }
    )
    register(
        ServiceDefinition(
            code=SERVICE_CODE,
            order=10,
            prefix="EV",
            name=_("Electronic visa (e-visa)"),
            summary=_(
                "A single-entry visa for a stay of up to 30 days, applied for and paid online; "
                "a clean application is decided within seconds of payment."
            ),
            who_may_apply=_("Citizens of countries eligible for the e-visa"),
            fee=_("USD 20 (standard), USD 60 (urgent), plus a service fee of USD 5"),
            processing_time=_("3 working days (standard) or 3 hours (urgent)"),
            required_documents=(
                _("Passport valid at least three months beyond the stay"),
                _("Photo"),
                _("Address in Azerbaijan"),
            ),
            workflow=WORKFLOW,
            sla=STANDARD_SLA,
            start_url_name="visas:apply",
        )
    )
    # the e-visa's status lookup is the portal's application tracking (a planned entry)
    register(
        ServiceDefinition(
            code="application_tracking",
            order=90,
            name=_("Track an application"),
            summary=_(
                "See the status of an e-visa application by its reference and the passport "
                "number of one of its travellers."
            ),
            who_may_apply=_("E-visa applicants"),
            fee=_("Free of charge"),
            processing_time=_("Immediately"),
            required_documents=(_("Application reference"), _("Passport number")),
            start_url_name="visas:status_lookup",
        )
    )
