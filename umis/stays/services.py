"""Writes of the place-of-stay registration service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from umis.audit.services import AuditEntry, audit_collect, audit_record_many
from umis.cases.models import Case, CaseEvent
from umis.cases.services import (
    NewCase,
    case_add_event,
    case_note_clean,
    case_open_many,
    case_reasons_clean,
    case_transition,
    cases_transition_by_system,
)
from umis.core import clock
from umis.core.bulk import bulk_insert, bulk_update_fields
from umis.core.errors import DomainError, FieldError, NotFound
from umis.core.once import form_token_valid, submitted_once
from umis.core.prepared import Prepared
from umis.core.races import atomic_retried
from umis.documents.models import IssuedDocument
from umis.documents.services import (
    DocumentRequest,
    document_annul,
    documents_issue,
    documents_valid_until_shorten,
)
from umis.people.identity import (
    document_held_error,
    documents_held_by_others,
    travel_documents_stored,
)
from umis.people.models import TravelDocument
from umis.people.services import document_held_refusals_audit, person_resolve_many
from umis.reference.models import LegalGround
from umis.reference.selectors import ReferenceSnapshot, reference_snapshot
from umis.screening.services import screening_screen_cases
from umis.stays import notify, rules, workflow
from umis.stays.catalogue import SERVICE_CODE
from umis.stays.models import Host, StayRegistration
from umis.stays.selectors import Move, TakeOver
from umis.stays.validation import (
    OwnFiling,
    RegistrationData,
    own_filing_parse,
    registration_parse,
)

MAX_BATCH = 1000
# an item's move and the registrations it ends
Moving = tuple[Move, tuple[StayRegistration, ...]]
# by item, the foreigner's own filings at the address a host registers him at (taken over)
TakenOver = dict[int, tuple[StayRegistration, ...]]


@dataclass
class ItemResult:
    index: int
    registration: StayRegistration | None = None
    certificate: IssuedDocument | None = None
    errors: list[FieldError] = field(default_factory=list)
    move: Move | None = None
    # the guest's own filing at this address it replaces, from its first day (taken over)
    taken_over: TakeOver | None = None

    @property
    def accepted(self) -> bool:
        return self.registration is not None


# what the duplicate check reads of an active registration: its document, dates and address
_ACTIVE_FIELDS = (
    "travel_document__issuing_state_id",
    "travel_document__number",
    "arrival_date",
    "planned_departure",
    "region_id",
    "city",
    "street",
)
_ACTIVE_AT_HOST = Prepared(
    lambda p: StayRegistration.objects.filter(
        host=p["host"], active=True, travel_document__number__any=p["numbers[]"]
    ).values_list(*_ACTIVE_FIELDS)
)

Address = tuple[int, str, str]


def _address(region_id: int, city: str, street: str) -> Address:
    return region_id, " ".join(city.split()).casefold(), " ".join(street.split()).casefold()


def _active_of_documents(
    host: Host | None, numbers: list[str]
) -> list[tuple[str, str, dt.date, dt.date, int, str, str, bool]]:
    """The active registrations of these document numbers the filer must not duplicate, each
    with whether it is the filer's own: a host's at that host; for the foreigner's own
    filing, all of them (his own, and the hosts' ones, which only an address names)."""
    if host is not None:
        return [(*row, True) for row in _ACTIVE_AT_HOST.all(host=host.pk, numbers=numbers)]
    rows = StayRegistration.objects.filter(
        active=True, travel_document__number__in=numbers
    ).values_list(*_ACTIVE_FIELDS, "host_id")
    return [(*row[:7], row[7] is None) for row in rows]


def _overlapping(
    host: Host | None, items: Sequence[tuple[int, RegistrationData]]
) -> dict[int, FieldError]:
    """Items whose guest already has an active registration of the filer's for overlapping
    dates. Not one at another address that is current on the day of arrival: the guest
    moved to another place, and that registration ends (`_moves`). The foreigner filing
    himself is refused, too, a stay a host registered at the same address."""
    numbers = sorted({d.person.document_number for _, d in items})
    taken: dict[tuple[str, str], list[tuple[dt.date, dt.date, Address | None, bool]]] = {}
    for state, number, arrival, departure, region_id, city, street, own in _active_of_documents(
        host, numbers
    ):
        taken.setdefault((state, number), []).append(
            (arrival, departure, _address(region_id, city, street), own)
        )
    message = (
        _("This guest already has an active registration here for these dates.")
        if host is not None
        else _(
            "This stay is already registered: a registration of this document for these dates is active."
        )
    )
    problems: dict[int, FieldError] = {}
    for i, d in items:
        key = d.person.document_key
        periods = taken.setdefault(key, [])
        here = _address(d.region.pk, d.city, d.street)
        if any(
            a <= d.planned_departure
            and d.arrival_date <= b
            and (
                not (where not in (None, here) and a <= d.arrival_date <= b)
                if own
                else where == here
            )
            for a, b, where, own in periods
        ):
            problems[i] = FieldError("already_registered", message, "document_number")
        else:
            # an item of the same batch is never moved from: no address
            periods.append((d.arrival_date, d.planned_departure, None, True))
    return problems


_CURRENT_OF_PERSONS = Prepared(
    lambda p: (
        StayRegistration.objects.filter(
            person_id__any=p["persons[]"],
            active=True,
            arrival_date__lte=p["latest"],
            planned_departure__gte=p["earliest"],
        )
        .select_related("case")
        .select_for_update(of=("self", "case"))
        .order_by("pk")
    )
)


def _moves(
    *,
    host: Host | None,
    parsed: list[tuple[int, RegistrationData]],
    person_ids: list[int],
    created: set[int],
    ref: ReferenceSnapshot,
) -> tuple[dict[int, Moving], TakenOver]:
    """The items (by position in `parsed`) whose guest, on the day of arrival, holds a
    current registration (active, and covering that day) elsewhere: at another host, or at
    another address of this one; for the foreigner's own filing, any. (The same guest at the
    same address of this host is no move: a duplicate `_overlapping` refused, or, under
    another passport, left as it was.) A registration the foreigner filed himself at the
    address a host now registers him at is no move either: the host's registration takes
    it over (the second dict), and a move is made of the others only.
    Read once for the batch and locked until the intake commits: the host who registered
    the guest before, or an officer, waits for the move instead of acting on it at the
    same time. A registration is left by the first item of the batch that moves from it.
    People the intake has just `created` hold no registration yet: they are not read."""
    arrivals = [d.arrival_date for _, d in parsed]
    current: dict[int, list[StayRegistration]] = {}
    known = sorted(set(person_ids) - created)
    if not known:
        return {}, {}
    for reg in _CURRENT_OF_PERSONS.all(persons=known, earliest=min(arrivals), latest=max(arrivals)):
        current.setdefault(reg.person_id, []).append(reg)
    left: set[int] = set()
    moves: dict[int, Moving] = {}
    taken_over: TakenOver = {}
    for k, ((_i, d), person_id) in enumerate(zip(parsed, person_ids, strict=True)):
        here = _address(d.region.pk, d.city, d.street)
        previous = tuple(
            r
            for r in current.get(person_id, ())
            if r.pk not in left
            and r.arrival_date <= d.arrival_date <= r.planned_departure
            and (
                host is None
                or r.host_id != host.pk
                or _address(r.region_id, r.city, r.street) != here
            )
        )
        if not previous:
            continue
        left.update(r.pk for r in previous)
        if host is not None:
            own = tuple(
                r
                for r in previous
                if r.host_id is None and _address(r.region_id, r.city, r.street) == here
            )
            if own:
                taken_over[k] = own
                previous = tuple(r for r in previous if r not in own)
                if not previous:
                    continue
        # the foreigner's own move is always to another provider's place: the move rule
        if host is not None and all(r.host_id == host.pk for r in previous):
            move = Move(
                moved_on=d.arrival_date,
                same_host=True,
                deadline=None,
                working_days=None,
                named=tuple(r.case.reference for r in previous),
            )
        else:
            move = Move(
                moved_on=d.arrival_date,
                same_host=False,
                deadline=rules.move_deadline(
                    moved_on=d.arrival_date, rule=d.rule, days_off=ref.holiday_overrides()
                ),
                working_days=d.rule.move_deadline_working_days,
            )
        moves[k] = (move, previous)
    return moves, taken_over


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
    _intake(actor=actor, host=host, own=None, parsed=parsed, results=results, ref=ref, today=today)
    return results


REGISTER_FORM = "portal:stay-register"  # the key space of the host form's one-time tokens
OWN_FORM = "portal:stay-own"  # the key space of the foreigner's own form's one-time tokens


def _form_sent_once(
    *, space: str, token: str, register: Callable[[], ItemResult], owner: str = ""
) -> tuple[ItemResult | None, str]:
    """One guest registered from a form: its result, and "" (run again when a concurrent
    registration of the same passport won the race, see `atomic_retried`). With the form's
    one-time `token`, a form sent again with it (a double click, back and send again) stores
    nothing: None and the registration number its first sending stored. A token is kept
    under its `owner` (a host), so it counts for that owner only."""
    results: list[ItemResult] = []

    def submit() -> dict[str, Any] | None:
        results[:] = [register()]
        registration = results[0].registration
        return None if registration is None else {"reference": registration.case.reference}

    if not form_token_valid(token):  # a form without its token (a script): submitted as it is
        atomic_retried(submit)
        return results[0], ""
    key = f"{owner}:{token}" if owner else token
    answer, replayed = submitted_once(space=space, token=key, work=submit)
    if replayed and answer is not None:
        return None, str(answer["reference"])
    return results[0], ""


def stay_registration_submit_form(
    *, actor: Any, host: Host, raw: Mapping[str, Any], token: str
) -> tuple[ItemResult | None, str]:
    """The host's form, one guest (`_form_sent_once`); a token counts for its host only."""
    return _form_sent_once(
        space=REGISTER_FORM,
        token=token,
        owner=str(host.pk),
        register=lambda: stay_registrations_submit(actor=actor, host=host, raws=[raw])[0],
    )


def stay_registration_file_own_form(
    *, actor: Any, raw: Mapping[str, Any], language: str, token: str
) -> tuple[ItemResult | None, str]:
    """The foreigner's own form (`_form_sent_once`)."""
    return _form_sent_once(
        space=OWN_FORM,
        token=token,
        register=lambda: stay_registration_file_own(actor=actor, raw=raw, language=language),
    )


def stay_registration_file_own(*, actor: Any, raw: Mapping[str, Any], language: str) -> ItemResult:
    """The foreigner registers his own stay (art. 21: "the foreigner may also file"), with
    no account: the same rules as a host's registration (deadline, length, document, names,
    person linking, screening on intake), the same certificate at once, the case in the
    queue of the office of the address's region; it names the person who provides the
    accommodation. The notice with the registration number is owed to his e-mail in the
    same transaction (the outbox). Nothing is stored when anything is refused."""
    today = clock.today()
    ref = reference_snapshot()
    result = ItemResult(index=0)
    # a host software's own reference has no place here
    raw = {k: v for k, v in raw.items() if k != "client_reference"}
    outcome = registration_parse(raw, today=today, ref=ref)
    own = own_filing_parse(raw)
    errors = (outcome if isinstance(outcome, list) else []) + (own if isinstance(own, list) else [])
    if errors or isinstance(outcome, list) or isinstance(own, list):
        result.errors = errors
        return result
    parsed = [(0, outcome)]
    with transaction.atomic(savepoint=False):
        _intake(
            actor=actor, host=None, own=own, parsed=parsed, results=[result], ref=ref, today=today
        )
        if result.registration is not None:
            notify.mail_owe(kind=notify.FILED, registration=result.registration, language=language)
    return result


def _intake(
    *,
    actor: Any,
    host: Host | None,
    own: OwnFiling | None,
    parsed: list[tuple[int, RegistrationData]],
    results: list[ItemResult],
    ref: ReferenceSnapshot,
    today: dt.date,
) -> None:
    """The checks against what is stored, and the storing, of registrations read without
    error: by `host`, or (`host` None) by the foreigner himself, who adds `own`."""
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
                    _store(
                        actor=actor,
                        host=host,
                        own=own,
                        parsed=parsed,
                        results=results,
                        stored=stored,
                        ref=ref,
                        today=today,
                    )


def _filed_data(host: Host | None, own: OwnFiling | None) -> dict[str, Any]:
    """What the case and the audit trail say of who filed."""
    if host is not None:
        return {"host": host.name}
    assert own is not None
    return {"filed_by": StayRegistration.FiledBy.FOREIGNER.value, "provider": own.provider_name}


def _late(d: RegistrationData, move: Move | None, taken_over: bool, today: dt.date) -> bool:
    """A move is judged by the move rule only; within one host's places nothing was due,
    nor when the host takes over the stay the foreigner had registered himself."""
    if move is None:
        return d.late and not taken_over
    if move.deadline is None:
        return False
    return rules.move_late(deadline=move.deadline, today=today)


def _store(
    *,
    actor: Any,
    host: Host | None,
    own: OwnFiling | None,
    parsed: list[tuple[int, RegistrationData]],
    results: list[ItemResult],
    stored: dict[tuple[str, str], TravelDocument],
    ref: ReferenceSnapshot,
    today: dt.date,
) -> None:
    created: set[int] = set()
    people = person_resolve_many(
        actor=actor, items=[d.person for _, d in parsed], stored=stored, created=created
    )
    found, taken_over = _moves(
        host=host, parsed=parsed, person_ids=[p.pk for p, _ in people], created=created, ref=ref
    )
    moves = {k: move for k, (move, _ended) in found.items()}
    parsed = [
        (i, replace(d, late=_late(d, moves.get(k), k in taken_over, today)))
        for k, (i, d) in enumerate(parsed)
    ]
    cases = case_open_many(
        actor=actor,
        service_code=SERVICE_CODE,
        items=[
            NewCase(
                applicant_id=person.pk,
                office_id=d.region.office_id,
                needs_attention=d.late,
                data={
                    **_filed_data(host, own),
                    "late": d.late,
                    **_move_data(found.get(k), taken_over.get(k)),
                },
            )
            for k, ((_, d), (person, _doc)) in enumerate(zip(parsed, people, strict=True))
        ],
    )
    registrations = [
        StayRegistration(
            case=case,
            host=host,
            filed_by=(
                StayRegistration.FiledBy.HOST
                if host is not None
                else StayRegistration.FiledBy.FOREIGNER
            ),
            provider_name=own.provider_name if own else "",
            provider_phone=own.provider_phone if own else "",
            email=own.email if own else "",
            person=person,
            travel_document=doc,
            surname=d.person.surname,
            given_names=d.person.given_names,
            patronymic=d.person.patronymic,
            birth_date=d.person.birth_date,
            birth_year_only=d.person.birth_year_only,
            sex=d.person.sex,
            nationality_id=d.person.nationality,
            region=d.region,
            city=d.city,
            street=d.street,
            arrival_date=d.arrival_date,
            planned_departure=d.planned_departure,
            late=d.late,
            client_reference=d.client_reference,
            moved_on=move.moved_on if move else None,
            move_deadline=move.deadline if move else None,
            move_working_days=move.working_days if move else None,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for (_, d), (person, doc), case, move in zip(
            parsed, people, cases, [moves.get(k) for k in range(len(parsed))], strict=True
        )
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
                birth_date=d.person.birth_date,  # as registered, as the certificate
                travel_document=doc.number,
                valid_from=r.arrival_date,
                valid_until=r.planned_departure,
                data={"region": r.region.code},
            )
            for r, (_, d), (_person, doc) in zip(registrations, parsed, people, strict=True)
        ],
    )
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                "STAY_REGISTRATION_SUBMITTED",
                r,
                person_id=r.person.pk,
                data={
                    "reference": r.case.reference,
                    "host": host.pk if host is not None else None,
                    **({"filed_by": r.filed_by} if host is None else {}),
                    **_move_data(found.get(k), taken_over.get(k)),
                },
            )
            for k, r in enumerate(registrations)
        ],
    )
    _moved_away(moves=[(registrations[k], move) for k, move in sorted(found.items())])
    _taken_over([(registrations[k], own) for k, own in sorted(taken_over.items())])
    _already_over([r for r in registrations if r.planned_departure < today])
    # Screening on intake: the registration stands; a hit alerts the office on the case.
    # The guest is screened under the names typed as well as those he is on file under.
    screening_screen_cases(
        actor=actor,
        items=[(r.case, r.person) for r in registrations],
        names={r.case.pk: [f"{r.surname} {r.given_names} {r.patronymic}"] for r in registrations},
        # a person created by this intake has the one document it came with
        known_documents={p.pk: [doc] for p, doc in people if p.pk in created},
    )
    for k, ((i, _d), r, certificate) in enumerate(
        zip(parsed, registrations, certificates, strict=True)
    ):
        results[i].registration = r
        results[i].certificate = certificate
        results[i].move = moves.get(k)
        if k in taken_over:
            results[i].taken_over = TakeOver(
                ended_on=r.arrival_date,
                registrations=tuple(own.case.reference for own in taken_over[k]),
            )


