"""Reading an e-visa application (portal form or agency API) into checked data.

One application covers 1–10 travellers (a group pays once) who share the trip: purpose,
entry date, length of stay, address in Azerbaijan, speed and contact e-mail. Every error
has a stable code and names its field (`applicants.2.document_expiry` for a traveller's).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from umis.core.errors import DomainError, FieldError
from umis.core.text import DOCUMENT_NUMBER_MESSAGE, document_number_clean
from umis.people import mrz
from umis.people.identity import PersonData
from umis.people.models import DocumentType
from umis.people.validation import (
    CITY_HIDDEN,
    CLIENT_REFERENCE_HIDDEN,
    STREET_HIDDEN,
    FieldReader,
    document_expiry_error,
    mrz_merge,
)
from umis.reference.models import Region
from umis.reference.selectors import ReferenceSnapshot
from umis.visas.models import EligibleNationality, VisaApplication
from umis.visas.photo import MAX_BYTES, photo_clean

MAX_STAY_DAYS = 30  # single entry, up to 30 days (DOMAIN.md)
MAX_GROUP = 10
MAX_ENTRY_AHEAD_DAYS = 90
# An e-visa is valid 90 days from the day it is issued (DOMAIN.md), and the whole stay must
# fall within it; issued at the earliest on the day of the application, it covers a stay that
# ends by the 90th day from then (issued later, its validity ends later).
VISA_VALIDITY_DAYS = 90
PASSPORT_MARGIN_DAYS = 90  # the passport must stay valid three months beyond the stay
# the longest text each field of an application takes (the names, dates and codes of a
# traveller take what a registration's do: `people.validation`)
PURPOSE_MAX = 20
SPEED_MAX = 10
EMAIL_MAX = 254
REGION_CODE_MAX = 40
CITY_MAX = 100
STREET_MAX = 200
CLIENT_REFERENCE_MAX = 100
PASSPORT_NUMBER_MAX = 9


@dataclass(frozen=True)
class Traveller:
    person: PersonData
    photo: bytes


@dataclass(frozen=True)
class ApplicationData:
    travellers: list[Traveller]
    purpose: str
    entry_date: dt.date
    stay_days: int
    speed: str
    email: str
    region: Region
    city: str
    street: str
    client_reference: str


_eligible_cache: dict[dt.date, tuple[float, frozenset[str]]] = {}
ELIGIBLE_CACHE_SECONDS = 30.0


def eligible_nationalities(on: dt.date) -> frozenset[str]:
    """The eligible nationalities on a date (cached for 30 seconds: reference data)."""
    cached = _eligible_cache.get(on)
    if cached is not None and time.monotonic() - cached[0] < ELIGIBLE_CACHE_SECONDS:
        return cached[1]
    codes = frozenset(
        EligibleNationality.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("country_code", flat=True)
    )
    _eligible_cache.clear()
    if codes:  # an empty list is not cached: it means the reference data is being loaded
        _eligible_cache[on] = (time.monotonic(), codes)
    return codes


def _whole_number(value: Any) -> int | None:
    """A whole number sent as a number (14, 14.0) or as text ("14"); None for anything
    else: a fraction, true/false, a list or an object."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            return None
        return number if text == str(number) else None
    return None


def _photo_bytes(value: Any) -> bytes | None:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        if not value:
            return None  # no photo given
        if len(value) > MAX_BYTES * 4 // 3 + 8:
            return b"\0" * (MAX_BYTES + 1)  # reported as too large, without decoding it
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


