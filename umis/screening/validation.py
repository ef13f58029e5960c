"""Parsing of watchlist entries (from CSV, JSON or the API) and of screening queries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from umis.core import clock
from umis.core.errors import ErrorCollector, FieldError, unknown_field_error
from umis.core.text import invisible_character
from umis.people.normalize import normalize_name
from umis.people.validation import COUNTRY_CODE_MAX, DATE_MAX
from umis.reference.selectors import ReferenceSnapshot, country_get_by_code
from umis.screening.index import Query, document_key
from umis.screening.models import DOCUMENT_CATEGORIES, PERSON_CATEGORIES, Category

MAX_NAME = 300
# an entry's surname and its given names, each: together, with the blank between them, they
# never pass the longest full name they make
MAX_NAME_PART = (MAX_NAME - 1) // 2
MAX_ALIASES = 20
MAX_REASON = 2000  # characters of an entry's reason, blanks run together
MAX_SOURCE = 200  # characters of an entry's source and of its source reference
MAX_DOCUMENT_NUMBER = 30  # of an entry, and of a search
MAX_EXTERNAL_ID = 100  # an entry's id on the list it comes from


@dataclass(frozen=True)
class EntryData:
    category: str
    kind: str
    external_id: str = ""
    full_name: str = ""
    aliases: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    birth_year: int | None = None
    nationality: str = ""
    sex: str = ""
    document_number: str = ""
    issuing_state: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    reason: str = ""
    source: str = ""
    source_reference: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_fields(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "kind": self.kind,
            "full_name": self.full_name,
            "aliases": list(self.aliases),
            "birth_date": self.birth_date,
            "birth_year": self.birth_year,
            "nationality": self.nationality,
            "sex": self.sex,
            "document_number": self.document_number,
            "issuing_state": self.issuing_state,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "reason": self.reason,
            "source": self.source,
            "source_reference": self.source_reference,
        }


# what an entry is read from (`entry_parse`), and what a file of entries must have
ENTRY_FIELDS = (
    "category",
    "external_id",
    "full_name",
    "surname",
    "given_names",
    "aliases",
    "birth_date",
    "nationality",
    "sex",
    "document_number",
    "issuing_state",
    "valid_from",
    "valid_until",
    "reason",
    "source",
    "source_reference",
)
REQUIRED_ENTRY_FIELDS = ("category", "reason")
# every field but `aliases` is text: a JSON number or true/false in one is refused, never
# taken as the text it would print as ("1234567", "True")
TEXT_ENTRY_FIELDS = tuple(f for f in ENTRY_FIELDS if f != "aliases")


def _text(raw: Mapping[str, Any], key: str, limit: int = 200) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    return " ".join(str(value).split())[: limit + 1]


def _whole_text(raw: Mapping[str, Any], key: str) -> str:
    """The value with its blanks run together, uncut: its length is checked by the caller."""
    value = raw.get(key)
    return "" if value is None else " ".join(str(value).split())


def reason_hidden_error(
    reason: str, *, field: str = "reason", allowed: str = ""
) -> FieldError | None:
    """A reason (of a listing, of its withdrawal) holding a character drawn as nothing, which
    would make it read otherwise (reversed) on the entry's page and in the audit log; the
    characters in `allowed` (line breaks) pass."""
    hidden = invisible_character(reason, allowed=allowed)
    if hidden is None:
        return None
    return FieldError(
        "invisible_character",
        _(
            "The reason contains an invisible character (%(char)s), which can change how the "
            "text reads where it is shown: remove it."
        )
        % {"char": f"U+{ord(hidden):04X}"},
        field,
    )


SOURCE_HIDDEN = {
    "source": _(
        "The source contains an invisible character (%(char)s), which can change how the "
        "text reads where it is shown: remove it."
    ),
    "source_reference": _(
        "The source reference contains an invisible character (%(char)s), which can change "
        "how the text reads where it is shown: remove it."
    ),
}


def source_hidden_error(value: str, *, key: str, field: str | None = None) -> FieldError | None:
    """An entry's `source` or `source_reference` (`key`) holding a character drawn as
    nothing, which would make it read otherwise on the entry's and the hit's pages."""
    hidden = invisible_character(value)
    if hidden is None:
        return None
    return FieldError(
        "invisible_character",
        SOURCE_HIDDEN[key] % {"char": f"U+{ord(hidden):04X}"},
        field or key,
    )


def name_errors(value: str, *, field: str) -> list[FieldError]:
    """A name to match on: not too long, and with letters left after removing invisible ones."""
    if len(value) > MAX_NAME:
        return [FieldError("too_long", _("At most %(n)d characters.") % {"n": MAX_NAME}, field)]
    if not value.strip():
        return [FieldError("required", _("This field is required."), field)]
    if normalize_name(value).is_empty:
        return [FieldError("invalid", _("A name must contain letters."), field)]
    return []


def birth_parse(
    value: str, *, field: str, errors: ErrorCollector
) -> tuple[dt.date | None, int | None]:
    """A full date (YYYY-MM-DD) or only the year (YYYY)."""
    value = value.strip()
    if not value:
        return None, None
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        if 1900 <= year <= clock.today().year:
            return None, year
    else:
        try:
            d = clock.date_parse(value)
        except ValueError:
            d = None
        if d is not None and dt.date(1900, 1, 1) <= d <= clock.today():
            return d, None
    errors.add("invalid_date", _("Enter a date of birth as YYYY-MM-DD or a year as YYYY."), field)
    return None, None


MAX_SEARCH_NAMES = 10  # names a search takes
MIN_LIMIT, MAX_LIMIT = 1, 100  # hits a search returns
# the longest date or code a search takes: a longer one is refused as too long, not read
SEARCH_LIMITS = {
    "birth_date": DATE_MAX,
    "nationality": COUNTRY_CODE_MAX,
    "issuing_state": COUNTRY_CODE_MAX,
}


def search_query_parse(
    *,
    names: Sequence[str],
    birth_date: str | None = None,
    nationality: str | None = None,
    document_number: str | None = None,
    issuing_state: str | None = None,
    threshold: float | None = None,
    limit: int = 20,
    ref: ReferenceSnapshot | None = None,
) -> tuple[Query, float | None]:
    """A screening search as sent, read into the query and its threshold (None: the
    configured one); `ValidationFailed` with every error, each naming its field."""
    errors = ErrorCollector()
    if not names:
        errors.add("required", _("This field is required."), "names")
    if len(names) > MAX_SEARCH_NAMES:
        errors.add("too_many", _("Too many items."), "names")
    for i, n in enumerate(names[:MAX_SEARCH_NAMES]):
        errors.errors.extend(name_errors(n, field=f"names.{i}"))
    values = {
        "birth_date": birth_date or "",
        "nationality": nationality or "",
        "issuing_state": issuing_state or "",
    }
    for key, most in SEARCH_LIMITS.items():
        if len(values[key]) > most:
            errors.add("too_long", _("At most %(n)d characters.") % {"n": most}, key)
            values[key] = ""
    born_on, born_in = birth_parse(values["birth_date"], field="birth_date", errors=errors)
    ref = ref or ReferenceSnapshot()
    nationality_code = country_code(
        values["nationality"], field="nationality", ref=ref, errors=errors
    )
    issuing_state_code = country_code(
        values["issuing_state"], field="issuing_state", ref=ref, errors=errors
    )
    if threshold is not None and not 0 <= threshold <= 100:
        errors.add("invalid", _("Enter a number from 0 to 100."), "threshold")
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        errors.add("invalid", _("Enter a number from 1 to 100."), "limit")
    if len(document_number or "") > MAX_DOCUMENT_NUMBER:
        errors.add(
            "too_long",
            _("At most %(n)d characters.") % {"n": MAX_DOCUMENT_NUMBER},
            "document_number",
        )
    errors.raise_if_any()
    query = Query(
        names=tuple(names),
        birth_date=born_on,
        birth_year=born_in,
        nationality=nationality_code,
        document_number=document_number or "",
        issuing_state=issuing_state_code,
    )
    return query, threshold


def _date(value: str, *, field: str, errors: ErrorCollector) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return clock.date_parse(value)
    except ValueError:
        errors.add("invalid_date", _("Enter a date as YYYY-MM-DD."), field)
        return None


def country_code(value: str, *, field: str, ref: ReferenceSnapshot, errors: ErrorCollector) -> str:
    if not value:
        return ""
    country = ref.country(value)
    if country is None:
        errors.add("unknown_country", _("Unknown country code."), field)
        return ""
    return country.code


def entry_parse(
    raw: Mapping[str, Any], *, ref: ReferenceSnapshot, default_source: str = ""
) -> EntryData | list[FieldError]:
    errors = ErrorCollector()
    for position, key in enumerate(raw):
        if key not in ENTRY_FIELDS:  # a misspelt field would lose its value without a word
            errors.errors.append(unknown_field_error(key, position))
    not_text = {
        key: _("Enter text.")
        for key in TEXT_ENTRY_FIELDS
        if raw.get(key) is not None and not isinstance(raw.get(key), str)
    }
    if isinstance(raw.get("aliases"), list):
        not_text.update(
            {
                f"aliases.{i}": _("Enter text.")
                for i, a in enumerate(raw["aliases"])
                if not isinstance(a, str)
            }
        )
    for key, message in not_text.items():
        errors.add("invalid", message, key)
    if not_text:  # the rest is read without them, and says nothing more of them
        raw = {k: v for k, v in raw.items() if k not in not_text}
        if isinstance(raw.get("aliases"), list):
            raw["aliases"] = [a for a in raw["aliases"] if isinstance(a, str)]
    category = _text(raw, "category").lower()
    if not category:
        errors.add("required", _("This field is required."), "category")
    elif category not in Category.values:
        choices = ", ".join(f"{value} ({label})" for value, label in Category.choices)
        errors.add(
            "invalid_category",
            _("Unknown category: use one of %(choices)s.") % {"choices": choices},
            "category",
        )
    kind = "document" if category in DOCUMENT_CATEGORIES else "person"
    parts = [_whole_text(raw, "surname"), _whole_text(raw, "given_names")]
    parts_too_long = False
    for key, part in zip(("surname", "given_names"), parts, strict=True):
        if len(part) > MAX_NAME_PART:  # refused, never cut
            parts_too_long = True
            errors.add(
                "too_long",
                _("At most %(n)d characters (this has %(length)d).")
                % {"n": MAX_NAME_PART, "length": len(part)},
                key,
            )
    given_full_name = _text(raw, "full_name", MAX_NAME)
    full_name = given_full_name or " ".join(p for p in parts if p)
    aliases_raw = raw.get("aliases") or []
    if isinstance(aliases_raw, str):
        aliases_raw = aliases_raw.split(";")
    if not isinstance(aliases_raw, list):
        errors.add("invalid", _("Enter a list."), "aliases")
        aliases_raw = []
    aliases = tuple(" ".join(str(a).split()) for a in aliases_raw if str(a).strip())
    if len(aliases) > MAX_ALIASES:
        errors.add("too_many", _("Too many items."), "aliases")
    # a name made of parts refused above says nothing more of itself
    if (kind == "person" or full_name) and (given_full_name or not parts_too_long):
        refused = name_errors(full_name, field="full_name")
        sent_parts = [(k, p) for k, p in zip(("surname", "given_names"), parts, strict=True) if p]
        if refused and not given_full_name and sent_parts:
            # a name made of the parts sent is refused naming them, not a field not sent
            refused = [e for k, p in sent_parts for e in name_errors(p, field=k)] or refused
        errors.errors.extend(refused)
    for i, a in enumerate(aliases[:MAX_ALIASES]):
        errors.errors.extend(name_errors(a, field=f"aliases.{i}"))
    birth_date, birth_year = birth_parse(
        _text(raw, "birth_date"), field="birth_date", errors=errors
    )
    nationality = country_code(
        _text(raw, "nationality"), field="nationality", ref=ref, errors=errors
    )
    issuing_state = country_code(
        _text(raw, "issuing_state"), field="issuing_state", ref=ref, errors=errors
    )
    sex = _text(raw, "sex").upper()
    if sex not in {"", "M", "F", "X"}:
        errors.add("invalid", _("Use M, F or X."), "sex")
    document_number = re.sub(r"[^0-9A-Z]", "", _text(raw, "document_number").upper())
    if len(document_number) > MAX_DOCUMENT_NUMBER:
        errors.add(
            "too_long",
            _("At most %(n)d characters.") % {"n": MAX_DOCUMENT_NUMBER},
            "document_number",
        )
    if kind == "document" and not document_number:
        errors.add("required", _("This field is required."), "document_number")
    valid_from = _date(_text(raw, "valid_from"), field="valid_from", errors=errors)
    valid_until = _date(_text(raw, "valid_until"), field="valid_until", errors=errors)
    if valid_from and valid_until and valid_until < valid_from:
        errors.add(
            "invalid_period", _("The end date must not be before the start date."), "valid_until"
        )
    reason = " ".join(str(raw.get("reason") or "").split())
    if not reason:
        errors.add("required", _("This field is required."), "reason")
    elif len(reason) > MAX_REASON:  # refused, never cut: the grounds of a listing
        errors.add(
            "too_long",
            _("At most %(n)d characters (this has %(length)d).")
            % {"n": MAX_REASON, "length": len(reason)},
            "reason",
        )
    elif hidden := reason_hidden_error(reason):
        errors.errors.append(hidden)
    source = _whole_text(raw, "source") or default_source
    source_reference = _whole_text(raw, "source_reference")
    if not source:
        errors.add("required", _("This field is required."), "source")
    for key, value in (("source", source), ("source_reference", source_reference)):
        if len(value) > MAX_SOURCE:  # refused, never cut: where a listing comes from
            errors.add(
                "too_long",
                _("At most %(n)d characters (this has %(length)d).")
                % {"n": MAX_SOURCE, "length": len(value)},
                key,
            )
        elif hidden_source := source_hidden_error(value, key=key):
            errors.errors.append(hidden_source)
    external_id = _text(raw, "external_id", MAX_EXTERNAL_ID)
    if len(external_id) > MAX_EXTERNAL_ID:
        errors.add(
            "too_long", _("At most %(n)d characters.") % {"n": MAX_EXTERNAL_ID}, "external_id"
        )
    if category in PERSON_CATEGORIES and not full_name:
        pass  # reported by name_errors above
    if not_text:
        return [e for e in errors.errors if e.code == "invalid" or e.field not in not_text]
    if errors.errors:
        return errors.errors
    return EntryData(
        category=category,
        kind=kind,
        external_id=external_id,
        full_name=full_name,
        aliases=aliases[:MAX_ALIASES],
        birth_date=birth_date,
        birth_year=birth_year,
        nationality=nationality,
        sex=sex,
        document_number=document_number,
        issuing_state=issuing_state,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=reason,
        source=source,
        source_reference=source_reference,
    )


MAX_BAN_DOCUMENT_NUMBER = 30
MAX_BAN_SURNAME = 100  # no passport prints a longer surname
OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)
BAN_QUERY_FIELDS = ("document_number", "issuing_state", "surname", "birth_date")


@dataclass(frozen=True)
class EntryBanQuery:
    document_number: str
    issuing_state: str  # ISO alpha-2
    surname: str
    birth_date: dt.date


def entry_ban_query_parse(raw: Mapping[str, str]) -> EntryBanQuery | dict[str, str]:
    """A visitor's entry-ban question as typed, or the error of each field (as text). Text
    the database cannot hold is refused here, before any query."""
    values = {k: str(raw.get(k, "")).strip() for k in BAN_QUERY_FIELDS}
    errors: dict[str, str] = {}
    for k, value in values.items():
        if not value:
            errors[k] = str(_("This field is required."))
        elif not value.isprintable():
            errors[k] = str(_("The text contains control characters."))
    number = values["document_number"]
    if "document_number" not in errors:
        if len(number) > MAX_BAN_DOCUMENT_NUMBER:
            errors["document_number"] = str(
                _("At most %(n)d characters.") % {"n": MAX_BAN_DOCUMENT_NUMBER}
            )
        elif not document_key(number):  # "-", "< <": no passport's number
            errors["document_number"] = str(_("Enter the number as printed in the passport."))
    country = None
    if "issuing_state" not in errors:
        country = country_get_by_code(values["issuing_state"])
        if country is None:
            errors["issuing_state"] = str(_("Unknown country code."))
        elif not (country.active and country.is_state):
            # a status (stateless, refugee) or a state no longer offered issues no passport
            # the check can answer for: said beside the field, not as an answer
            errors["issuing_state"] = str(
                _("Choose the state that issued the passport from the list.")
            )
            country = None
    surname = values["surname"]
    if "surname" not in errors:
        if len(surname) > MAX_BAN_SURNAME:
            errors["surname"] = str(_("At most %(n)d characters.") % {"n": MAX_BAN_SURNAME})
        else:
            for e in name_errors(surname, field="surname"):
                errors["surname"] = str(e.message)
    birth = None
    if "birth_date" not in errors:
        try:
            birth = clock.date_parse(values["birth_date"])
        except ValueError:
            errors["birth_date"] = str(_("Enter a date as YYYY-MM-DD."))
        else:
            if birth > clock.today():
                errors["birth_date"] = str(_("The date of birth is in the future."))
            elif birth < OLDEST_BIRTH_DATE:
                errors["birth_date"] = str(_("The date of birth cannot be before 1900."))
    if errors or country is None or birth is None:
        return errors
    return EntryBanQuery(
        document_number=number, issuing_state=country.code, surname=surname, birth_date=birth
    )


ENTRY_STATES = ("active", "ended", "withdrawn")
ENTRY_SEARCH_FIELDS = ("name", "document_number", "list", "state")


@dataclass(frozen=True)
class EntrySearch:
    """The head office's search of the watchlist entries; "" for a criterion not given."""

    name: str = ""
    document_number: str = ""  # as `document_key` keeps it: A–Z and 0–9
    watchlist_code: str = ""
    state: str = ""  # one of ENTRY_STATES