def _move_data(
    found: Moving | None, taken_over: tuple[StayRegistration, ...] | None = None
) -> dict[str, Any]:
    """What the new registration's history and audit trail say of a move, and of the
    foreigner's own filings it took over."""
    data: dict[str, Any] = {}
    if taken_over:
        data["took_over"] = [r.case.reference for r in taken_over]
    if found is None:
        return data
    move, ended = found
    return {
        **data,
        "moved_from": [r.case.reference for r in ended],
        "moved_on": move.moved_on.isoformat(),
        "move_deadline": move.deadline.isoformat() if move.deadline else None,
    }


def _moved_away(*, moves: Sequence[tuple[StayRegistration, Moving]]) -> None:
    """End the registrations the guests moved from, on the day of the move. The system ends
    them (no actor): a host never acts on another host's registration, and the new one is
    the reason, named in the history and kept on the ended one (`superseded_by`)."""
    ending = [(previous, move.moved_on, new) for new, (move, ended) in moves for previous in ended]
    if not ending:
        return
    for previous, _on, new in ending:
        previous.superseded_by = new
    cases_transition_by_system(
        cases=[previous.case for previous, _on, _new in ending],
        target=workflow.ENDED,
        action="STAY_REGISTRATION_SUPERSEDED",
        data=[
            {"left_on": on.isoformat(), "reason": "moved", "registered_at": new.case.reference}
            for _previous, on, new in ending
        ],
    )
    _registrations_ended(
        actor=None, ends=[(previous, on) for previous, on, _new in ending], reason="moved"
    )


