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

from umis.core import clock
from umis.core.errors import FieldError
from umis.core.text import (
    DOCUMENT_NUMBER_MESSAGE,
    ZWNJ,
    document_number_clean,
    invisible_character,
)
from umis.people.models import DocumentType, Sex
from umis.people.names import name_check, name_clean
from umis.people.validation import (
    COUNTRY_CODE_MAX,
    DATE_MAX,
    NAME_MAX,
    SEX_MAX,
    document_expiry_error,
    document_expiry_latest,
)
from umis.reference.models import Country

DOCUMENT_TYPES = frozenset(DocumentType.values)
SEXES = frozenset(Sex.values)
PLAIN_NAME = re.compile(r"[A-Za-z]+(?:[ '\-][A-Za-z]+)*")
FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks of border posts drift a little
OLDEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
DIRECTIONS = ("entry", "exit", "refused")
# the longest text each field of an event takes (the names, dates and codes take what a
# registration's do: `people.validation`)
EVENT_ID_MAX = 64
CROSSING_POINT_MAX = 20
DIRECTION_MAX = 10
TIMESTAMP_MAX = 40
DOCUMENT_TYPE_MAX = 20
DOCUMENT_NUMBER_MAX = 20
REFUSAL_REASON_MAX = 200
# The reason for a refusal of entry is shown to the office and to the agencies that read the
# crossings: a text-direction control or another character drawn as nothing would make it
# read otherwise.
REFUSAL_REASON_HIDDEN = _(
    "The reason for the refusal contains an invisible character (%(char)s), which can change "
    "how the text reads where it is shown: remove it."
)
_CONTROL = re.compile(r"[\x00-\x1f]")
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


@dataclass(slots=True)
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


# names that passed name_check, as stored (a pure function of the text: kept across
# batches, so a name seen in one request is not checked again in the next)
_CLEAN_NAMES: dict[str, str] = {}


def _text(value: Any, max_length: int) -> str | None:
    """A required text field as the quick path takes it, or None."""
    if type(value) is str and len(value) <= max_length and value.isprintable():
        return value.strip() or None
    return None


def _optional(value: Any, max_length: int) -> str | None:
    """An optional text field as the quick path takes it ("" when absent), or None."""
    if value is None:
        return ""
    if type(value) is str and len(value) <= max_length and value.isprintable():
        return value.strip()
    return None


