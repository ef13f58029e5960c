"""The registration certificate handed to the host and the guest."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from umis.documents.models import IssuedDocument
from umis.documents.pdf import printable, render_certificate
from umis.documents.services import document_verify_url
from umis.people.birth import birth_date_text
from umis.reference.selectors import address_line
from umis.stays.models import StayRegistration
from umis.stays.selectors import stay_registration_certificate


def certificate_pdf(reg: StayRegistration) -> bytes:
    document = stay_registration_certificate(registration=reg)
    assert document is not None
    doc = reg.travel_document
    latin = f"{doc.mrz_surname} {doc.mrz_given_names}".strip()
    name = printable(reg.full_name, latin)
    rows = [
        (_("Surname and given names"), name),
        (_("Name as in the MRZ"), latin),
        # as registered from the passport, whatever the linked person's file says
        (
            _("Date of birth"),
            birth_date_text(reg.birth_date, year_only=reg.birth_year_only),
        ),
        # none only on a registration that does not state it; Russian «не указано» agrees
        # with «Гражданство»
        (_("Nationality"), str(reg.nationality) if reg.nationality else _("not stated")),
        (
            _("Travel document"),
            f"{doc.get_document_type_display()} {doc.number} ({doc.issuing_state})",
        ),
        (_("Address"), address_line(street=reg.street, city=reg.city, region=reg.region)),
        (_("Receiving party"), reg.receiving_party),
        (_("Arrival date"), formats.date_format(reg.arrival_date, "d.m.Y")),
        # worded alike for every guest: Russian «Зарегистрирован» would take the guest's sex
        (_("Registration valid until"), formats.date_format(reg.planned_departure, "d.m.Y")),
        (
            _("Date of issue"),
            formats.date_format(timezone.localtime(document.issued_at), "d.m.Y H:i"),
        ),
    ]
    if document.status == IssuedDocument.Status.ANNULLED:
        rows.append((_("Status"), _("ANNULLED")))
    return render_certificate(
        authority=_("State Migration Service of the Republic of Azerbaijan"),
        title=_("Certificate of registration at the place of stay"),
        number_label=_("Registration number"),
        number=reg.case.reference,
        rows=rows,
        qr_text=document_verify_url(document),
        footer=_(
            "Scan the code or open the link to check that this certificate is genuine.\n"
            "The code carries a digital seal (ICAO Doc 9303 Part 13) that verifies offline\n"
            "with the published signer certificates."
        ),
    )
