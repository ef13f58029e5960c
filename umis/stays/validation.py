"""Reading a registration as submitted (form or API) into checked data, with every error named.

The same function serves the web form, the single API call and each item of a batch, so a
mistake gets the same code and message everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from umis.core.errors import FieldError
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
    document_type_for_holder,
    mrz_merge,
)
from umis.reference.models import Region, RegistrationRule
from umis.reference.selectors import ReferenceSnapshot, reference_snapshot
from umis.stays import rules

CLIENT_REFERENCE_MAX = 100
# the longest value of each field of a registration's document and address
DOCUMENT_TYPE_MAX = 20
DOCUMENT_NUMBER_MAX = 20
REGION_CODE_MAX = 40
CITY_MAX = 100
STREET_MAX = 200
PHONE_RE = re.compile(r"\+?[0-9][0-9 ()-]{4,38}")


@dataclass(frozen=True)
class RegistrationData:
    person: PersonData
    region: Region
    city: str
    street: str
    arrival_date: dt.date
    planned_departure: dt.date
    late: bool  # by the arrival rule
    client_reference: str
    rule: RegistrationRule  # in force on the day of arrival


def registration_parse(
    raw: Mapping[str, Any], *, today: dt.date, ref: ReferenceSnapshot | None = None
) -> RegistrationData | list[FieldError]:
    ref = ref or reference_snapshot()
    if not isinstance(raw, Mapping):
        return [FieldError("invalid", _("Each registration must be an object."), None)]
    reader = FieldReader(raw)
    merged, mrz_doc = mrz_merge(raw, reader)
    r = FieldReader(merged)
    r.errors = reader.errors

    surname = r.name("surname")
    given_names = r.name("given_names")
    patronymic = r.name("patronymic", required=False)
    birth_date = r.date("birth_date")
    sex = r.sex()
    nationality = r.country("nationality", ref.country)
    if nationality is not None and nationality.code == settings.UMIS_COUNTRY:
        r.error(
            "citizen",
            _(
                "A citizen of Azerbaijan is not registered at the place of stay as a foreigner: "
                "this service is for foreigners and stateless persons."
            ),
            "nationality",
        )
    issuing_state = r.issuing_state("issuing_state", ref.country)
    document_type = r.text("document_type", max_length=DOCUMENT_TYPE_MAX)
    if document_type and document_type not in DocumentType.values:
        r.error("invalid_choice", _("Choose a document type from the list."), "document_type")
    number = r.text("document_number", max_length=DOCUMENT_NUMBER_MAX)
    if number:
        number = document_number_clean(number) or ""
        if not number:
            r.error("invalid", DOCUMENT_NUMBER_MESSAGE, "document_number")
    expiry = r.date("document_expiry")
    region_code = r.text("region", max_length=REGION_CODE_MAX)
    region = None
    if region_code:
        region = ref.region(region_code)
        if region is None:
            r.error(
                "unknown_region", _("Unknown region “%(code)s”.") % {"code": region_code}, "region"
            )
    city = r.text("city", max_length=CITY_MAX, hidden=CITY_HIDDEN)
    street = r.text("street", max_length=STREET_MAX, hidden=STREET_HIDDEN)
    arrival = r.date("arrival_date")
    departure = r.date("planned_departure")
    client_reference = r.text(
        "client_reference",
        required=False,
        max_length=CLIENT_REFERENCE_MAX,
        hidden=CLIENT_REFERENCE_HIDDEN,
    )

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
    elif expiry and (too_far := document_expiry_error(expiry, on=today)):
        r.error(too_far.code, too_far.message, "document_expiry")

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
            # judged as an arrival; the intake judges a move by the move rule instead
            late = rules.arrival_late(arrival=arrival, departure=departure, today=today, rule=rule)
            if departure and (departure - arrival).days + 1 > rule.max_length_days:
                r.error(
                    "stay_too_long",
                    ngettext(
                        "A registration may cover at most %(n)d day; register again for a longer "
                        "stay.",
                        "A registration may cover at most %(n)d days; register again for a longer "
                        "stay.",
                        rule.max_length_days,
                    )
                    % {"n": rule.max_length_days},
                    "planned_departure",
                )
    if r.errors:
        return r.errors
    assert (
        birth_date
        and nationality
        and issuing_state
        and expiry
        and region
        and arrival
        and departure
        and rule
    )
    person = PersonData(
        surname=surname,
        given_names=given_names,
        patronymic=patronymic,
        birth_date=birth_date,
        sex=sex,
        nationality=nationality.code,
        document_type=document_type_for_holder(document_type, nationality),
        document_number=number,
        issuing_state=issuing_state.code,
        document_expiry=expiry,
        mrz_surname=mrz_doc.surname if mrz_doc else mrz.mrz_name_readable(surname),
        mrz_given_names=mrz_doc.given_names if mrz_doc else mrz.mrz_name_readable(given_names),
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
        rule=rule,
    )


def client_reference_read(raw: Mapping[str, Any]) -> str | None:
    """The sender's own reference of an item, as an accepted item keeps it, for answering a
    refused one: None when it was not given or is not readable (not text, too long, holding
    an invisible character)."""
    if not isinstance(raw, Mapping):
        return None
    r = FieldReader(raw)
    value = r.text(
        "client_reference",
        required=False,
        max_length=CLIENT_REFERENCE_MAX,
        hidden=CLIENT_REFERENCE_HIDDEN,
    )
    return value if value and not r.errors else None


@dataclass(frozen=True)
class OwnFiling:
    """What the foreigner filing his own registration adds: who provides the accommodation
    (the owner or landlord), how to reach them, and his own e-mail for the notices."""

    provider_name: str
    provider_phone: str
    email: str


def own_filing_parse(raw: Mapping[str, Any]) -> OwnFiling | list[FieldError]:
    r = FieldReader(raw)
    # shown to the office and on the certificate
    provider = r.text(
        "provider_name",
        max_length=200,
        hidden=_(
            "The name of the owner or landlord contains an invisible character (%(char)s), "
            "which can change how the text reads where it is shown: remove it."
        ),
    )
    phone = r.text("provider_phone", required=False, max_length=40)
    if phone and not PHONE_RE.fullmatch(phone):
        r.error(
            "invalid_phone",
            _("Enter the phone number in digits, e.g. +994 12 345 67 89."),
            "provider_phone",
        )
    email = r.text("email", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            r.error("invalid_email", _("Enter a valid e-mail address."), "email")
    if r.errors:
        return r.errors
    return OwnFiling(provider_name=provider, provider_phone=phone, email=email)