def _traveller(
    raw: Any,
    *,
    prefix: str,
    today: dt.date,
    ref: ReferenceSnapshot,
    eligible: frozenset[str],
    last_day: dt.date | None,
    errors: list[FieldError],
) -> Traveller | None:
    if not isinstance(raw, Mapping):
        errors.append(FieldError("invalid", _("Each traveller must be an object."), prefix))
        return None
    reader = FieldReader(raw)
    merged, mrz_doc = mrz_merge(raw, reader)
    r = FieldReader(merged)
    r.errors = reader.errors
    surname = r.name("surname")
    given_names = r.name("given_names")
    birth_date = r.date("birth_date")
    sex = r.sex()
    nationality = r.country("nationality", ref.country)
    issuing_state = r.issuing_state("issuing_state", ref.country)
    if nationality is not None and nationality.code not in eligible:
        if nationality.is_state:
            message = _(
                "Citizens of %(country)s cannot apply for an e-visa; apply at a consulate."
            ) % {"country": nationality.name}
        else:  # stateless, refugee: no citizens of an eligible country
            message = _(
                "%(status)s: the e-visa is only for citizens of the eligible countries; apply at a consulate."
            ) % {"status": nationality.name}
        r.error("nationality_not_eligible", message, "nationality")
    number = r.text("document_number", max_length=PASSPORT_NUMBER_MAX)
    if number:
        number = document_number_clean(number) or ""
        if not number:
            r.error("invalid", DOCUMENT_NUMBER_MESSAGE, "document_number")
    expiry = r.date("document_expiry")
    if birth_date and (birth_date > today or birth_date < today - dt.timedelta(days=365 * 130)):
        r.error("invalid_birth_date", _("The date of birth is not possible."), "birth_date")
    if expiry and expiry < today:
        r.error("passport_expired", _("The passport has expired."), "document_expiry")
    elif expiry and last_day and expiry < last_day + dt.timedelta(days=PASSPORT_MARGIN_DAYS):
        r.error(
            "passport_validity_too_short",
            _("The passport must be valid at least three months after the end of the stay."),
            "document_expiry",
        )
    elif expiry and (too_far := document_expiry_error(expiry, on=today)):
        r.error(too_far.code, too_far.message, "document_expiry")
    photo_raw = _photo_bytes(raw.get("photo"))
    photo = b""
    if photo_raw is None:
        r.error("photo_required", _("Upload a photo (JPEG or PNG)."), "photo")
    else:
        try:
            photo = photo_clean(photo_raw)
        except DomainError as exc:
            r.error(exc.code, exc.message, "photo")
    for e in r.errors:
        e.field = f"{prefix}.{e.field}" if e.field else prefix
    errors.extend(r.errors)
    if r.errors:
        return None
    assert birth_date and nationality and issuing_state and expiry
    return Traveller(
        person=PersonData(
            surname=surname,
            given_names=given_names,
            patronymic="",
            birth_date=birth_date,
            sex=sex,
            nationality=nationality.code,
            document_type=DocumentType.PASSPORT,
            document_number=number,
            issuing_state=issuing_state.code,
            document_expiry=expiry,
            mrz_surname=mrz_doc.surname if mrz_doc else mrz.mrz_name_readable(surname),
            mrz_given_names=mrz_doc.given_names if mrz_doc else mrz.mrz_name_readable(given_names),
        ),
        photo=photo,
    )


def _stay_within_validity(r: FieldReader, *, entry: dt.date, stay: int, today: dt.date) -> None:
    """The stay applied for must end within the visa's validity, counted from today."""
    last_valid = today + dt.timedelta(days=VISA_VALIDITY_DAYS - 1)
    if entry + dt.timedelta(days=stay - 1) <= last_valid:
        return
    if entry > last_valid:
        r.error(
            "stay_beyond_validity",
            _(
                "An e-visa is valid for %(validity)d days from its issue: the entry must be on "
                "%(date)s at the latest."
            )
            % {"validity": VISA_VALIDITY_DAYS, "date": formats.date_format(last_valid, "d.m.Y")},
            "entry_date",
        )
        return
    longest = (last_valid - entry).days + 1
    r.error(
        "stay_beyond_validity",
        ngettext(
            "An e-visa is valid for %(validity)d days from its issue: entering on %(entry)s, "
            "the stay can last at most %(n)d day (until %(date)s). Choose a shorter stay or "
            "an earlier entry date.",
            "An e-visa is valid for %(validity)d days from its issue: entering on %(entry)s, "
            "the stay can last at most %(n)d days (until %(date)s). Choose a shorter stay or "
            "an earlier entry date.",
            longest,
        )
        % {
            "validity": VISA_VALIDITY_DAYS,
            "entry": formats.date_format(entry, "d.m.Y"),
            "n": longest,
            "date": formats.date_format(last_valid, "d.m.Y"),
        },
        "stay_days",
    )


