from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from umis.api.errors import read_errors
from umis.core import clock
from umis.core.errors import FieldError, unknown_field_error
from umis.people.mrz import MRZ_LINE_MAX, MRZ_TEXT_MAX
from umis.people.selectors import MAX_ID
from umis.people.validation import COUNTRY_CODE_MAX, DATE_MAX, NAME_MAX, SEX_MAX
from umis.stays.services import MAX_BATCH as MAX_REGISTRATIONS
from umis.stays.validation import (
    CITY_MAX,
    CLIENT_REFERENCE_MAX,
    DOCUMENT_NUMBER_MAX,
    DOCUMENT_TYPE_MAX,
    REGION_CODE_MAX,
    STREET_MAX,
)


def _day_as_written(value: Any) -> Any:
    # pydantic alone also reads 20260315, 2026-W12-1 and a count of seconds since 1970,
    # as text or as a number
    if isinstance(value, dt.date):
        return value
    if value is None or value == "":  # as a form left empty says (an optional day has a default)
        raise PydanticCustomError("missing", "This field is required.")
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Enter a date as YYYY-MM-DD.")
    try:
        return clock.date_parse(value)
    except ValueError:
        raise PydanticCustomError("date_parsing", "Enter a date as YYYY-MM-DD.") from None


# a day a client sends, read only as YYYY-MM-DD (a wrong one is 422 `invalid_date`)
Day = Annotated[dt.date, BeforeValidator(_day_as_written)]


# The tables' keys are PostgreSQL's bigint (`DEFAULT_AUTO_FIELD`), the bounds the
# selectors look a record up within: an identifier outside them names no record that can
# ever exist.
ID_MIN = 1
ID_MAX = MAX_ID


def _identifier_in_range(value: int) -> int:
    if not ID_MIN <= value <= ID_MAX:
        # 422 `invalid` naming the parameter (`errors.read_errors`), before any record is
        # looked for, so neither a 404 nor an audited refusal
        raise PydanticCustomError("identifier_range", "Enter a valid identifier.")
    return value


# a whole-number identifier in a path or a query, with the bounds the document states
Identifier = Annotated[
    int,
    AfterValidator(_identifier_in_range),
    Field(json_schema_extra={"minimum": ID_MIN, "maximum": ID_MAX}),
]


# what the document says an operation answering a PDF gives on 200 (django-ninja would say
# nothing, and a generated client would read the answer as JSON)
PDF_ANSWER: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The PDF document",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# Values are read as JSON types them, in every request body: the text "14" or true is no
# whole number, 14 is no text (422 with the type's code, naming the field); pydantic would
# otherwise take "14" and true as 14 and 1. A whole number is accepted where a number is.
STRICT = ConfigDict(strict=True)


class BodyIn(Schema):
    """A request body: a field the operation does not know is refused (422 `unknown_field`,
    naming it by its path), never dropped (ADR 20); each value is read strictly (`STRICT`)."""

    model_config = ConfigDict(extra="forbid", **STRICT)


