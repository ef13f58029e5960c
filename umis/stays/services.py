"""Writes of the place-of-stay registration service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from umis.audit.services import AuditEntry, audit_collect, audit_record_many
from umis.cases.models import Case, CaseEvent
from umis.cases.services import NewCase, case_add_event, case_open_many, case_transition
from umis.core import clock
from umis.core.bulk import bulk_insert
from umis.core.errors import DomainError, FieldError, NotFound
from umis.core.prepared import Prepared
from umis.documents.models import IssuedDocument
from umis.documents.services import (
    DocumentRequest,
    document_annul,
    document_valid_until_shorten,
    documents_issue,
)
from umis.people.identity import (
    document_held_error,
    documents_held_by_others,
    travel_documents_stored,
)
from umis.people.models import TravelDocument
from umis.people.services import document_held_refusals_audit, person_resolve_many
from umis.reference.models import LegalGround
from umis.reference.selectors import reference_snapshot
from umis.screening.services import screening_screen_cases
from umis.stays import workflow
from umis.stays.catalogue import SERVICE_CODE
from umis.stays.models import Host, StayRegistration
from umis.stays.validation import RegistrationData, registration_parse

MAX_BATCH = 1000


@dataclass
class ItemResult:
    index: int
    registration: StayRegistration | None = None
    certificate: IssuedDocument | None = None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.registration is not None


_ACTIVE_AT_HOST = Prepared(
    lambda p: StayRegistration.objects.filter(
        host=p["host"], active=True, travel_document__number__any=p["numbers[]"]
    ).values_list(
        "travel_document__issuing_state_id",
        "travel_document__number",
        "arrival_date",
        "planned_departure",
    )
)


def _overlapping(
    host: Host, items: Sequence[tuple[int, RegistrationData]]
) -> dict[int, FieldError]:
    """Items whose guest already has an active registration at this host for overlapping dates."""
    numbers = sorted({d.person.document_number for _, d in items})
    existing = _ACTIVE_AT_HOST.all(host=host.pk, numbers=numbers)
    taken: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    for state, number, arrival, departure in existing:
        taken.setdefault((state, number), []).append((arrival, departure))
    problems: dict[int, FieldError] = {}
    for i, d in items:
        key = d.person.document_key
        periods = taken.setdefault(key, [])
        if any(a <= d.planned_departure and d.arrival_date <= b for a, b in periods):
            problems[i] = FieldError(
                "already_registered",
                _("This guest already has an active registration here for these dates."),
                "document_number",
            )
        else:
            periods.append((d.arrival_date, d.planned_departure))
    return problems


def _documents_held_by_others(
    *,
    actor: Any,
    parsed: Sequence[tuple[int, RegistrationData]],
    stored: dict[tuple[str, str], TravelDocument],
) -> dict[int, FieldError]:
    """Guests whose passport number is on file for somebody else are refused, so a host
    never sees, nor registers, another person by their number; the holder's audit trail
    shows the attempt."""
    items = [d.person for _, d in parsed]
    held = documents_held_by_others(items, stored)
    document_held_refusals_audit(actor=actor, items=items, held=held, service=SERVICE_CODE)
    return {parsed[k][0]: document_held_error("document_number") for k in held}


def stay_registrations_submit(
    *, actor: Any, host: Host, raws: Sequence[Mapping[str, Any]]
) -> list[ItemResult]:
    """Register guests: each item is accepted or refused on its own; the accepted ones are
    stored together with their persons, cases, certificates and audit rows, in one transaction."""
    if len(raws) > MAX_BATCH:
        raise DomainError(
            "batch_too_large",
            _("At most %(n)d registrations per request.") % {"n": MAX_BATCH},
            "items",
        )
    today = clock.today()
    ref = reference_snapshot()
    results = [ItemResult(index=i) for i in range(len(raws))]
    parsed: list[tuple[int, RegistrationData]] = []
    for i, raw in enumerate(raws):
        outcome = registration_parse(raw, today=today, ref=ref)
        if isinstance(outcome, list):
            results[i].errors = outcome
        else:
            parsed.append((i, outcome))
    # no savepoint of its own: a failure aborts the caller's transaction, which is the
    # request's, and a savepoint is two more round trips on every single registration
    with transaction.atomic(savepoint=False):
        if parsed:
            # The one read of the guests' documents (the checks and the intake use it),
            # locked: the same guest registered at the same moment by another request
            # waits here until this one has committed, and is then refused as a duplicate.
            # A guest whose passport is new to both requests makes the second one fail on
            # the unique document number; the caller runs it again (`atomic_retried`).
            stored = travel_documents_stored([d.person for _, d in parsed], lock=True)
            duplicates = _overlapping(host, parsed)
            for i, problem in duplicates.items():
                results[i].errors = [problem]
            parsed = [(i, d) for i, d in parsed if i not in duplicates]
        if parsed:
            held = _documents_held_by_others(actor=actor, parsed=parsed, stored=stored)
            for i, problem in held.items():
                results[i].errors = [problem]
            parsed = [(i, d) for i, d in parsed if i not in held]
            if parsed:
                with audit_collect():
                    _store(actor=actor, host=host, parsed=parsed, results=results, stored=stored)
    return results


def _store(
    *,
    actor: Any,
    host: Host,
    parsed: list[tuple[int, RegistrationData]],
    results: list[ItemResult],
    stored: dict[tuple[str, str], TravelDocument],
) -> None:
    people = person_resolve_many(actor=actor, items=[d.person for _, d in parsed], stored=stored)
    cases = case_open_many(
        actor=actor,
        service_code=SERVICE_CODE,
        items=[
            NewCase(
                applicant_id=person.pk,
                office_id=d.region.office_id,
                needs_attention=d.late,
                data={"host": host.name, "late": d.late},
            )
            for (_, d), (person, _doc) in zip(parsed, people, strict=True)
        ],
    )
    registrations = [
        StayRegistration(
            case=case,
            host=host,
            person=person,
            travel_document=doc,
            region=d.region,
            city=d.city,
            street=d.street,
            arrival_date=d.arrival_date,
            planned_departure=d.planned_departure,
            late=d.late,
            client_reference=d.client_reference,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for (_, d), (person, doc), case in zip(parsed, people, cases, strict=True)
    ]
    bulk_insert(registrations)
    late_cases = [c for c, (_, d) in zip(cases, parsed, strict=True) if d.late]
    bulk_insert(
        [
            CaseEvent(
                case=c,
                at=clock.now(),
                kind=CaseEvent.Kind.ALERT,
                action="STAY_REGISTRATION_LATE",
                note="",  # the event is named in the reader's language (its label)
                data={},
            )
            for c in late_cases
        ]
    )
    certificates = documents_issue(
        actor=actor,
        kind=IssuedDocument.Kind.STAY_REGISTRATION,
        requests=[
            DocumentRequest(
                case_id=r.case.pk,
                person_id=r.person.pk,
                number=r.case.reference,
                holder_name=f"{doc.mrz_surname} {doc.mrz_given_names}".strip(),
                birth_date=r.person.birth_date,
                travel_document=doc.number,
                valid_from=r.arrival_date,
                valid_until=r.planned_departure,
                data={"region": r.region.code},
            )
            for r, (_person, doc) in zip(registrations, people, strict=True)
        ],
    )
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                "STAY_REGISTRATION_SUBMITTED",
                r,
                person_id=r.person.pk,
                data={"reference": r.case.reference, "host": host.pk},
            )
            for r in registrations
        ],
    )
    # Screening on intake: the registration stands; a hit alerts the office on the case.
    screening_screen_cases(actor=actor, items=[(r.case, r.person) for r in registrations])
    for (i, _d), r, certificate in zip(parsed, registrations, certificates, strict=True):
        results[i].registration = r
        results[i].certificate = certificate


def _registration_for_update(pk: int) -> StayRegistration:
    reg = (
        StayRegistration.objects.select_for_update(of=("self",))
        .select_related("case", "host")
        .filter(pk=pk)
        .first()
    )
    if reg is None:
        raise NotFound("not_found", _("Registration not found."))
    return reg


def stay_registration_end(
    *, actor: Any, registration: StayRegistration, left_on: dt.date
) -> StayRegistration:
    """The host reports that the guest has left (the registration was selected for this host)."""
    with transaction.atomic():
        reg = _registration_for_update(registration.pk)
        if left_on < reg.arrival_date or left_on > clock.today():
            raise DomainError(
                "invalid_departure",
                _("The departure date must be between the arrival and today."),
                "left_on",
            )
        if not reg.active:
            raise DomainError(
                "not_active", _("This registration has already ended or was annulled.")
            )
        case_transition(
            actor=actor,
            case=reg.case,
            target=workflow.ENDED,
            expected_version=reg.case.version,
            action="STAY_REGISTRATION_ENDED",
            data={"left_on": left_on.isoformat()},
        )
        StayRegistration.objects.filter(pk=reg.pk).update(ended_on=left_on, active=False)
        for document in IssuedDocument.objects.filter(
            case=reg.case, status=IssuedDocument.Status.VALID
        ):
            document_valid_until_shorten(
                actor=actor, document=document, until=left_on, reason="guest_left"
            )
        reg.refresh_from_db()
    return reg


def _stay_case(case: Case) -> None:
    """The officer's stay actions are posted to the case page of any service."""
    if case.service_code != SERVICE_CODE:
        raise DomainError("wrong_service", _("This action does not apply to this case."))


