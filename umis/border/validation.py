"""Reading one crossing event as the border service sends it, with every error named.

The API batch, the CSV import and the tests share it, so a mistake gets the same code
and message everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from umis.core.errors import FieldError
from umis.people.models import DocumentType, Sex
from umis.people.names import name_check, name_clean
from umis.reference.models import Country

DOCUMENT_TYPES = frozenset(DocumentType.values)
SEXES = frozenset(Sex.values)
PLAIN_NAME = re.compile(r"[A-Za-z]+(?:[ '\-][A-Za-z]+)*")
FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks of border posts drift a little
OLDEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
DIRECTIONS = ("entry", "exit", "refused")
FIELDS = (
    "event_id",
    "crossing_point",
    "direction",
    "timestamp",
    "document_type",
    "document_number",
    "issuing_state",
    "document_expiry",
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "nationality",
    "refusal_reason",
)


@dataclass(frozen=True)
class CrossingData:
    event_id: str
    crossing_point: str
    direction: str
    occurred_at: dt.datetime
    day: dt.date
    document_type: str
    document_number: str
    issuing_state: str
    document_expiry: dt.date
    surname: str
    given_names: str
    birth_date: dt.date
    sex: str
    nationality: str
    refusal_reason: str


class CrossingReader:
    """Reference data for a whole batch, loaded once."""

    def __init__(self, *, now: dt.datetime, tz: ZoneInfo, points: set[str]) -> None:
        self.now = now
        self.tz = tz
        self.points = points
        self.names: dict[tuple[str, str], list[FieldError]] = {}
        self.countries: dict[str, str] = {}
        for c in Country.objects.only("code", "alpha3", "icao_code"):
            self.countries[c.code] = c.code
            self.countries[c.alpha3] = c.code
            self.countries[c.icao_code] = c.code

    def parse(self, raw: Any) -> CrossingData | list[FieldError]:
        if not isinstance(raw, Mapping):
            return [FieldError("invalid", _("Each event must be an object."), None)]
        errors: list[FieldError] = []

        def error(code: str, message: Any, field: str) -> None:
            if not any(e.field == field for e in errors):
                errors.append(FieldError(code, message, field))

        def text(field: str, max_length: int, *, required: bool = True) -> str:
            value = raw.get(field)
            if type(value) is str and len(value) <= max_length and value.isprintable():
                stripped = value.strip()
                if stripped:
                    return stripped
            if value is None or (isinstance(value, str) and not value.strip()):
                if required:
                    error("required", _("This field is required."), field)
                return ""
            if not isinstance(value, str):
                error("invalid", _("Enter text."), field)
                return ""
            if len(value) > max_length:
                error("too_long", _("At most %(n)d characters.") % {"n": max_length}, field)
                return ""
            if not value.isprintable():
                error("control_character", _("The text contains control characters."), field)
                return ""
            return value.strip()

        def date(field: str) -> dt.date | None:
            value = text(field, 10)
            if not value:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                error("invalid_date", _("Enter a date as YYYY-MM-DD."), field)
                return None

        def name(field: str, *, required: bool) -> str:
            value = text(field, 100, required=required)
            if not value:
                return ""
            key = (value, field)
            problems = self.names.get(key)
            if problems is None:
                # plain Latin letters cannot hold the characters name_check refuses
                problems = [] if PLAIN_NAME.fullmatch(value) else name_check(value, field=field)
                if len(self.names) < 50_000:
                    self.names[key] = problems
            if problems:
                errors.append(problems[0])
                return ""
            return name_clean(value)

        def country(field: str) -> str:
            value = text(field, 3)
            if not value:
                return ""
            code = self.countries.get(value.upper().replace("<", ""))
            if code is None:
                error(
                    "unknown_country",
                    _("Unknown country code “%(code)s”.") % {"code": value},
                    field,
                )
                return ""
            return code

        event_id = text("event_id", 64)
        point = text("crossing_point", 20).lower()
        if point and point not in self.points:
            error(
                "unknown_crossing_point",
                _("Unknown crossing point “%(code)s”.") % {"code": point},
                "crossing_point",
            )
        direction = text("direction", 10).lower()
        if direction and direction not in DIRECTIONS:
            error("invalid_choice", _("Choose entry, exit or refused."), "direction")
        occurred_at: dt.datetime | None = None
        stamp = text("timestamp", 40)
        if stamp:
            try:
                occurred_at = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            except ValueError:
                error(
                    "invalid_timestamp",
                    _(
                        "Enter the time as ISO 8601 with its offset, e.g. 2026-03-10T14:05:00+04:00."
                    ),
                    "timestamp",
                )
            if occurred_at is not None and occurred_at.tzinfo is None:
                error(
                    "timestamp_without_zone",
                    _("The time has no offset: add one, e.g. +04:00 or Z."),
                    "timestamp",
                )
                occurred_at = None
            elif occurred_at is not None and occurred_at > self.now + FUTURE_SLACK:
                error("timestamp_in_future", _("The time is in the future."), "timestamp")
                occurred_at = None
            elif occurred_at is not None and occurred_at < OLDEST:
                error("timestamp_too_old", _("The time is before 1990."), "timestamp")
                occurred_at = None
        document_type = text("document_type", 20).lower()
        if document_type and document_type not in DOCUMENT_TYPES:
            error(
                "unknown_document_type",
                _(
                    "Unknown document type “%(value)s”: use passport, id_card, travel_document or other."
                )
                % {"value": document_type},
                "document_type",
            )
        number = text("document_number", 20).upper().replace(" ", "")
        if number and not number.isalnum():
            error("invalid", _("A document number has only letters and digits."), "document_number")
        issuing_state = country("issuing_state")
        expiry = date("document_expiry")
        surname = name("surname", required=True)
        given_names = name("given_names", required=False)
        birth_date = date("birth_date")
        if birth_date and (
            birth_date > self.now.date() or birth_date < self.now.date() - dt.timedelta(days=47500)
        ):
            error("invalid_birth_date", _("The date of birth is not possible."), "birth_date")
        sex = (text("sex", 1, required=False) or "X").upper()
        if sex not in SEXES:
            error("invalid_choice", _("Choose M, F or X."), "sex")
        nationality = country("nationality")
        reason = text("refusal_reason", 200, required=False)
        if errors:
            return errors
        assert occurred_at and expiry and birth_date
        return CrossingData(
            event_id=event_id,
            crossing_point=point,
            direction=direction,
            occurred_at=occurred_at,
            day=occurred_at.astimezone(self.tz).date(),
            document_type=document_type,
            document_number=number,
            issuing_state=issuing_state,
            document_expiry=expiry,
            surname=surname,
            given_names=given_names,
            birth_date=birth_date,
            sex=sex,
            nationality=nationality,
            refusal_reason=reason if direction == "refused" else "",
        )