class ItemIn(Schema):
    """An item of a batch, each accepted or refused on its own: its unknown fields are kept
    (`model_extra`) for `unknown_fields` to refuse that item alone, and the document says
    what `BodyIn` says (ADR 20). A value of another type (a number for a text, an item that
    is no object) refuses that item alone too: the item is then read as nothing
    (`type_errors` says why, naming the field relative to the item), the others as sent."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"additionalProperties": False}, **STRICT
    )
    _type_errors: list[FieldError] = PrivateAttr(default_factory=list)
    _sent: Any = PrivateAttr(None)

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        # read as the JSON object it is: django-ninja's reading of model attributes would
        # leave the extra fields out
        try:
            read = handler(values)
        except ValidationError as exc:
            item = cls.model_construct()
            item._type_errors = read_errors(exc.errors(), values)
            item._sent = values
            return item
        read._sent = values
        return read

    @property
    def type_errors(self) -> list[FieldError]:
        """Why the item could not be read as its schema types it; none when it was."""
        return self._type_errors

    @property
    def sent(self) -> Any:
        """The item as sent: its fields read (`model_dump`), or the JSON value that could not
        be."""
        return self._sent if self._type_errors else self.model_dump()

    @property
    def extra(self) -> Any:
        """What `unknown_fields` reads the item's unknown fields from: the object as sent,
        where each field has its place."""
        return self._sent


def unknown_fields(raw: Any, known: Iterable[str], path: str = "") -> list[FieldError]:
    """The errors of the fields of `raw` that its schema does not know: named as every other
    error of a batch item is, relative to the item (`patronimic`, its index beside it), or
    under `path` outside a batch's items (`stays.0.exit_date`), by their place when their
    name is not fit to show (`unknown_field_error`); none for a value that is no object (its
    reading says so)."""
    if not isinstance(raw, dict):
        return []
    return [
        unknown_field_error(key, position, path)
        for position, key in enumerate(raw)
        if key not in known
    ]


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorDetail(ErrorItem):
    errors: list[ErrorItem]


class ErrorOut(Schema):
    error: ErrorDetail


class LegalGroundOut(Schema):
    code: str = Field(description="Stable code of the provision")
    name: str = Field(description="What the provision says, in the language asked for")
    article: str = Field(description="The article cited, in the language asked for")


class AnnulledErrorDetail(ErrorDetail):
    annulled_on: dt.date | None = Field(description="The day of the annulment (Baku time)")
    legal_ground: LegalGroundOut | None = Field(
        description="The provision the annulment was decided on (null when none was recorded)"
    )
    verify_url: str = Field(description="Where the document verifies as annulled")


class AnnulledOut(Schema):
    """410: the document was annulled (code `registration_annulled`); the officer's reasons
    stay in the case file."""

    error: AnnulledErrorDetail


# the error answers every endpoint with a key may give (429: `core.ratelimit`); an endpoint
# that reads a body also 400 (not JSON), 411 (sent in chunks without a length:
# `length_required`), 413 (over `UMIS_MAX_REQUEST_BYTES`) and 415 (not sent as JSON:
# `unsupported_media_type`). A read (GET) reads no body, so it is never too large, and
# changes nothing, so it never conflicts.
ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
BODY_ERRORS: dict[int, Any] = {400: ErrorOut, 411: ErrorOut, 413: ErrorOut, 415: ErrorOut, **ERRORS}
# an endpoint taking an `Idempotency-Key` also 409 (`idempotency_key_reused`: the key was
# sent before with another request), as one deciding on a `version` (a stale one)
CONFLICT_ERRORS: dict[int, Any] = {409: ErrorOut, **BODY_ERRORS}
# the endpoints anyone may call, without a key
PUBLIC_ERRORS: dict[int, Any] = {422: ErrorOut, 429: ErrorOut}
PUBLIC_BODY_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    411: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    **PUBLIC_ERRORS,
}
# an endpoint naming no object (no reference or id in its path or body) finds nothing
# missing, so never 404; one taking no input at all (no parameter, no body) finds nothing
# wrong in it, so never 422
NO_OBJECT_ERRORS: dict[int, Any] = {k: v for k, v in ERRORS.items() if k != 404}
NO_OBJECT_BODY_ERRORS: dict[int, Any] = {k: v for k, v in BODY_ERRORS.items() if k != 404}
PUBLIC_NO_INPUT_ERRORS: dict[int, Any] = {429: ErrorOut}


def longest(n: int) -> dict[str, Any]:
    """The document's `maxLength` of a text field, from the constant its validation uses.
    Only stated, not enforced here: the service refuses a longer value (`too_long`, naming
    the field), in a batch for that item alone."""
    return {"maxLength": n}


# a zone's lines: one item may hold the whole zone (`MRZ_TEXT_MAX`), its lines apart or run
# together; a line of two or three has at most `MRZ_LINE_MAX` characters
MRZ_LINES_DESCRIPTION = (
    f"The 2 or 3 lines of the machine-readable zone, each of at most {MRZ_LINE_MAX} "
    f"characters, or the whole zone as one text of at most {MRZ_TEXT_MAX} characters"
)
MrzLine = Annotated[str, Field(json_schema_extra=longest(MRZ_TEXT_MAX))]


def how_many(fewest: int, most: int) -> dict[str, Any]:
    """The document's `minItems` and `maxItems` of a list, from the limits its validation
    uses: only stated, as `longest`; the service refuses an empty list (`required`) and a
    longer one, naming the list."""
    return {"minItems": fewest, "maxItems": most}


class StayRegistrationFields(Schema):
    """A guest as in the passport. Either the fields or `mrz` (2–3 lines) with the address and dates."""

    surname: str | None = Field(
        None, description="As in the passport, any script", json_schema_extra=longest(NAME_MAX)
    )
    given_names: str | None = Field(None, json_schema_extra=longest(NAME_MAX))
    patronymic: str | None = Field(None, json_schema_extra=longest(NAME_MAX))
    birth_date: str | None = Field(
        None, description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX)
    )
    sex: str | None = Field(None, description="M, F or X", json_schema_extra=longest(SEX_MAX))
    nationality: str | None = Field(
        None,
        description="ISO 3166 alpha-2/alpha-3 or ICAO code",
        json_schema_extra=longest(COUNTRY_CODE_MAX),
    )
    document_type: str | None = Field(
        None,
        description="passport, id_card, travel_document, other. A passport of a stateless "
        "person or refugee (nationality XXA, XXB, XXC) is stored as travel_document",
        json_schema_extra=longest(DOCUMENT_TYPE_MAX),
    )
    document_number: str | None = Field(None, json_schema_extra=longest(DOCUMENT_NUMBER_MAX))
    issuing_state: str | None = Field(None, json_schema_extra=longest(COUNTRY_CODE_MAX))
    document_expiry: str | None = Field(
        None, description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX)
    )
    mrz: list[MrzLine] | None = Field(
        None,
        description="Machine-readable zone lines of the passport or ID card, each of at most "
        f"{MRZ_LINE_MAX} characters, or the whole zone as one text of at most {MRZ_TEXT_MAX} "
        "(longer: mrz_invalid); fills the fields above. A visa's zone (MRV-A, MRV-B) is "
        "refused: mrz_visa",
    )
    region: str | None = Field(
        None,
        description="Region code (see reference data)",
        json_schema_extra=longest(REGION_CODE_MAX),
    )
    city: str | None = Field(None, json_schema_extra=longest(CITY_MAX))
    street: str | None = Field(None, json_schema_extra=longest(STREET_MAX))
    arrival_date: str | None = Field(
        None, description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX)
    )
    planned_departure: str | None = Field(
        None, description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX)
    )
    client_reference: str | None = Field(
        None,
        description="Your own reference, returned as is",
        json_schema_extra=longest(CLIENT_REFERENCE_MAX),
    )


class StayRegistrationIn(StayRegistrationFields, BodyIn):
    """A guest as in the passport. Either the fields or `mrz` (2–3 lines) with the address and dates."""


class StayRegistrationItemIn(ItemIn, StayRegistrationFields):
    """A guest of a batch, as `StayRegistrationIn`: an item with a field it does not know is
    refused on its own (`unknown_field`, naming the field as its other errors do)."""


class MoveOut(Schema):
    """The guest held a current registration elsewhere on the day of arrival: this one was
    recorded as a move, and the previous one ended on that day."""

    same_host: bool = Field(
        ..., description="A move to another address of yours: no new registration was due"
    )
    moved_on: dt.date
    deadline: dt.date | None = Field(
        ..., description="The last day to register after the move (none for the same host)"
    )
    previous_registration_ended: bool
    message: str = Field(..., description="What happened, in the requested language")


class TakenOverOut(Schema):
    """The guest had registered this stay himself at the same address: this registration
    replaced his own filing, which ended on its first day (no move, and not late, the stay
    having been registered all along). Its number and end day are given because it was a
    registration at your own address; nothing is ever said of any other place the guest
    stayed at, nor of who provided it."""

    code: str = Field(..., description="Always `own_filing_taken_over`")
    ended_registrations: list[str] = Field(
        ...,
        description="The numbers of the guest's own registrations at this address that ended "
        "(one, unless he had filed the stay under two travel documents)",
    )
    ended_on: dt.date = Field(
        ..., description="The day they ended: this registration's arrival date"
    )
    message: str = Field(..., description="What happened, in the requested language")


class StayRegistrationOut(Schema):
    reference: str
    registration_number: str
    state: str
    person_id: int
    surname: str = Field(
        ...,
        description="The guest's names as registered (typed from the passport, in its script), "
        "also when the registration is linked to a person on file under other names",
    )
    given_names: str
    patronymic: str = ""
    birth_date: dt.date | None = Field(
        ...,
        description="The guest's date of birth, sex and nationality as registered (typed "
        "from the passport), also when the person on file differs; 1 January of the year "
        "when only the year is known (`birth_year_only`)",
    )
    birth_year_only: bool = Field(
        ...,
        description="True when only the year of birth is known: birth_date is then 1 January "
        "of that year, not the birthday",
    )
    sex: str = ""
    nationality: str = ""
    late: bool
    arrival_date: dt.date
    planned_departure: dt.date
    certificate_url: str | None = Field(
        ...,
        description="The certificate (PDF); null once the registration is annulled, as the "
        "certificate is then gone (its link answers 410 registration_annulled)",
    )
    verify_url: str
    client_reference: str = ""
    move: MoveOut | None = Field(
        None,
        description="When the registration was recorded as a move (in the answer to it and "
        "on every later read); otherwise null",
    )
    taken_over: TakenOverOut | None = Field(
        None,
        description="When the registration replaced the guest's own filing at the same "
        "address (in the answer to it and on every later read); otherwise null",
    )
    annulled_on: dt.date | None = Field(
        None, description="The day an officer annulled the registration; null if it was not"
    )
    replayed: bool = False


class BulkIn(BodyIn):
    items: list[StayRegistrationItemIn] = Field(json_schema_extra=how_many(1, MAX_REGISTRATIONS))


class BulkItemOut(Schema):
    index: int
    status: str
    reference: str | None = None
    verify_url: str | None = None
    client_reference: str | None = Field(
        None,
        description="The item's client_reference, accepted or refused; null when it was "
        "not given or could not be read (not text, over 100 characters, holding an "
        "invisible character)",
    )
    late: bool | None = None
    state: str | None = None
    move: MoveOut | None = None
    taken_over: TakenOverOut | None = None
    errors: list[ErrorItem] = Field(
        [],
        description="Why the item was refused; each error names the item's field alone "
        "(`nationality`, `patronimic`), the item being the one at `index`, a value of "
        "another type too (`surname` sent as a number: `invalid`); an item that is no "
        "object is refused naming no field",
    )


class BulkOut(Schema):
    accepted: int
    refused: int
    items: list[BulkItemOut]
    replayed: bool = False


class EndIn(BodyIn):
    left_on: Day


class GuestOut(Schema):
    reference: str
    surname: str = Field(..., description="The guest's names as registered")
    given_names: str
    patronymic: str = ""
    nationality: str
    document_number: str
    arrival_date: dt.date
    planned_departure: dt.date
    state: str
    client_reference: str


class MrzIn(BodyIn):
    lines: list[MrzLine] = Field(..., description=MRZ_LINES_DESCRIPTION, max_length=3)


class VerifyOut(Schema):
    status: str = Field(..., description="genuine, annulled, expired or unknown")
    kind: str | None
    number: str | None
    holder_name: str | None
    travel_document: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    signer_certificate: str | None
    annulled_on: dt.date | None = Field(
        None, description="the day an annulled document was annulled"
    )
    entries: int | None = Field(
        None, description="a visa's number of entries, as sealed (1: single entry; 0: any)"
    )
    stay_days: int | None = Field(
        None, description="the duration of stay a visa allows, in days, as sealed"
    )


class SignerKeyOut(Schema):
    certificate_reference: str
    signer_identifier: str
    active: bool
    created_at: dt.datetime
    retired_at: dt.datetime | None
    certificate_pem: str
