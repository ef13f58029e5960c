"""Writes of the e-visa service: apply (with the payment order), the automatic decision after
payment, the officer's decision, the annulment of an issued e-visa, escalation of cases near
their SLA."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from umis.audit.services import AuditEntry, audit_record_many
from umis.cases import sla
from umis.cases.models import Case, CaseEvent
from umis.cases.services import (
    NewCase,
    case_add_event,
    case_open_many,
    case_reasons_clean,
    case_transition,
)
from umis.core import clock, outbox
from umis.core.errors import DomainError, NotFound, ValidationFailed
from umis.core.models import OutboxMessage
from umis.core.once import submitted_once
from umis.documents.models import IssuedDocument
from umis.documents.services import DocumentRequest, document_annul, document_issue_visa
from umis.payments import purposes
from umis.payments.models import PaymentOrder
from umis.payments.services import (
    FeeLine,
    payment_checkout_url,
    payment_confirmation_awaited,
    payment_order_create,
    payment_refund_record,
)
from umis.people import mrz
from umis.people.identity import (
    PersonData,
    document_held_error,
    documents_held_by_others,
    travel_documents_stored,
)
from umis.people.models import TravelDocument
from umis.people.services import document_held_refusals_audit, person_resolve_many
from umis.reference.models import LegalGround, Office
from umis.visas import notify, workflow
from umis.visas.catalogue import SERVICE_CODE, STANDARD_SLA, URGENT_SLA
from umis.visas.checks import visa_application_check
from umis.visas.models import VisaApplication
from umis.visas.validation import VISA_VALIDITY_DAYS, application_parse

EVISA_OFFICE = "baku"  # e-visa cases are decided by the Baku main office
DECIDE_TOPIC = "evisa.decide"
VISA_TYPE_EVISA = 1  # visa type in the seal: 1 = e-visa, single entry


@dataclass
class Submission:
    group_reference: str
    applications: list[VisaApplication]
    order: PaymentOrder
    payment_url: str


def visa_payment_url(*, order: PaymentOrder, group_reference: str) -> str | None:
    """The gateway's page to pay a group's fee (the link given when applying), while the fee
    is due; None once it is paid (or refunded, cancelled), and while a payment made on the
    gateway's page is being confirmed (a second one would be charged too)."""
    if order.status != PaymentOrder.Status.PENDING or payment_confirmation_awaited(order=order):
        return None
    return payment_checkout_url(
        order=order, description=gettext("E-visa %(reference)s") % {"reference": group_reference}
    )


def _refuse_documents_held_by_others(
    actor: Any, items: list[PersonData], stored: dict[tuple[str, str], TravelDocument]
) -> None:
    """A passport number on file for somebody else is refused, so an applicant never sees,
    nor obtains a visa in, another person's name by their number; the holder's audit trail
    shows the attempt."""
    held = documents_held_by_others(items, stored)
    if held:
        document_held_refusals_audit(actor=actor, items=items, held=held, service=SERVICE_CODE)
        raise ValidationFailed(
            [document_held_error(f"applicants.{i}.document_number") for i in sorted(held)]
        )


