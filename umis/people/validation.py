"""Reading a traveller's identity and travel document as typed (form or API), with every
error named by field: the shared reader of the services that take such data (place-of-stay
registration, e-visa, ...), so a mistake gets the same code and message everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from umis.core import clock
from umis.core.errors import FieldError
from umis.core.text import invisible_character
from umis.people import mrz
from umis.people.models import DocumentType, Sex
from umis.people.names import name_check, name_clean, name_is_clean
from umis.reference.models import Country

MAX_TEXT = 200
# the longest value of each kind of field a registration, a request or a form takes
NAME_MAX = 100
DATE_MAX = len("YYYY-MM-DD")
SEX_MAX = 1
COUNTRY_CODE_MAX = 3  # ISO alpha-2/alpha-3 or ICAO
_CONTROL = re.compile(r"[\x00-\x1f]")
# An address is shown to the office and printed on the certificate or the e-visa: a
# text-direction control or another character drawn as nothing would make it read otherwise.
CITY_HIDDEN = _(
    "The city contains an invisible character (%(char)s), which can change how the text "
    "reads where it is shown: remove it."
)
STREET_HIDDEN = _(
    "The street and building contain an invisible character (%(char)s), which can change "
    "how the text reads where it is shown: remove it."
)
# The sender's own reference is shown to the office beside the registration or application
# and read back by the sender's software.
CLIENT_REFERENCE_HIDDEN = _(
    "Your reference contains an invisible character (%(char)s), which can change how the "
    "text reads where it is shown: remove it."
)
MRZ_TYPES = {
    "passport": DocumentType.PASSPORT,
    "id_card": DocumentType.ID_CARD,
    "travel_document": DocumentType.TRAVEL_DOCUMENT,
}


# No state issues a passport (or an ID card) valid for more than 10 years, and a document
# is shown at the latest on the day it is issued; a year is added for what some states carry
# over from the document a new one replaces (the United Kingdom added up to nine months until
# 2018). A later expiry date is a typing mistake (2205 for 2025) or made up (9999-12-31).
DOCUMENT_VALIDITY_YEARS = 10
DOCUMENT_CARRIED_OVER_YEARS = 1


def document_expiry_latest(on: dt.date) -> dt.date:
    """The latest expiry date a travel document shown on the day `on` can have."""
    years = on.year + DOCUMENT_VALIDITY_YEARS + DOCUMENT_CARRIED_OVER_YEARS
    try:
        return on.replace(year=years)
    except ValueError:  # 29 February
        return on.replace(year=years, day=28)


def document_expiry_error(
    expiry: dt.date, *, on: dt.date, field: str = "document_expiry"
) -> FieldError | None:
    """`document_expiry_too_far` when a travel document shown on the day `on` is said to
    expire later than any can (the registration, the e-visa and the border crossings)."""
    latest = document_expiry_latest(on)
    if expiry <= latest:
        return None
    return FieldError(
        "document_expiry_too_far",
        _(
            "The expiry date cannot be after %(date)s: a travel document is issued for at "
            "most %(years)d years. Check the date."
        )
        % {"date": formats.date_format(latest, "d.m.Y"), "years": DOCUMENT_VALIDITY_YEARS},
        field,
    )


def document_type_for_holder(document_type: str, nationality: Country) -> str:
    """The type a travel document is stored as: a "passport" of a stateless person or a
    refugee (XXA, XXB, XXC) is the travel document a state issued them under the 1954 or
    1951 Convention, whichever the sender called it (ADR 14)."""
    if (
        document_type == DocumentType.PASSPORT
        and nationality.icao_code in mrz.CONVENTION_NATIONALITIES
    ):
        return DocumentType.TRAVEL_DOCUMENT
    return document_type


class FieldReader:
    """Reads fields of a submitted mapping, keeping the first error of each field."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.errors: list[FieldError] = []

    def error(self, code: str, message: Any, field: str) -> None:
        if not any(e.field == field for e in self.errors):
            self.errors.append(FieldError(code, message, field))

    def text(
        self, field: str, *, required: bool = True, max_length: int = MAX_TEXT, hidden: Any = None
    ) -> str:
        """The field's text, stripped; "" with an error when it is missing (and required),
        not text, too long or holds a control character. Given `hidden` (a message naming
        the field, with %(char)s), text shown to others that holds a character drawn as
        nothing (`invisible_character`) is refused with it."""
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
        if _CONTROL.search(value):
            self.error("control_character", _("The text contains control characters."), field)
            return ""
        if hidden is not None and (char := invisible_character(value)) is not None:
            self.error("invisible_character", hidden % {"char": f"U+{ord(char):04X}"}, field)
            return ""
        return value.strip()

    def date(self, field: str) -> dt.date | None:
        value = self.raw.get(field)
        if isinstance(value, dt.date):
            return value
        text = self.text(field, max_length=DATE_MAX)
        if not text:
            return None
        try:
            return clock.date_parse(text)
        except ValueError:
            self.error("invalid_date", _("Enter a date as YYYY-MM-DD."), field)
            return None

    def name(self, field: str, *, required: bool = True) -> str:
        value = self.text(field, required=required, max_length=mrz_max_name())
        if not value:
            return ""
        if not name_is_clean(value):
            self.errors.append(name_check(value, field=field)[0])
            return ""
        return name_clean(value)

    def sex(self, field: str = "sex") -> str:
        value = self.text(field, max_length=SEX_MAX).upper()
        if value and value not in Sex.values:
            self.error(
                "invalid_choice", _("Choose Male (M), Female (F) or Unspecified (X)."), field
            )
        return value

    def country(self, field: str, lookup: Callable[[str], Country | None]) -> Country | None:
        """A country by ISO or ICAO code, as `lookup` (the reference snapshot) finds it."""
        code = self.text(field, max_length=COUNTRY_CODE_MAX)
        if not code:
            return None
        country = lookup(code)
        if country is None:
            self.error(
                "unknown_country", _("Unknown country code “%(code)s”.") % {"code": code}, field
            )
        return country

    def issuing_state(self, field: str, lookup: Callable[[str], Country | None]) -> Country | None:
        """The state that issued a travel document: a country, but not one of the statuses
        (XXA stateless, XXB refugee, ...) that only ever stand for a nationality."""
        country = self.country(field, lookup)
        if country is not None and not country.is_state:
            self.error(
                "not_an_issuing_state",
                _("“%(code)s” is not a state: enter the state that issued the travel document.")
                % {"code": str(self.raw.get(field) or "").strip()},
                field,
            )
            return None
        return country