def _taken_over(items: Sequence[tuple[StayRegistration, tuple[StayRegistration, ...]]]) -> None:
    """End the foreigner's own filings that a host's registration at the same address takes
    over, on the day it begins: the guest did not move, the receiving party registered him
    where he had registered himself. The system ends them, as after a move, naming the new
    registration (`superseded_by`), and their certificates are valid until that day."""
    ending = [(previous, new) for new, own in items for previous in own]
    if not ending:
        return
    for previous, new in ending:
        previous.superseded_by = new
    cases_transition_by_system(
        cases=[previous.case for previous, _new in ending],
        target=workflow.ENDED,
        action="STAY_REGISTRATION_TAKEN_OVER",
        data=[
            {
                "left_on": new.arrival_date.isoformat(),
                "reason": "taken_over",
                "registered_at": new.case.reference,
            }
            for _previous, new in ending
        ],
    )
    _registrations_ended(
        actor=None,
        ends=[(previous, new.arrival_date) for previous, new in ending],
        reason="taken_over",
    )


def _already_over(registrations: Sequence[StayRegistration]) -> None:
    """A stay registered after its planned departure (the guest has gone; the registration
    is owed all the same, and late) is recorded as ended on that day by the system: it is
    not among the host's current guests, and its certificate verifies as expired after it."""
    if not registrations:
        return
    cases_transition_by_system(
        cases=[r.case for r in registrations],
        target=workflow.ENDED,
        action="STAY_REGISTRATION_ENDED",
        data=[
            {"left_on": r.planned_departure.isoformat(), "reason": "over_when_registered"}
            for r in registrations
        ],
    )
    _registrations_ended(
        actor=None,
        ends=[(r, r.planned_departure) for r in registrations],
        reason="over_when_registered",
    )


