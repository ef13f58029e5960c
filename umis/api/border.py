"""Border crossings in (border service), a person's authorised stay (agencies), and the
public stay calculator."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from umis.accounts.models import Scope
from umis.api.auth import ApiKeyAuth
from umis.api.idempotency import request_idempotent
from umis.api.schemas import (
    CONFLICT_ERRORS,
    ERRORS,
    PUBLIC_BODY_ERRORS,
    BodyIn,
    Day,
    Identifier,
    how_many,
    longest,
    unknown_fields,
)
from umis.border import calculator, selectors, services, validation
from umis.border.stayrules import MAX_DAYS
from umis.core import clock
from umis.core.errors import ValidationFailed
from umis.people.purposes import MAX_STATED_PURPOSE
from umis.people.validation import COUNTRY_CODE_MAX, DATE_MAX, NAME_MAX, SEX_MAX

crossings_router = Router(tags=["Border crossings"], auth=ApiKeyAuth(Scope.BORDER_CROSSINGS))
people_router = Router(tags=["Authorised stay"], auth=ApiKeyAuth(Scope.PEOPLE_READ))
calculator_router = Router(tags=["Stay calculator"], auth=None)


class CrossingEventIn(BodyIn):
    """One event as the border post recorded it. Every field is checked on its own, so a
    bad event is refused with its errors and the rest of the batch is stored."""

    event_id: str = Field(
        ...,
        description="Unique id of the event at the border service",
        json_schema_extra=longest(validation.EVENT_ID_MAX),
    )
    crossing_point: str = Field(
        ...,
        description="Crossing point code, e.g. gyd, samur",
        json_schema_extra=longest(validation.CROSSING_POINT_MAX),
    )
    direction: str = Field(
        ...,
        description="entry, exit or refused",
        json_schema_extra=longest(validation.DIRECTION_MAX),
    )
    timestamp: str = Field(
        ...,
        description="ISO 8601 with offset, e.g. 2026-03-10T14:05:00+04:00",
        json_schema_extra=longest(validation.TIMESTAMP_MAX),
    )
    document_type: str = Field(
        ...,
        description="passport, id_card, travel_document or other",
        json_schema_extra=longest(validation.DOCUMENT_TYPE_MAX),
    )
    document_number: str = Field(..., json_schema_extra=longest(validation.DOCUMENT_NUMBER_MAX))
    issuing_state: str = Field(
        ...,
        description="ISO alpha-2/alpha-3 or ICAO code",
        json_schema_extra=longest(COUNTRY_CODE_MAX),
    )
    document_expiry: str = Field(..., description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX))
    surname: str = Field(..., json_schema_extra=longest(NAME_MAX))
    given_names: str | None = Field(None, json_schema_extra=longest(NAME_MAX))
    birth_date: str = Field(..., description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX))
    sex: str | None = Field(None, json_schema_extra=longest(SEX_MAX))
    nationality: str = Field(..., json_schema_extra=longest(COUNTRY_CODE_MAX))
    refusal_reason: str | None = Field(
        None, json_schema_extra=longest(validation.REFUSAL_REASON_MAX)
    )


class CrossingsIn(BodyIn):
    # each event read as sent: one that is not right is refused alone, the rest stored
    events: list[Annotated[Any, WithJsonSchema(CrossingEventIn.model_json_schema())]] = Field(
        ...,
        description="1 to 10,000 events, each shaped like CrossingEventIn; an event with a "
        "field it does not know is refused alone (unknown_field)",
        json_schema_extra=how_many(1, services.MAX_BATCH),
    )


class CrossingItemOut(Schema):
    index: int
    event_id: str
    status: str
    person_id: int | None = None
    errors: list[dict[str, Any]] = Field(
        ...,
        description="Why the event was refused; each error names the event's field alone "
        "(`nationality`, `gate`), the event being the one at `index`, a value of another "
        "type too (`surname` sent as a number: `invalid`); an event that is no object is "
        "refused naming no field",
    )


class CrossingsOut(Schema):
    stored: int
    duplicates: int
    refused: int
    items: list[CrossingItemOut] = Field(
        ..., description="Only the events not stored now: duplicates and refusals"
    )


@crossings_router.post(
    "/border/crossings",
    response={200: CrossingsOut, **CONFLICT_ERRORS},
    summary="Entries, exits and refusals of entry (up to 10,000 per request)",
)
def crossings_in(request: HttpRequest, payload: CrossingsIn) -> HttpResponse:
    """Each event is stored, recognised as a duplicate of one already stored (same
    `event_id` and time), or refused with its errors; the rest of the batch is stored."""

    known = CrossingEventIn.model_fields.keys()

    def work() -> tuple[int, dict[str, Any]]:
        client = getattr(request, "api_client", None)
        events = payload.events
        # an event with a field it does not know is refused alone, before any rule reads it
        unknown = {
            i: errors for i, raw in enumerate(events) if (errors := unknown_fields(raw, known))
        }
        kept = [i for i in range(len(events)) if i not in unknown]
        received = (
            services.crossings_receive(
                actor=request.user,
                source=getattr(client, "name", ""),
                raws=[events[i] for i in kept] if unknown else events,
            )
            if kept or not events
            else []
        )
        for r in received:
            r.index = kept[r.index]
        results = sorted(
            [
                *received,
                *(
                    services.CrossingResult(
                        i,
                        str(events[i].get("event_id", ""))[: validation.EVENT_ID_MAX],
                        "refused",
                        errors=e,
                    )
                    for i, e in unknown.items()
                ),
            ],
            key=lambda r: r.index,
        )
        return 200, {
            "stored": sum(1 for r in results if r.status == "stored"),
            "duplicates": sum(1 for r in results if r.status == "duplicate"),
            "refused": sum(1 for r in results if r.status == "refused"),
            "items": [r.to_dict() for r in results if r.status != "stored"],
        }

    status, body = request_idempotent(request, work)
    return HttpResponse(
        json.dumps(body, default=str), status=status, content_type="application/json"
    )


class BasisOut(Schema):
    kind: str
    label: str
    reference: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class RegistrationOut(Schema):
    status: str = Field(..., description="registered, due, overdue, not_required or not_in_country")
    due_by: dt.date | None


class PersonStayOut(Schema):
    person_id: int
    on: dt.date
    in_country: bool
    presence: str = Field(
        ...,
        description="in_country or not_in_country as the border crossings show it; unknown "
        "when no crossing of the person is recorded (in_country is then false)",
    )
    current_entry: dt.date | None
    legal_basis: BasisOut | None
    regime: str | None
    window_start: dt.date | None
    days_used: int | None
    days_remaining: int | None
    overstay_days: int | None
    last_legal_day: dt.date | None
    registration: RegistrationOut
    anomalies: list[dict[str, Any]]


@people_router.get(
    "/people/{person_id}/stay",
    response={200: PersonStayOut, **ERRORS},
    summary="A person's authorised stay on a date",
)
def person_stay(
    request: HttpRequest,
    person_id: Identifier,
    on: Annotated[
        Day | None,
        Field(
            description=f"YYYY-MM-DD, {calculator.EARLIEST:%Y-%m-%d} to "
            f"{calculator.LATEST:%Y-%m-%d} (422 date_out_of_range outside); today when not given",
            # the range for people in the description; for tools, an extension (OpenAPI
            # has no keyword bounding a date)
            json_schema_extra={
                "x-date-minimum": calculator.EARLIEST.isoformat(),
                "x-date-maximum": calculator.LATEST.isoformat(),
            },
        ),
    ] = None,
    purpose: Annotated[
        str,
        Field(
            description="Why the stay is read, kept in the audit row of the read",
            json_schema_extra=longest(MAX_STATED_PURPOSE),
        ),
    ] = "status check",
) -> dict[str, Any]:
    """In the country or not, on which legal basis, days used in the current window, days
    left, last day of legal stay, and whether registration at the place of stay is due."""
    found = selectors.person_stay_for_user(
        user=request.user, person_id=person_id, on=on or clock.today(), purpose=purpose
    )
    return found.to_dict()


class StayIn(BodyIn):
    entry: str = Field(..., description="YYYY-MM-DD")
    exit: str | None = Field(None, description="YYYY-MM-DD; empty while still in the country")


class CalculateIn(BodyIn):
    stays: list[Annotated[dict[str, Any], WithJsonSchema(StayIn.model_json_schema())]] = Field(
        ...,
        description="Each like StayIn: entry and exit dates, and no other field (422 "
        "unknown_field, `stays.N.field`). Stays may not overlap (422 "
        "overlapping_stays on the later entry, `stays.N.entry`); an exit and a new entry may "
        "share a day",
        json_schema_extra=how_many(1, calculator.MAX_STAYS),
    )
    on: str = Field(..., description="Control date, YYYY-MM-DD")
    regime: str = Field(
        "90/180",
        description="D/W: at most D days in any W days (a rolling window, e.g. 90/180), or D: "
        f"at most D days per stay (e.g. 30 or 15); whole numbers, 1 <= D < W <= {MAX_DAYS}. Anything "
        "else is refused with 422 invalid_regime (longer than the longest: too_long)",
        json_schema_extra={
            "pattern": r"^[0-9]{1,4}(/[0-9]{1,4})?$",
            "examples": ["90/180", "30"],
            **longest(calculator.REGIME_MAX),
        },
    )
    nationality: str = Field(
        "",
        description="ISO 3166 alpha-2/alpha-3 or ICAO code, for the registration deadline",
        json_schema_extra=longest(COUNTRY_CODE_MAX),
    )


class CalculateOut(Schema):
    on: str
    regime: str | None
    in_country: bool
    window_start: str | None
    days_used: int
    days_remaining: int
    overstay_days: int
    last_legal_day: str | None
    current_entry: str | None
    registration_due_by: str | None
    registration_overdue: bool
    registration_required_after_days: int | None
    registration_needed: bool | None = Field(
        description="Whether this stay must be registered at the place of stay: false when "
        "the last legal day comes before a stay would need it, if the person leaves by then; "
        "null when no registration rule applies"
    )


@calculator_router.post(
    "/stay/calculate", response={200: CalculateOut, **PUBLIC_BODY_ERRORS}, summary="Stay calculator"
)
def stay_calculate(request: HttpRequest, payload: CalculateIn) -> dict[str, Any]:
    """Days used in the window, days left, overstay days and the last legal day if the
    person stays on, from entry/exit dates (both count) and a regime such as 90/180."""
    known = StayIn.model_fields.keys()
    unknown = [
        e for i, stay in enumerate(payload.stays) for e in unknown_fields(stay, known, f"stays.{i}")
    ]
    if unknown:  # an `exit_date` would be read as a stay not ended
        raise ValidationFailed(unknown[:200])
    return calculator.stay_calculate(
        stays=payload.stays, on=payload.on, regime=payload.regime, nationality=payload.nationality
    )