def entry_search_parse(
    raw: Mapping[str, str], *, watchlist_codes: set[str]
) -> EntrySearch | dict[str, str]:
    """The search as typed, or the error of each field (as text): a filter no entry can
    have is refused rather than answered with an empty list."""
    values = {k: str(raw.get(k, "")).strip() for k in ENTRY_SEARCH_FIELDS}
    errors: dict[str, str] = {}
    for k, value in values.items():
        if value and not value.isprintable():
            errors[k] = str(_("The text contains control characters."))
    name = values["name"]
    if name and "name" not in errors:
        for e in name_errors(name, field="name"):
            errors["name"] = str(e.message)
    number = values["document_number"]
    if number and "document_number" not in errors:
        if len(number) > MAX_BAN_DOCUMENT_NUMBER:
            errors["document_number"] = str(
                _("At most %(n)d characters.") % {"n": MAX_BAN_DOCUMENT_NUMBER}
            )
        elif not document_key(number):
            errors["document_number"] = str(_("Enter the number as printed in the document."))
    code = values["list"]
    if code and "list" not in errors and code not in watchlist_codes:
        errors["list"] = str(_("No watchlist with this code."))
    state = values["state"]
    if state and "state" not in errors and state not in ENTRY_STATES:
        errors["state"] = str(_("Choose a state from the list."))
    if errors:
        return errors
    return EntrySearch(
        name=name, document_number=document_key(number), watchlist_code=code, state=state
    )