def _registrations_ended(
    *, actor: Any, ends: Sequence[tuple[StayRegistration, dt.date]], reason: str
) -> None:
    """Registrations whose case has just ended leave their host's current guests, and their
    certificates are valid until the day the guest left (verification: "expired" after it)."""
    now = clock.now()
    for reg, left_on in ends:
        reg.ended_on, reg.active, reg.updated_at = left_on, False, now
    bulk_update_fields(
        [reg for reg, _ in ends], ["ended_on", "active", "superseded_by", "updated_at"]
    )
    left = {reg.case_id: left_on for reg, left_on in ends}
    documents = IssuedDocument.objects.filter(
        case_id__any=list(left), status=IssuedDocument.Status.VALID
    ).only("case_id", "person_id", "number", "valid_until")
    documents_valid_until_shorten(
        actor=actor, items=[(d, left[d.case_id]) for d in documents], reason=reason
    )


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
        _guest_left(actor=actor, reg=reg, left_on=left_on, by_foreigner=False)
        reg.refresh_from_db()
    return reg


def stay_registration_end_own(
    *, actor: Any, registration: StayRegistration, left_on: dt.date
) -> StayRegistration:
    """The foreigner reports that he has left the address of a registration he filed himself
    (he has no account: the registration was selected for the browser that looked it up
    with its number and his document number). It ends as a host's does when the guest
    leaves, on a day within the stay: not before the arrival, not after the planned
    departure, not in the future. A host's registration is ended by its host: NotFound."""
    with transaction.atomic():
        reg = _registration_for_update(registration.pk)
        if reg.filed_by != StayRegistration.FiledBy.FOREIGNER:
            raise NotFound("not_found", _("Registration not found."))
        _guest_left(actor=actor, reg=reg, left_on=left_on, by_foreigner=True)
        reg.refresh_from_db()
    return reg


