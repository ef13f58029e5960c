"""The one-stop-shop's services that are announced but not built yet ("coming"), and
document verification, which the portal itself serves.

A planned service is replaced by the real definition when its domain app registers it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.cases.registry import ServiceDefinition, register

PLANNED = [
    ServiceDefinition(
        code="evisa",
        order=10,
        available=False,
        name=_("Electronic visa (e-visa)"),
        summary=_("A single-entry visa for a stay of up to 30 days, applied for and paid online."),
        who_may_apply=_("Citizens of countries eligible for the e-visa"),
        fee=_("USD 20 (standard), USD 60 (urgent), plus a service fee"),
        processing_time=_("3 working days (standard) or 3 hours (urgent)"),
        required_documents=(
            _("Passport valid beyond the stay"),
            _("Photo"),
            _("Address in Azerbaijan"),
        ),
    ),
    ServiceDefinition(
        code="stay_extension",
        order=30,
        available=False,
        name=_("Extension of temporary stay"),
        summary=_("Extending the period of temporary stay in the country."),
        who_may_apply=_("Foreigners and stateless persons staying temporarily"),
        fee=_("Adults 30 AZN (30 days) or 60 AZN (60 days); minors 15 or 30 AZN"),
        processing_time=_("1 or 3 days depending on the fee paid"),
        required_documents=(_("Passport"), _("Reason for the extension")),
    ),
    ServiceDefinition(
        code="temporary_residence",
        order=40,
        available=False,
        name=_("Temporary residence permit"),
        summary=_(
            "Permission to reside temporarily, on grounds such as work, study, family or investment."
        ),
        who_may_apply=_(
            "Foreigners with a ground set by the Migration Code; apply at least 30 days before the stay ends"
        ),
        fee=_("From 30 AZN (up to 3 months) to 480 AZN (3 years, urgent)"),
        processing_time=_("20 working days (15 urgent)"),
        required_documents=(
            _("Passport"),
            _("Document proving the ground"),
            _("Photo"),
            _("Health certificate"),
        ),
    ),
    ServiceDefinition(
        code="permanent_residence",
        order=50,
        available=False,
        name=_("Permanent residence permit"),
        summary=_("Permission to reside permanently, valid 5 years and renewable."),
        who_may_apply=_("Holders of a temporary residence permit for at least 2 years"),
        fee=_("By processing time"),
        processing_time=_("35 to 60 days depending on the fee"),
        required_documents=(_("Passport"), _("Temporary residence permit"), _("Photo")),
    ),
    ServiceDefinition(
        code="work_permit",
        order=60,
        available=False,
        name=_("Work permit"),
        summary=_("Permission for a foreigner to work for one employer, within the annual quota."),
        who_may_apply=_("The employer"),
        fee=_("350 to 1400 AZN by length and speed"),
        processing_time=_("20, 15 or 10 working days"),
        required_documents=(
            _("Employment contract"),
            _("Passport copy"),
            _("Diploma"),
            _("Health certificate"),
        ),
    ),
    ServiceDefinition(
        code="fine_payment",
        order=70,
        available=False,
        name=_("Payment of fines"),
        summary=_("Paying a fine for a migration offence online against its payment number."),
        who_may_apply=_("The person fined or anyone on their behalf"),
        fee=_("The amount of the fine"),
        processing_time=_("Immediately"),
        required_documents=(_("Payment number of the decision"),),
    ),
    ServiceDefinition(
        code="entry_ban_check",
        order=80,
        available=False,
        name=_("Check for an entry ban"),
        summary=_("Find out whether an entry ban applies to your own passport."),
        who_may_apply=_("Anyone, for their own passport"),
        fee=_("Free of charge"),
        processing_time=_("Immediately"),
        required_documents=(_("Passport data"),),
    ),
    ServiceDefinition(
        code="application_tracking",
        order=90,
        available=False,
        name=_("Track an application"),
        summary=_("See the status of an application by its reference and passport number."),
        who_may_apply=_("Applicants"),
        fee=_("Free of charge"),
        processing_time=_("Immediately"),
        required_documents=(_("Application reference"), _("Passport number")),
    ),
    ServiceDefinition(
        code="statelessness",
        order=100,
        available=False,
        name=_("Determination of statelessness"),
        summary=_(
            "Determining the legal status of long-term residents without the documents of any citizenship."
        ),
        who_may_apply=_("Persons living in Azerbaijan without proof of any citizenship"),
        fee=_("Free of charge"),
        processing_time=_("As set by law"),
        required_documents=(_("Any documents about identity and residence"),),
    ),
    ServiceDefinition(
        code="asylum",
        order=110,
        available=False,
        name=_("Asylum (refugee status)"),
        summary=_("Applying for refugee status; decided within 3 months of registration."),
        who_may_apply=_("Persons seeking protection"),
        fee=_("Free of charge"),
        processing_time=_("Within 3 months"),
        required_documents=(_("Any identity documents available"),),
    ),
    ServiceDefinition(
        code="voluntary_return",
        order=120,
        available=False,
        name=_("Assisted voluntary return"),
        summary=_("Help to return home with IOM: counselling, travel, reintegration."),
        who_may_apply=_("Rejected asylum seekers and vulnerable migrants who wish to go home"),
        fee=_("Free of charge"),
        processing_time=_("Case by case"),
        required_documents=(_("Any identity documents available"),),
    ),
    ServiceDefinition(
        code="document_verification",
        order=130,
        available=True,
        name=_("Verification of documents"),
        summary=_("Check that a certificate, visa or permit issued by the service is genuine."),
        who_may_apply=_("Anyone"),
        fee=_("Free of charge"),
        processing_time=_("Immediately"),
        required_documents=(_("The code or barcode on the document"),),
        start_url_name="portal:verify_form",
    ),
]


def register_planned() -> None:
    for service in PLANNED:
        register(service)