def application_parse(
    raw: Mapping[str, Any], *, today: dt.date, ref: ReferenceSnapshot | None = None
) -> ApplicationData | list[FieldError]:
    ref = ref or ReferenceSnapshot()
    if not isinstance(raw, Mapping):
        return [FieldError("invalid", _("The application must be an object."), None)]
    r = FieldReader(raw)
    purpose = r.text("purpose", max_length=PURPOSE_MAX)
    if purpose and purpose not in VisaApplication.Purpose.values:
        r.error("invalid_choice", _("Choose a purpose from the list."), "purpose")
    speed = r.text("speed", max_length=SPEED_MAX)
    if speed and speed not in VisaApplication.Speed.values:
        r.error("invalid_choice", _("Choose standard or urgent."), "speed")
    entry = r.date("entry_date")
    if entry and entry < today:
        r.error("entry_in_past", _("The entry date cannot be in the past."), "entry_date")
    elif entry and entry > today + dt.timedelta(days=MAX_ENTRY_AHEAD_DAYS):
        r.error(
            "entry_too_far",
            _("Apply at most %(n)d days before the entry.") % {"n": MAX_ENTRY_AHEAD_DAYS},
            "entry_date",
        )
        entry = None  # refused: no last day is computed from it (it may be 9999-12-31)
    stay_raw = raw.get("stay_days")
    stay = 0
    if stay_raw in (None, ""):
        r.error("required", _("This field is required."), "stay_days")
    else:
        whole = _whole_number(stay_raw)
        if whole is None:
            r.error("invalid", _("Enter a whole number of days."), "stay_days")
        else:
            stay = whole
            if not 1 <= stay <= MAX_STAY_DAYS:
                r.error(
                    "stay_too_long" if stay > MAX_STAY_DAYS else "invalid",
                    _("An e-visa allows a stay of 1 to %(n)d days.") % {"n": MAX_STAY_DAYS},
                    "stay_days",
                )
                stay = 0  # refused: no last day is computed from it (it may pass year 9999)
    if entry and stay:
        _stay_within_validity(r, entry=entry, stay=stay, today=today)
    email = r.text("email", max_length=EMAIL_MAX)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            r.error("invalid_email", _("Enter a valid e-mail address."), "email")
    region_code = r.text("region", max_length=REGION_CODE_MAX)
    region = ref.region(region_code) if region_code else None
    if region_code and region is None:
        r.error("unknown_region", _("Unknown region “%(code)s”.") % {"code": region_code}, "region")
    city = r.text("city", max_length=CITY_MAX, hidden=CITY_HIDDEN)
    street = r.text("street", max_length=STREET_MAX, hidden=STREET_HIDDEN)
    client_reference = r.text(
        "client_reference",
        required=False,
        max_length=CLIENT_REFERENCE_MAX,
        hidden=CLIENT_REFERENCE_HIDDEN,
    )
    errors = list(r.errors)
    applicants = raw.get("applicants")
    travellers: list[Traveller] = []
    if not isinstance(applicants, list) or not applicants:
        errors.append(FieldError("required", _("Add at least one traveller."), "applicants"))
    elif len(applicants) > MAX_GROUP:
        errors.append(
            FieldError(
                "group_too_large",
                _("A group application has at most %(n)d travellers.") % {"n": MAX_GROUP},
                "applicants",
            )
        )
    else:
        eligible = eligible_nationalities(today)
        last_day = entry + dt.timedelta(days=stay - 1) if entry and stay else None
        seen: set[tuple[str, str]] = set()
        for i, item in enumerate(applicants):
            t = _traveller(
                item,
                prefix=f"applicants.{i}",
                today=today,
                ref=ref,
                eligible=eligible,
                last_day=last_day,
                errors=errors,
            )
            if t is not None:
                if t.person.document_key in seen:
                    errors.append(
                        FieldError(
                            "duplicate_traveller",
                            _("This passport appears twice in the application."),
                            f"applicants.{i}.document_number",
                        )
                    )
                seen.add(t.person.document_key)
                travellers.append(t)
    if errors:
        return errors
    assert entry and region
    return ApplicationData(
        travellers=travellers,
        purpose=purpose,
        entry_date=entry,
        stay_days=stay,
        speed=speed,
        email=email,
        region=region,
        city=city,
        street=street,
        client_reference=client_reference,
    )