class CrossingReader:
    """Reference data for a whole batch, loaded once."""

    def __init__(self, *, now: dt.datetime, tz: ZoneInfo, points: set[str]) -> None:
        self.now = now
        self.tz = tz
        self.points = points
        self.names: dict[tuple[str, str], list[FieldError]] = {}
        self.dates: dict[str, dt.date] = {}
        self.latest_expiries: dict[dt.date, dt.date] = {}
        self.today = now.date()
        self.oldest_birth = self.today - dt.timedelta(days=47500)
        self.earliest = OLDEST
        self.latest = now + FUTURE_SLACK
        # messages in the request's language, each translated once a batch (a refused batch
        # says the same few things thousands of times)
        self.messages: dict[tuple[str, str], str] = {}
        self.countries: dict[str, str] = {}
        self.issuers: set[str] = set()  # states: not XXA, XXB... (a nationality only)
        for c in Country.objects.only("code", "alpha3", "icao_code", "kind"):
            self.countries[c.code] = c.code
            self.countries[c.alpha3] = c.code
            self.countries[c.icao_code] = c.code
            if c.is_state:
                self.issuers.add(c.code)

    def _said(self, key: str, value: str, message: Any) -> str:
        """`message` (a function of `value` alone) in the request's language, once a batch."""
        said = self.messages.get((key, value))
        if said is None:
            said = str(message())
            if len(self.messages) < 50_000:
                self.messages[(key, value)] = said
        return said

    def parse(self, raw: Any) -> CrossingData | list[FieldError]:
        """The event read, or every error in it. A clean event (nearly all of them) is read
        by a quick path; anything unusual is read again by the checked path, which names
        each error, so both give the same answer."""
        if type(raw) is dict:
            data = self._parse_clean(raw)
            if data is not None:
                return data
        return self._parse_checked(raw)

    def _clean_name(self, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = _CLEAN_NAMES.get(value)
        # plain Latin letters cannot hold the characters name_check refuses
        if cleaned is None and (PLAIN_NAME.fullmatch(value) or not name_check(value, field="")):
            cleaned = name_clean(value)
            if len(_CLEAN_NAMES) < 200_000:
                _CLEAN_NAMES[value] = cleaned
        return cleaned

    def _date(self, value: str | None) -> dt.date | None:
        if value is None:
            return None
        day = self.dates.get(value)
        if day is None:
            try:
                day = clock.date_parse(value)
            except ValueError:
                return None
            if len(self.dates) < 50_000:
                self.dates[value] = day
        return day

    def _parse_clean(self, raw: dict[str, Any]) -> CrossingData | None:
        """The quick path: None as soon as anything is not plainly right."""
        get = raw.get
        event_id = _text(get("event_id"), EVENT_ID_MAX)
        point = _text(get("crossing_point"), CROSSING_POINT_MAX)
        direction = _text(get("direction"), DIRECTION_MAX)
        stamp = _text(get("timestamp"), TIMESTAMP_MAX)
        document_type = _text(get("document_type"), DOCUMENT_TYPE_MAX)
        number = _text(get("document_number"), DOCUMENT_NUMBER_MAX)
        issuing = _text(get("issuing_state"), COUNTRY_CODE_MAX)
        surname = self._clean_name(_text(get("surname"), NAME_MAX))
        given = _optional(get("given_names"), NAME_MAX)
        sex = _optional(get("sex"), SEX_MAX)
        reason = _optional(get("refusal_reason"), REFUSAL_REASON_MAX)
        if reason and not reason.isascii() and invisible_character(reason) is not None:
            reason = None  # the checked path names the character
        nationality = _text(get("nationality"), COUNTRY_CODE_MAX)
        expiry = self._date(_text(get("document_expiry"), DATE_MAX))
        birth_date = self._date(_text(get("birth_date"), DATE_MAX))
        if (
            event_id is None
            or point is None
            or direction is None
            or stamp is None
            or document_type is None
            or number is None
            or issuing is None
            or surname is None
            or given is None
            or sex is None
            or reason is None
            or nationality is None
            or expiry is None
            or birth_date is None
        ):
            return None
        point = point.lower()
        direction = direction.lower()
        document_type = document_type.lower()
        number = number.upper().replace(" ", "")
        sex = (sex or "X").upper()
        issuing_state = self.countries.get(issuing.upper().replace("<", ""))
        nationality = self.countries.get(nationality.upper().replace("<", ""))
        if given:
            given = self._clean_name(given)
        if (
            point not in self.points
            or direction not in DIRECTIONS
            or document_type not in DOCUMENT_TYPES
            or not (number.isascii() and number.isalnum())  # else the checked path folds it
            or issuing_state not in self.issuers
            or nationality is None
            or given is None
            or sex not in SEXES
            or birth_date > self.today
            or birth_date < self.oldest_birth
        ):
            return None
        try:
            occurred_at = clock.datetime_parse(stamp)
        except ValueError:
            return None
        if occurred_at.tzinfo is None or not self.earliest <= occurred_at <= self.latest:
            return None
        if expiry > self._expiry_latest(occurred_at):
            return None
        return self._data(
            occurred_at,
            direction,
            reason,
            event_id=event_id,
            crossing_point=point,
            document_type=document_type,
            document_number=number,
            issuing_state=issuing_state,
            document_expiry=expiry,
            surname=surname,
            given_names=given,
            birth_date=birth_date,
            sex=sex,
            nationality=nationality,
        )

    def _expiry_latest(self, occurred_at: dt.datetime) -> dt.date:
        day = occurred_at.astimezone(self.tz).date()
        latest = self.latest_expiries.get(day)
        if latest is None:
            latest = self.latest_expiries[day] = document_expiry_latest(day)
        return latest

    def _data(
        self, occurred_at: dt.datetime, direction: str, reason: str, **fields: Any
    ) -> CrossingData:
        """The event as stored: its day in the country's time zone, a reason for refusals only."""
        return CrossingData(
            occurred_at=occurred_at,
            direction=direction,
            day=occurred_at.astimezone(self.tz).date(),
            refusal_reason=reason if direction == "refused" else "",
            **fields,
        )

    def _parse_checked(self, raw: Any) -> CrossingData | list[FieldError]:
        if not isinstance(raw, Mapping):
            return [FieldError("invalid", _("Each event must be an object."), None)]
        errors: list[FieldError] = []

        def error(code: str, message: Any, field: str) -> None:
            if not any(e.field == field for e in errors):
                errors.append(FieldError(code, message, field))

        def text(field: str, max_length: int, *, required: bool = True, hidden: Any = None) -> str:
            """`hidden` (a message naming the field, with %(char)s): text shown to others
            holding a character drawn as nothing is refused with it, naming the character."""
            value = raw.get(field)
            if (
                type(value) is str
                and len(value) <= max_length
                and value.isprintable()
                and (hidden is None or value.isascii() or invisible_character(value) is None)
            ):
                stripped = value.strip()
                if stripped:
                    return stripped
            if value is None or (isinstance(value, str) and not value.strip()):
                if required:
                    error(
                        "required",
                        self._said("required", "", lambda: _("This field is required.")),
                        field,
                    )
                return ""
            if not isinstance(value, str):
                error("invalid", self._said("text", "", lambda: _("Enter text.")), field)
                return ""
            if len(value) > max_length:
                error("too_long", _("At most %(n)d characters.") % {"n": max_length}, field)
                return ""
            char = invisible_character(value) if hidden is not None else None
            if char is not None and not _CONTROL.search(value):
                error("invisible_character", hidden % {"char": f"U+{ord(char):04X}"}, field)
                return ""
            # the joiner that `invisible_character` let through belongs to Arabic-script text
            if not (value.replace(ZWNJ, "") if hidden is not None else value).isprintable():
                error("control_character", _("The text contains control characters."), field)
                return ""
            return value.strip()

        def date(field: str) -> dt.date | None:
            value = text(field, DATE_MAX)
            if not value:
                return None
            day = self._date(value)
            if day is None:
                message = self._said("date", "", lambda: _("Enter a date as YYYY-MM-DD."))
                error("invalid_date", message, field)
            return day

        def name(field: str, *, required: bool) -> str:
            value = text(field, NAME_MAX, required=required)
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
            value = text(field, COUNTRY_CODE_MAX)
            if not value:
                return ""
            code = self.countries.get(value.upper().replace("<", ""))
            if code is None:
                message = self._said(
                    "country",
                    value,
                    lambda: _("Unknown country code “%(code)s”.") % {"code": value},
                )
                error("unknown_country", message, field)
                return ""
            return code

        event_id = text("event_id", EVENT_ID_MAX)
        point = text("crossing_point", CROSSING_POINT_MAX).lower()
        if point and point not in self.points:
            message = self._said(
                "point", point, lambda: _("Unknown crossing point “%(code)s”.") % {"code": point}
            )
            error("unknown_crossing_point", message, "crossing_point")
        direction = text("direction", DIRECTION_MAX).lower()
        if direction and direction not in DIRECTIONS:
            error("invalid_choice", _("Choose entry, exit or refused."), "direction")
        occurred_at: dt.datetime | None = None
        stamp = text("timestamp", TIMESTAMP_MAX)
        if stamp:
            try:
                occurred_at = clock.datetime_parse(stamp)
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
        document_type = text("document_type", DOCUMENT_TYPE_MAX).lower()
        if document_type and document_type not in DOCUMENT_TYPES:
            error(
                "unknown_document_type",
                _(
                    "Unknown document type “%(value)s”: use passport, id_card, travel_document or other."
                )
                % {"value": document_type},
                "document_type",
            )
        number = text("document_number", DOCUMENT_NUMBER_MAX)
        if number:
            number = document_number_clean(number) or ""
            if not number:
                message = self._said("number", "", lambda: DOCUMENT_NUMBER_MESSAGE)
                error("invalid", message, "document_number")
        issuing_state = country("issuing_state")
        if issuing_state and issuing_state not in self.issuers:
            error(
                "not_an_issuing_state",
                _("“%(code)s” is not a state: enter the state that issued the travel document.")
                % {"code": text("issuing_state", COUNTRY_CODE_MAX)},
                "issuing_state",
            )
        expiry = date("document_expiry")
        if expiry:
            # judged on the day of the crossing (today when its time is not readable)
            day = occurred_at.astimezone(self.tz).date() if occurred_at else self.today
            too_far = document_expiry_error(expiry, on=day)
            if too_far is not None:
                errors.append(too_far)
        surname = name("surname", required=True)
        given_names = name("given_names", required=False)
        birth_date = date("birth_date")
        if birth_date and (
            birth_date > self.now.date() or birth_date < self.now.date() - dt.timedelta(days=47500)
        ):
            error("invalid_birth_date", _("The date of birth is not possible."), "birth_date")
        sex = (text("sex", SEX_MAX, required=False) or "X").upper()
        if sex not in SEXES:
            error("invalid_choice", _("Choose M, F or X."), "sex")
        nationality = country("nationality")
        reason = text(
            "refusal_reason", REFUSAL_REASON_MAX, required=False, hidden=REFUSAL_REASON_HIDDEN
        )
        if errors:
            return errors
        assert occurred_at and expiry and birth_date
        return self._data(
            occurred_at,
            direction,
            reason,
            event_id=event_id,
            crossing_point=point,
            document_type=document_type,
            document_number=number,
            issuing_state=issuing_state,
            document_expiry=expiry,
            surname=surname,
            given_names=given_names,
            birth_date=birth_date,
            sex=sex,
            nationality=nationality,
        )
