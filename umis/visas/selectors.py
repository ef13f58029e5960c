"""Reads of the e-visa service, each scoped to who asks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from umis.border.basis import Basis
from umis.border.stayrules import Regime, RegimePeriod
from umis.cases.models import CaseEvent
from umis.cases.selectors import case_scope_for_user
from umis.core import clock
from umis.core.durations import duration_in_full
from umis.core.errors import DomainError
from umis.core.text import document_number_clean, storable
from umis.documents.models import IssuedDocument
from umis.payments.services import fee_get
from umis.reference.models import LegalGround
from umis.reference.selectors import countries_by_name
from umis.visas import workflow
from umis.visas.catalogue import SERVICE_CODE
from umis.visas.models import VisaApplication
from umis.visas.services import NEAR_BREACH_FRACTION, time_left_fraction
from umis.visas.validation import eligible_nationalities


def group_for_applicant(*, reference: str, passport_number: str) -> list[VisaApplication]:
    """The applications of a group, found by the group's reference and any of its travellers'
    passport numbers, or by one application's own reference (the one its traveller's e-mails
    and PDFs name) and that traveller's passport number; else nothing."""
    if not storable(reference):
        return []  # a NUL or a lone surrogate is in no reference (and PostgreSQL refuses it)
    reference = reference[:30]
    number = document_number_clean(passport_number) or ""  # as the numbers are stored
    if not number:
        return []
    apps = _group(reference)
    if apps:
        return apps if any(a.travel_document.number == number for a in apps) else []
    own = (
        VisaApplication.objects.filter(case__reference=reference, travel_document__number=number)
        .values_list("group_reference", flat=True)
        .first()
    )
    return [] if own is None else _group(own)


def _group(reference: str) -> list[VisaApplication]:
    return list(
        VisaApplication.objects.filter(group_reference=reference)
        .select_related("case", "person", "travel_document", "payment_order")
        .order_by("case_id")
    )


def group_for_client(*, user: Any, reference: str) -> list[VisaApplication]:
    """An agency's own application (the one its account submitted), else nothing."""
    if not storable(reference):
        return []
    return list(
        VisaApplication.objects.filter(group_reference=reference[:30], created_by=user)
        .select_related("case", "person", "travel_document", "payment_order")
        .order_by("case_id")
    )


@dataclass(frozen=True)
class Annulment:
    on: dt.date
    legal_ground: LegalGround | None


def visa_annulments(*, applications: list[VisaApplication]) -> dict[int, Annulment]:
    """The annulment of each annulled e-visa of these applications (case id → the day and
    the legal ground of the decision), as its applicant is told it; the officer's reasons
    stay in the case file. One query, whatever the group's size."""
    annulled = [a.case_id for a in applications if a.case.state == workflow.ANNULLED]
    if not annulled:
        return {}
    events = (
        CaseEvent.objects.filter(case_id__in=annulled, action="EVISA_ANNULLED")
        .select_related("legal_ground")
        .order_by("at", "id")
    )
    # the latest decision of each case wins (there is one)
    return {
        e.case_id: Annulment(on=timezone.localdate(e.at), legal_ground=e.legal_ground)
        for e in events
    }


def evisa_document(*, application: VisaApplication) -> IssuedDocument | None:
    """The e-visa issued on the application's case (the last, if ever issued again)."""
    return (
        IssuedDocument.objects.filter(case_id=application.case_id, kind=IssuedDocument.Kind.EVISA)
        .order_by("-id")
        .first()
    )


def application_for_case(*, case_id: int) -> VisaApplication | None:
    return (
        VisaApplication.objects.select_related(
            "case",
            "person",
            "person__nationality",
            "travel_document",
            "travel_document__issuing_state",
            "payment_order",
            "region",
        )
        .filter(case_id=case_id)
        .first()
    )


@dataclass(frozen=True)
class QueueRow:
    application: VisaApplication
    time_left: dt.timedelta | None
    near_breach: bool
    overdue: bool

    @property
    def time_left_text(self) -> str:
        if self.time_left is None:
            return ""
        return duration_in_full(self.time_left)


# the states of the e-visa queue, in the order its filter lists them
QUEUE_STATES = (workflow.REFERRED, workflow.SCREENING)


def visa_queue_for_user(*, user: Any, state: str = "", limit: int = 200) -> list[QueueRow]:
    """Open e-visa cases the officer may decide (in `state`, one of QUEUE_STATES; empty:
    any), most urgent first, with the time left."""
    states = [state] if state in QUEUE_STATES else list(QUEUE_STATES)
    cases: QuerySet[Any] = case_scope_for_user(user).filter(
        service_code=SERVICE_CODE, state__in=states
    )
    apps = (
        VisaApplication.objects.filter(case__in=cases)
        .select_related("case", "person", "person__nationality", "travel_document")
        .order_by(F("case__due_at").asc(nulls_last=True), "case_id")[:limit]
    )
    now = clock.now()
    rows = []
    for app in apps:
        due = app.case.due_at
        left = due - now if due else None
        rows.append(
            QueueRow(
                application=app,
                time_left=left,
                near_breach=bool(due and time_left_fraction(app, now) <= NEAR_BREACH_FRACTION),
                overdue=bool(due and due < now),
            )
        )
    return rows