def _guest_left(*, actor: Any, reg: StayRegistration, left_on: dt.date, by_foreigner: bool) -> None:
    """End a registration (locked by the caller) on the day the guest left. The foreigner
    acts without an account, so without a role the workflow could check: the case moves as
    the system moves it, the history and the audit trail say that he reported it."""
    if by_foreigner:
        if not reg.arrival_date <= left_on <= min(clock.today(), reg.planned_departure):
            raise DomainError(
                "invalid_departure",
                _(
                    "The day you left must be between the arrival and today, and not after "
                    "the planned departure."
                ),
                "left_on",
            )
    elif left_on < reg.arrival_date or left_on > clock.today():
        raise DomainError(
            "invalid_departure",
            _("The departure date must be between the arrival and today."),
            "left_on",
        )
    if not reg.active:
        raise DomainError("not_active", _("This registration has already ended or was annulled."))
    case_transition(
        actor=actor,
        case=reg.case,
        target=workflow.ENDED,
        expected_version=reg.case.version,
        action="STAY_REGISTRATION_ENDED",
        data={
            "left_on": left_on.isoformat(),
            **({"by": StayRegistration.FiledBy.FOREIGNER.value} if by_foreigner else {}),
        },
        system=by_foreigner,
    )
    _registrations_ended(actor=actor, ends=[(reg, left_on)], reason="guest_left")


