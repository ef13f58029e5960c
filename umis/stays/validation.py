"""Reading a registration as submitted (form or API) into checked data, with every error named.

The same function serves the web form, the single API call and each item of a batch, so a
mistake gets the same code and message everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from umis.core.errors import FieldError
from umis.people import mrz
from umis.people.identity import PersonData
from umis.people.models import DocumentType, Sex
from umis.people.names import name_check, name_clean
from umis.reference.models import Region, RegistrationRule
from umis.reference.selectors import ReferenceSnapshot, reference_snapshot

MAX_TEXT = 200
MRZ_TYPES = {"passport": DocumentType.PASSPORT, "id_card": DocumentType.ID_CARD}


@dataclass(frozen=True)
class RegistrationData:
    person: PersonData
    region: Region
    city: str
    street: str
    arrival_date: dt.date
    planned_departure: dt.date
    late: bool
    client_reference: str


class _Reader:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.errors: list[FieldError] = []

    def error(self, code: str, message: Any, field: str) -> None:
        if not any(e.field == field for e in self.errors):
            self.errors.append(FieldError(code, message, field))

    def text(self, field: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
        value = self.raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error("required", _("This field is required."), field)
            return ""
        if not isinstance(value, str):
            self.error("invalid", _("Enter text."), field)
            return ""
        if len(value) > max_length:
            self.error("too_long", _("At most %(n)d characters.") % {"n": max_length}, field)
            return ""
        if any(ord(c) < 32 for c in value):
            self.error("control_character", _("The text contains control characters."), field)
            return ""
        return value.strip()

    def date(self, field: str) -> dt.date | None:
        value = self.raw.get(field)
        if isinstance(value, dt.date):
            return value
        text = self.text(field, max_length=10)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.error("invalid_date", _("Enter a date as YYYY-MM-DD."), field)
            return None

    def name(self, field: str, *, required: bool = True) -> str:
        value = self.text(field, required=required, max_length=mrz_max_name())
        if not value:
            return ""
        problems = name_check(value, field=field)
        if problems:
            self.errors.append(problems[0])
            return ""
        return name_clean(value)


def mrz_max_name() -> int:
    return 100


def _merge_mrz(
    raw: Mapping[str, Any], reader: _Reader
) -> tuple[dict[str, Any], mrz.MrzDocument | None]:
    """Fields typed win over MRZ ones for names (original script); the rest must agree."""
    lines = raw.get("mrz")
    if not lines:
        return dict(raw), None
    if isinstance(lines, str):
        lines = mrz.split_mrz_text(lines) if len(lines) <= 200 else None
    if not isinstance(lines, list) or not all(isinstance(x, str) and len(x) <= 60 for x in lines):
        reader.error(
            "mrz_invalid", _("Paste the two or three lines of the machine-readable zone."), "mrz"
        )
        return dict(raw), None
    try:
        doc = mrz.parse_mrz(lines)
    except mrz.MrzError as exc:
        reader.error(exc.code, exc.message, "mrz")
        return dict(raw), None
    failed = [c for c in doc.checks if not c.valid]
    if failed:
        reader.error(
            "mrz_check_digit",
            _(
                "The check digit of “%(field)s” in the machine-readable zone is wrong: the document may be mistyped or forged."
            )
            % {"field": failed[0].name},
            "mrz",
        )
        return dict(raw), None
    merged = dict(raw)
    from_mrz: dict[str, Any] = {
        "surname": doc.surname.title(),
        "given_names": doc.given_names.title(),
        "birth_date": doc.birth_date,
        "sex": doc.sex,
        "nationality": doc.nationality,
        "document_type": MRZ_TYPES.get(doc.document_type, DocumentType.OTHER),
        "document_number": doc.document_number,
        "issuing_state": doc.issuing_state,
        "document_expiry": doc.expiry_date,
    }
    for key, value in from_mrz.items():
        typed = merged.get(key)
        if typed in (None, ""):
            merged[key] = value
        elif key in {"document_number", "birth_date", "document_expiry"} and str(
            typed
        ).strip().upper() != str(value):
            reader.error("mrz_mismatch", _("This does not match the machine-readable zone."), key)
    return merged, doc


def registration_parse(
    raw: Mapping[str, Any], *, today: dt.date, ref: ReferenceSnapshot | None = None
) -> RegistrationData | list[FieldError]:
    ref = ref or reference_snapshot()
    if not isinstance(raw, Mapping):
        return [FieldError("invalid", _("Each registration must be an object."), None)]
    reader = _Reader(raw)
    merged, mrz_doc = _merge_mrz(raw, reader)
    r = _Reader(merged)
    r.errors = reader.errors

    surname = r.name("surname")
    given_names = r.name("given_names")
    patronymic = r.name("patronymic", required=False)
    birth_date = r.date("birth_date")
    sex = r.text("sex", max_length=1).upper()
    if sex and sex not in Sex.values:
        r.error("invalid_choice", _("Choose M, F or X."), "sex")
    nationality = None
    issuing_state = None
    for field in ("nationality", "issuing_state"):
        code = r.text(field, max_length=3)
        if code:
            country = ref.country(code)
            if country is None:
                r.error(
                    "unknown_country", _("Unknown country code “%(code)s”.") % {"code": code}, field
                )
            elif field == "nationality":
                nationality = country
            else:
                issuing_state = country
    document_type = r.text("document_type", max_length=20)
    if document_type and document_type not in DocumentType.values:
        r.error("invalid_choice", _("Choose a document type from the list."), "document_type")
    number = r.text("document_number", max_length=20).upper().replace(" ", "")
    if number and not number.isalnum():
        r.error("invalid", _("A document number has only letters and digits."), "document_number")
    expiry = r.date("document_expiry")
    region_code = r.text("region", max_length=40)
    region = None
    if region_code:
        region = ref.region(region_code)
        if region is None:
            r.error(
                "unknown_region", _("Unknown region “%(code)s”.") % {"code": region_code}, "region"
            )
    city = r.text("city", max_length=100)
    street = r.text("street", max_length=200)
    arrival = r.date("arrival_date")
    departure = r.date("planned_departure")
    client_reference = r.text("client_reference", required=False, max_length=100)

    if birth_date and (birth_date > today or birth_date < today - dt.timedelta(days=365 * 130)):
        r.error("invalid_birth_date", _("The date of birth is not possible."), "birth_date")
    if arrival and arrival > today:
        r.error("arrival_in_future", _("The arrival date cannot be in the future."), "arrival_date")
    if arrival and departure and departure < arrival:
        r.error(
            "departure_before_arrival",
            _("The planned departure is before the arrival."),
            "planned_departure",
        )
    if expiry and expiry < today:
        r.error("passport_expired", _("The travel document has expired."), "document_expiry")
    elif expiry and departure and expiry < departure:
        r.error(
            "document_expires_during_stay",
            _("The travel document expires before the planned departure."),
            "document_expiry",
        )

    rule: RegistrationRule | None = None
    late = False
    if arrival and nationality is not None:
        rule = ref.registration_rule(nationality=nationality.code, on=arrival)
        if rule is None:
            r.error("no_rule", _("No registration rule is in force for this date."), "arrival_date")
        else:
            if arrival < today - dt.timedelta(days=365):
                r.error(
                    "arrival_too_old",
                    _("The arrival date is more than a year ago."),
                    "arrival_date",
                )
            late = (today - arrival).days > rule.deadline_days
            if departure and (departure - arrival).days + 1 > rule.max_length_days:
                r.error(
                    "stay_too_long",
                    _(
                        "A registration may cover at most %(n)d days; register again for a longer stay."
                    )
                    % {"n": rule.max_length_days},
                    "planned_departure",
                )
    if r.errors:
        return r.errors
    assert (
        birth_date and nationality and issuing_state and expiry and region and arrival and departure
    )
    person = PersonData(
        surname=surname,
        given_names=given_names,
        patronymic=patronymic,
        birth_date=birth_date,
        sex=sex,
        nationality=nationality.code,
        document_type=document_type,
        document_number=number,
        issuing_state=issuing_state.code,
        document_expiry=expiry,
        mrz_surname=mrz_doc.surname if mrz_doc else mrz.mrz_name(surname),
        mrz_given_names=mrz_doc.given_names if mrz_doc else mrz.mrz_name(given_names),
    )
    return RegistrationData(
        person=person,
        region=region,
        city=city,
        street=street,
        arrival_date=arrival,
        planned_departure=departure,
        late=late,
        client_reference=client_reference,
    )