@dataclass(frozen=True)
class SlaStats:
    decided: int
    within_sla: int
    automatic: int
    referred_open: int
    by_speed: dict[str, tuple[int, int]]

    @property
    def share_within(self) -> float | None:
        return self.within_sla / self.decided if self.decided else None


def visa_sla_stats(*, user: Any) -> SlaStats:
    """The share of e-visa decisions made within their SLA (officer's scope)."""
    cases = case_scope_for_user(user).filter(service_code=SERVICE_CODE)
    by_speed: dict[str, list[int]] = {}
    within = 0
    total = 0
    rows = VisaApplication.objects.filter(
        case__in=cases.filter(state__in=[workflow.ISSUED, workflow.REFUSED])
    ).values_list("speed", "case__closed_at", "case__due_at", "visa_number", "case__assignee")
    for speed, closed, due, _number, _assignee in rows:
        total += 1
        ok = bool(closed and due and closed <= due)
        within += ok
        counts = by_speed.setdefault(speed, [0, 0])
        counts[0] += 1
        counts[1] += ok
    automatic = (
        cases.filter(events__action="EVISA_ISSUED", state=workflow.ISSUED).distinct().count()
    )
    referred_open = cases.filter(state=workflow.REFERRED).count()
    return SlaStats(
        decided=total,
        within_sla=within,
        automatic=automatic,
        referred_open=referred_open,
        by_speed={k: (v[0], v[1]) for k, v in by_speed.items()},
    )


def evisa_holders(start: dt.date, end: dt.date) -> QuerySet[Any, int]:
    """The persons holding an issued e-visa valid at some day of [start, end] (the overstay
    job's candidates among visa-required nationals), as a query of person ids."""
    return _evisas_valid(start, end).values_list("person_id", flat=True)


def _evisas_valid(start: dt.date, end: dt.date) -> QuerySet[IssuedDocument]:
    """Issued e-visas, not annulled, valid at some day of [start, end]."""
    return IssuedDocument.objects.filter(
        kind=IssuedDocument.Kind.EVISA,
        status=IssuedDocument.Status.VALID,
        valid_from__lte=end,
        valid_until__gte=start,
    )


def evisa_bases(persons: Mapping[int, str], start: dt.date, end: dt.date) -> dict[int, list[Basis]]:
    """The legal bases of the border's stay calculation (a `border.basis` provider): each
    issued e-visa of these persons (id → nationality) valid at some day of [start, end] and
    not annulled. A single-entry e-visa allows `stay_days` days from the entry, within its
    validity, and no later entry (`Basis.single_entry`). One query for the whole batch (the
    overstay job asks for thousands)."""
    rows = (
        _evisas_valid(start, end)
        .filter(person_id__in=list(persons))
        .values_list(
            "person_id", "number", "valid_from", "valid_until", "case__visa_application__stay_days"
        )
    )
    out: dict[int, list[Basis]] = {}
    for person_id, number, valid_from, valid_until, stay_days in rows.order_by("valid_from", "id"):
        if not stay_days:
            continue  # a visa without an application to say how long (none is issued so)
        code = f"evisa:{number}:{stay_days}"
        period = RegimePeriod(Regime(stay_days), valid_from, valid_until)
        out.setdefault(person_id, []).append(
            Basis("evisa", evisa_label(code[6:]), (period,), number, single_entry=True, code=code)
        )
    return out


def evisa_label(parameters: str) -> str:
    """An e-visa as a legal basis ("E26000123:30": its number and days per stay) in the
    current language (a `border.basis` label)."""
    number, days = parameters.rsplit(":", 1)
    count = int(days)
    return str(
        ngettext(
            "e-visa %(number)s, single entry, %(days)d day",
            "e-visa %(number)s, single entry, %(days)d days",
            count,
        )
        % {"number": number, "days": count}
    )


@dataclass(frozen=True)
class EvisaFee:
    speed: str
    label: str
    state_fee: Decimal
    service_fee: Decimal
    total: Decimal
    currency: str


def evisa_fees_per_traveller(*, on: dt.date) -> list[EvisaFee]:
    """What one traveller pays, per processing speed, from the fee schedule in force; none
    when the schedule has no fee for the e-visa that day."""
    try:
        service = fee_get(code="evisa.service", on=on)
        fees = [(s, fee_get(code=f"evisa.{s.value}", on=on)) for s in VisaApplication.Speed]
    except DomainError:
        return []
    return [
        EvisaFee(
            speed=speed.value,
            label=str(speed.label),
            state_fee=fee.amount,
            service_fee=service.amount,
            total=fee.amount + service.amount,
            currency=fee.currency,
        )
        for speed, fee in fees
        if fee.currency == service.currency
    ]


@dataclass(frozen=True)
class EvisaCountryChoices:
    nationalities: list[tuple[str, str]]  # (ISO alpha-2, name): only those that may apply
    issuing_states: list[tuple[str, str]]  # every state (a status issues no passport)


def evisa_country_choices(*, on: dt.date) -> EvisaCountryChoices:
    """The application form's country lists, in the page language's order: the nationalities
    eligible for the e-visa on that day, and the states that may have issued the passport."""
    eligible = eligible_nationalities(on)
    countries = countries_by_name()
    return EvisaCountryChoices(
        nationalities=[(c.code, c.name) for c in countries if c.code in eligible],
        issuing_states=[(c.code, c.name) for c in countries if c.is_state],
    )
