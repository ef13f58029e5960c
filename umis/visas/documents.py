"""The e-visa and the refusal notice, as PDFs in the applicant's language."""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.translation import gettext as _

from umis.cases.models import CaseEvent
from umis.core.durations import days_in_full
from umis.documents.models import IssuedDocument
from umis.documents.pdf import printable, render_certificate
from umis.documents.services import document_verify_url
from umis.visas.models import VisaApplication
from umis.visas.selectors import evisa_document


def evisa_pdf(app: VisaApplication) -> bytes:
    document = evisa_document(application=app)
    assert document is not None
    person = app.person
    doc = app.travel_document
    latin = f"{doc.mrz_surname} {doc.mrz_given_names}".strip()
    with translation.override(app.language):
        rows = [
            (_("Surname and given names"), printable(person.full_name, latin)),
            (_("Date of birth"), formats.date_format(person.birth_date, "d.m.Y")),
            (_("Nationality"), str(person.nationality)),
            (_("Passport"), f"{doc.number} ({doc.issuing_state})"),
            (_("Type"), _("E-visa, single entry")),
            (_("Valid from"), formats.date_format(document.valid_from, "d.m.Y")),
            (_("Valid until"), formats.date_format(document.valid_until, "d.m.Y")),
            (
                _("Duration of stay"),
                days_in_full(app.stay_days),
            ),
            (_("Application"), app.case.reference),
        ]
        if document.status == IssuedDocument.Status.ANNULLED:
            rows.append((_("Status"), _("ANNULLED")))
        return render_certificate(
            authority=_("State Migration Service of the Republic of Azerbaijan"),
            title=_("Electronic visa"),
            number_label=_("Visa number"),
            number=document.number,
            rows=rows,
            qr_text=document_verify_url(document),
            footer=_(
                "The code carries a visible digital seal (ICAO Doc 9303 Part 13, visa profile)\n"
                "that the border verifies offline with the published signer certificates."
            ),
            photo=bytes(app.photo),
            mrz_lines=list(document.data.get("mrz", [])),
        )


def refusal_pdf(app: VisaApplication) -> bytes:
    decision = (
        CaseEvent.objects.filter(case_id=app.case_id, action="EVISA_REFUSED")
        .select_related("legal_ground")
        .order_by("-at")
        .first()
    )
    assert decision is not None
    person = app.person
    doc = app.travel_document
    latin = f"{doc.mrz_surname} {doc.mrz_given_names}".strip()
    with translation.override(app.language):
        ground = decision.legal_ground
        rows = [
            (_("Surname and given names"), printable(person.full_name, latin)),
            (_("Date of birth"), formats.date_format(person.birth_date, "d.m.Y")),
            (_("Passport"), f"{doc.number} ({doc.issuing_state})"),
            (_("Decision"), _("The e-visa is refused")),
            (_("Date of decision"), formats.date_format(decision.at, "d.m.Y H:i")),
            (_("Legal ground"), f"{ground.cited} — {ground.name}" if ground else "—"),
        ]
        return render_certificate(
            authority=_("State Migration Service of the Republic of Azerbaijan"),
            title=_("Notice of refusal of an e-visa"),
            number_label=_("Application"),
            number=app.case.reference,
            rows=rows,
            qr_text=f"{app.case.reference}",
            footer=_(
                "You may appeal this decision to the State Migration Service or to the court\n"
                "within the time limits set by law."
            ),
        )