def _stay_case(case: Case) -> None:
    """The officer's stay actions are posted to the case page of any service."""
    if case.service_code != SERVICE_CODE:
        raise DomainError("wrong_service", _("This action does not apply to this case."))


def stay_registration_annul(
    *, actor: Any, case: Case, expected_version: int, legal_ground: LegalGround, note: str
) -> Case:
    """An officer annuls a registration: the case closes and its certificate verifies as annulled."""
    _stay_case(case)
    note = case_reasons_clean(reasons=note)
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


NOTE_FORM = "portal:case-note"  # the key space of the note form's one-time tokens


def stay_registration_add_note(*, actor: Any, case: Case, note: str, token: str = "") -> bool:
    """An officer's note in the case history; an empty or over-long one is refused
    (DomainError on the field "note"), never dropped or cut. With the form's one-time
    `token`, a note sent again with it (a double click, back and send again) is not added
    twice: False."""
    text = case_note_clean(note=note)

    def add() -> dict[str, Any]:
        with transaction.atomic():
            case_add_event(
                actor=actor,
                case=case,
                kind=CaseEvent.Kind.NOTE,
                action="CASE_NOTE_ADDED",
                note=text,
            )
        return {"reference": case.reference}

    if not form_token_valid(token):  # a form without its token (a script): added as it is
        add()
        return True
    _answer, replayed = submitted_once(space=NOTE_FORM, token=f"{actor.pk}:{token}", work=add)
    return not replayed