def visa_applications_submit(
    *, actor: Any, raw: Mapping[str, Any], language: str = "az"
) -> Submission:
    """Accept an application for 1–10 travellers and open its payment order; nothing is
    stored when any part is wrong."""
    parsed = application_parse(raw, today=clock.today())
    if isinstance(parsed, list):
        raise ValidationFailed(parsed)
    office = Office.objects.get(code=EVISA_OFFICE)
    with transaction.atomic():
        items = [t.person for t in parsed.travellers]
        stored = travel_documents_stored(items)  # one read: the check and the intake
        _refuse_documents_held_by_others(actor, items, stored)
        people = person_resolve_many(actor=actor, items=items, stored=stored)
        cases = case_open_many(
            actor=actor,
            service_code=SERVICE_CODE,
            items=[
                NewCase(
                    applicant_id=person.pk,
                    office_id=office.pk,
                    data={"speed": parsed.speed, "group_size": len(parsed.travellers)},
                )
                for person, _doc in people
            ],
        )
        # The SLA clock starts when the fee is paid.
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(due_at=None)
        group = cases[0].reference
        n = len(cases)
        order = payment_order_create(
            actor=actor,
            purpose=SERVICE_CODE,
            subject=group,
            lines=[FeeLine(f"evisa.{parsed.speed}", n), FeeLine("evisa.service", n)],
        )
        applications = [
            VisaApplication(
                case=case,
                group_reference=group,
                payment_order=order,
                person=person,
                travel_document=doc,
                purpose=parsed.purpose,
                entry_date=parsed.entry_date,
                stay_days=parsed.stay_days,
                speed=parsed.speed,
                email=parsed.email,
                region=parsed.region,
                city=parsed.city,
                street=parsed.street,
                photo=traveller.photo,
                language=language[:5],
                client_reference=parsed.client_reference,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            for case, (person, doc), traveller in zip(cases, people, parsed.travellers, strict=True)
        ]
        VisaApplication.objects.bulk_create(applications)
        audit_record_many(
            actor=actor,
            entries=[
                AuditEntry(
                    "EVISA_APPLIED",
                    a,
                    person_id=a.person_id,
                    data={"reference": a.case.reference, "group": group, "order": order.number},
                )
                for a in applications
            ],
        )
        payment_url = visa_payment_url(order=order, group_reference=group)
        assert payment_url is not None  # a new order is pending
        notify.mail_owe(kind=notify.SUBMITTED, application=applications[0], payment_url=payment_url)
    return Submission(group, applications, order, payment_url)


PORTAL_FORM = "portal:evisa-apply"  # the key space of the portal form's one-time tokens


def visa_applications_submit_once(
    *, actor: Any, raw: Mapping[str, Any], language: str, token: str
) -> tuple[str, bool]:
    """Submit the portal form once per one-time token: the group reference, and whether the
    token had already been used (a double click, or back and send again), in which case
    nothing new is stored. The token is kept with the submission, in its transaction."""

    answer, replayed = submitted_once(
        space=PORTAL_FORM,
        token=token,
        work=lambda: {
            "reference": visa_applications_submit(
                actor=actor, raw=raw, language=language
            ).group_reference
        },
    )
    assert answer is not None  # a refused submission raised
    return str(answer["reference"]), replayed


def _on_paid(order: PaymentOrder) -> None:
    """The fee is in (same transaction): start the SLA clock and queue the decision."""
    now = clock.now()
    for app in VisaApplication.objects.filter(payment_order=order).select_related("case"):
        case = app.case
        if case.state != workflow.AWAITING_PAYMENT:
            continue
        case_transition(
            actor=None,
            case=case,
            target=workflow.SCREENING,
            expected_version=case.version,
            action="EVISA_PAID",
            data={"order": order.number, "transaction_id": order.transaction_id},
            system=True,
        )
        due = sla.due_at(
            URGENT_SLA if app.speed == VisaApplication.Speed.URGENT else STANDARD_SLA, now
        )
        Case.objects.filter(pk=case.pk).update(due_at=due)
        outbox.outbox_put(topic=DECIDE_TOPIC, key=case.reference, payload={"case": case.pk})


# the groups (their references, an order's subject) this browser has opened: the applicant's
# own browser (the status page reads it too)
OPEN_GROUPS_SESSION_KEY = "evisa_groups"


def _return_path(order: PaymentOrder, cancelled: bool) -> str:
    """The status page, in the language the application was made in: the gateway sends the
    payer back to an address without a language prefix. (The order and its applications
    are stored in one transaction.) `?cancelled=1` when the payer cancelled on the gateway's
    page; a return after paying there is recorded on the order, which is what the page reads."""
    app = VisaApplication.objects.filter(payment_order=order).earliest("pk")
    return app.get_absolute_url() + ("?cancelled=1" if cancelled else "")


def _return_path_elsewhere(order: PaymentOrder, cancelled: bool) -> str:
    """The status look-up, in the language the application was made in, for a payer back
    in a browser that does not have the application open: it says where they come from and
    asks for the reference and a passport number, naming no application."""
    app = VisaApplication.objects.filter(payment_order=order).earliest("pk")
    with translation.override(app.language):
        lookup = reverse("visas:status_lookup")
    return lookup + "?" + urlencode({"payment": "cancelled" if cancelled else "returned"})


def _visa_number(case: Case) -> str:
    # EV-2026-000123 -> E26000123 (nine characters, unique per case)
    _prefix, year, counter = case.reference.split("-")
    return f"E{year[2:]}{int(counter):06d}"[:9]


def visa_mrz(application: VisaApplication, *, number: str, valid_until: dt.date) -> tuple[str, str]:
    person = application.person
    doc = application.travel_document
    return mrz.compose_mrv_b(
        issuing_state=settings.UMIS_SEAL_COUNTRY,
        surname=doc.mrz_surname or mrz.mrz_name(person.surname),
        given_names=doc.mrz_given_names or mrz.mrz_name(person.given_names),
        document_number=number,
        nationality=person.nationality.icao_code,
        birth_date=person.birth_date,
        sex=person.sex if person.sex in ("M", "F") else "<",
        expiry_date=valid_until,
        optional_data=doc.number,
    )


def _issue(*, actor: Any, application: VisaApplication) -> IssuedDocument:
    case = application.case
    number = _visa_number(case)
    today = clock.today()
    valid_until = today + dt.timedelta(days=VISA_VALIDITY_DAYS - 1)
    lines = visa_mrz(application, number=number, valid_until=valid_until)
    doc = application.travel_document
    document = document_issue_visa(
        actor=actor,
        request=DocumentRequest(
            case_id=case.pk,
            person_id=application.person_id,
            number=number,
            holder_name=f"{doc.mrz_surname} {doc.mrz_given_names}".strip(),
            birth_date=application.person.birth_date,
            travel_document=doc.number,
            valid_from=today,
            valid_until=valid_until,
            data={"mrz": list(lines), "stay_days": application.stay_days, "entries": 1},
        ),
        mrz=lines,
        entries=1,
        duration_days=application.stay_days,
        visa_type=VISA_TYPE_EVISA,
    )
    VisaApplication.objects.filter(pk=application.pk).update(visa_number=number)
    application.visa_number = number
    return document


def _application_for_update(case_id: int) -> VisaApplication:
    application = (
        VisaApplication.objects.select_for_update(of=("self",))
        .select_related("case", "person", "person__nationality", "travel_document", "payment_order")
        .filter(case_id=case_id)
        .first()
    )
    if application is None:
        raise NotFound("not_found", _("Application not found."))
    return application


def visa_decide_automatically(*, case_id: int) -> str:
    """Screen a paid application: issue it, or refer it with the reasons. Idempotent: a case
    already decided is left alone (runs in the outbox transaction)."""
    application = _application_for_update(case_id)
    case = application.case
    if case.state != workflow.SCREENING:
        return case.state
    reasons = visa_application_check(application)
    if reasons:
        case_transition(
            actor=None,
            case=case,
            target=workflow.REFERRED,
            expected_version=case.version,
            action="EVISA_REFERRED",
            data={"reasons": [r.code for r in reasons]},
            system=True,
        )
        VisaApplication.objects.filter(pk=application.pk).update(
            reasons=[r.to_dict() for r in reasons]
        )
        Case.objects.filter(pk=case.pk).update(needs_attention=True)
        notify.mail_owe(kind=notify.REFERRED, application=application)
        return workflow.REFERRED
    case_transition(
        actor=None,
        case=case,
        target=workflow.ISSUED,
        expected_version=case.version,
        action="EVISA_ISSUED",
        data={"automatic": True},
        system=True,
    )
    _issue(actor=None, application=application)
    notify.mail_owe(kind=notify.ISSUED, application=application)
    return workflow.ISSUED


def _decide_message(message: OutboxMessage) -> None:
    visa_decide_automatically(case_id=int(message.payload["case"]))


def visa_approve(*, actor: Any, case: Case, expected_version: int, note: str = "") -> Case:
    """Issue the e-visa on an officer's decision. The note is optional, and refused (never
    cut) when too long."""
    note = case_reasons_clean(reasons=note, required=False)
    with transaction.atomic():
        application = _application_for_update(case.pk)
        case_transition(
            actor=actor,
            case=case,
            target=workflow.ISSUED,
            expected_version=expected_version,
            action="EVISA_APPROVED",
            note=note,
        )
        _issue(actor=actor, application=application)
        notify.mail_owe(kind=notify.ISSUED, application=application)
    return case


def visa_refuse(
    *, actor: Any, case: Case, expected_version: int, legal_ground: LegalGround, note: str = ""
) -> Case:
    """Refuse with a legal ground and the reasons (required: the ground alone does not tell
    the applicant why; refused, never cut, when too long); the fee's fate is recorded (not
    refunded by default)."""
    note = case_reasons_clean(reasons=note)
    if not legal_ground.applies("visa_refusal"):
        raise DomainError(
            "invalid_legal_ground",
            _("This legal ground does not apply to a visa refusal."),
            "legal_ground",
        )
    with transaction.atomic():
        application = _application_for_update(case.pk)
        case_transition(
            actor=actor,
            case=case,
            target=workflow.REFUSED,
            expected_version=expected_version,
            action="EVISA_REFUSED",
            legal_ground=legal_ground,
            note=note,
        )
        order = application.payment_order
        share = (
            order.amount / max(1, VisaApplication.objects.filter(payment_order=order).count())
        ).quantize(Decimal("0.01"))
        payment_refund_record(
            actor=actor,
            order=order,
            subject=case.reference,
            amount=share,
            reason=legal_ground.code,
            refund=True if settings.UMIS_EVISA_REFUND_ON_REFUSAL else None,
        )
        notify.mail_owe(kind=notify.REFUSED, application=application)
    return case


ANNULMENT_GROUNDS = "visa_annulment"  # the kind of legal ground an annulment cites


def visa_annul(
    *, actor: Any, case: Case, expected_version: int, legal_ground: LegalGround, reasons: str
) -> Case:
    """Annul an issued e-visa on an officer's decision, with a legal ground and the reasons
    (required; refused, never cut, when too long): the case closes as annulled, the visa
    verifies as annulled from now on, and the applicant is told by e-mail. The fee is kept."""
    reasons = case_reasons_clean(reasons=reasons)
    if not legal_ground.applies(ANNULMENT_GROUNDS):
        raise DomainError(
            "invalid_legal_ground",
            _("This legal ground does not apply to the annulment of a visa."),
            "legal_ground",
        )
    with transaction.atomic():
        application = _application_for_update(case.pk)
        case_transition(
            actor=actor,
            case=case,
            target=workflow.ANNULLED,
            expected_version=expected_version,
            action="EVISA_ANNULLED",
            legal_ground=legal_ground,
            note=reasons,
            data={"visa_number": application.visa_number},
        )
        for document in IssuedDocument.objects.filter(
            case_id=case.pk, kind=IssuedDocument.Kind.EVISA, status=IssuedDocument.Status.VALID
        ):
            document_annul(actor=actor, document=document, reason=legal_ground.code)
        notify.mail_owe(kind=notify.ANNULLED, application=application)
    return case


def visa_escalate_near_breach(*, now: dt.datetime | None = None) -> int:
    """Cases with less than a quarter of their SLA left go to the office head (once each)."""
    now = now or clock.now()
    escalated = 0
    candidates = (
        VisaApplication.objects.filter(
            escalated_at__isnull=True,
            case__state__in=[workflow.SCREENING, workflow.REFERRED],
            case__due_at__isnull=False,
        )
        .select_related("case")
        .order_by("case__due_at")[:500]
    )
    for app in candidates:
        case = app.case
        assert case.due_at is not None
        if time_left_fraction(app, now) > NEAR_BREACH_FRACTION:
            continue
        with transaction.atomic():
            if not VisaApplication.objects.filter(pk=app.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            Case.objects.filter(pk=case.pk).update(needs_attention=True)
            case_add_event(
                actor=None,
                case=case,
                kind=CaseEvent.Kind.ALERT,
                action="EVISA_ESCALATED",
                note="",  # the event is named in the reader's language (its label)
                data={"due_at": case.due_at.isoformat()},
            )
            notify.mail_owe(kind=notify.ESCALATED, application=app)
        escalated += 1
    return escalated


NEAR_BREACH_FRACTION = 0.25


def sla_duration(app: VisaApplication) -> dt.timedelta:
    if app.speed == VisaApplication.Speed.URGENT:
        return dt.timedelta(hours=URGENT_SLA.hours or 3)
    return dt.timedelta(days=3)


def time_left_fraction(app: VisaApplication, now: dt.datetime) -> float:
    due = app.case.due_at
    if due is None:
        return 1.0
    return (due - now) / sla_duration(app)


def register_hooks() -> None:
    purposes.register(
        purposes.Purpose(
            code=SERVICE_CODE,
            on_paid=_on_paid,
            return_path=_return_path,
            return_path_elsewhere=_return_path_elsewhere,
            session_key=OPEN_GROUPS_SESSION_KEY,
        )
    )
    outbox.register(DECIDE_TOPIC, _decide_message)
    outbox.register(notify.MAIL_TOPIC, notify.mail_message)