def stay_registration_annul(
    *, actor: Any, case: Case, expected_version: int, legal_ground: LegalGround, note: str
) -> Case:
    """An officer annuls a registration: the case closes and its certificate verifies as annulled."""
    _stay_case(case)
    if not legal_ground.applies("annulment"):
        raise DomainError(
            "invalid_legal_ground",
            _("This legal ground does not apply to an annulment."),
            "legal_ground",
        )
    with transaction.atomic():
        reg = _registration_for_update(case.stay_registration.pk)
        case_transition(
            actor=actor,
            case=case,
            target=workflow.ANNULLED,
            expected_version=expected_version,
            action="STAY_REGISTRATION_ANNULLED",
            legal_ground=legal_ground,
            note=note,
        )
        StayRegistration.objects.filter(pk=reg.pk).update(active=False)
        for document in IssuedDocument.objects.filter(
            case=case, status=IssuedDocument.Status.VALID
        ):
            document_annul(actor=actor, document=document, reason=legal_ground.code)
    return case


def stay_registration_confirm(*, actor: Any, case: Case, expected_version: int) -> Case:
    _stay_case(case)
    with transaction.atomic():
        case_transition(
            actor=actor,
            case=case,
            target=workflow.CONFIRMED,
            expected_version=expected_version,
            action="STAY_REGISTRATION_CONFIRMED",
        )
    return case


def stay_registration_add_note(*, actor: Any, case: Case, note: str) -> None:
    with transaction.atomic():
        case_add_event(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.NOTE,
            action="CASE_NOTE_ADDED",
            note=note[:2000],
        )