# what each check digit of a zone covers, as the form names it
CHECK_LABELS = {
    "document_number": _("document number"),
    "birth_date": _("date of birth"),
    "expiry_date": _("expiry date"),
    "optional_data": _("optional data"),
    "composite": _("the whole zone (composite)"),
}

# the names of a zone as read (`mrz.parse_mrz`): letters A–Z, the filler read as a space
MRZ_NAME = re.compile(r"[A-Z ]*")
MRZ_NAME_MESSAGE = _(
    "The names in the machine-readable zone may contain only the letters A–Z and the filler <."
)

VISA_ZONE_MESSAGE = _(
    "This is the machine-readable zone of a visa, not of a travel document: paste the lines of the passport or ID card."
)


def mrz_max_name() -> int:
    return NAME_MAX


def mrz_merge(
    raw: Mapping[str, Any], reader: FieldReader
) -> tuple[dict[str, Any], mrz.MrzDocument | None]:
    """Fields typed win over MRZ ones for names (original script); the rest must agree.
    The zone must be a travel document's: a visa's is refused (`mrz_visa`)."""
    lines = raw.get("mrz")
    if not lines:
        return dict(raw), None
    if isinstance(lines, list) and len(lines) == 1 and isinstance(lines[0], str):
        lines = lines[0]  # one item: the zone as a scanner sends it, without line breaks
    if isinstance(lines, str):
        lines = mrz.split_mrz_text(lines) if len(lines) <= mrz.MRZ_TEXT_MAX else None
    if not isinstance(lines, list) or not all(
        isinstance(x, str) and len(x) <= mrz.MRZ_LINE_MAX for x in lines
    ):
        reader.error(
            "mrz_invalid", _("Paste the two or three lines of the machine-readable zone."), "mrz"
        )
        return dict(raw), None
    try:
        doc = mrz.parse_mrz(lines)
    except mrz.MrzError as exc:
        reader.error(exc.code, exc.message, "mrz")
        return dict(raw), None
    if doc.document_type == "visa":  # MRV-A or MRV-B: its number is not a travel document's
        reader.error("mrz_visa", VISA_ZONE_MESSAGE, "mrz")
        return dict(raw), None
    failed = [c for c in doc.checks if not c.valid]
    if failed:
        reader.error(
            "mrz_check_digit",
            _(
                "The check digit of “%(field)s” in the machine-readable zone is wrong: the document may be mistyped or forged."
            )
            % {"field": CHECK_LABELS.get(failed[0].name, failed[0].name)},
            "mrz",
        )
        return dict(raw), None
    if not MRZ_NAME.fullmatch(f"{doc.surname} {doc.given_names}"):
        reader.error("mrz_name_characters", MRZ_NAME_MESSAGE, "mrz")
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
