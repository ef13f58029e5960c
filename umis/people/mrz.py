"""Machine-readable zones (ICAO Doc 9303): reading with every check digit, and composing.

Formats: TD1 (3 × 30, ID cards), TD2 (2 × 36), TD3 (2 × 44, passports), MRV-A (2 × 44)
and MRV-B (2 × 36) visas. Check digits: weights 7-3-1 modulo 10; '<' is 0, A=10 … Z=35.
A wrong check digit is not an exception: it is reported in `checks`, so a form can say
which digit failed. Written for UMIS (Apache-2.0); no code from GPL parsers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from anyascii import anyascii
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from umis.core import clock

MRZ_CHARS = re.compile(r"^[A-Z0-9<]*$")
WEIGHTS = (7, 3, 1)


class MrzError(ValueError):
    def __init__(self, code: str, message: str | Promise, field: str = "mrz") -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


def _value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise MrzError(
        "mrz_characters", _("The machine-readable zone may contain only A–Z, 0–9 and <.")
    )


def check_digit(value: str) -> int:
    return sum(_value(c) * WEIGHTS[i % 3] for i, c in enumerate(value)) % 10


@dataclass(frozen=True)
class CheckResult:
    name: str
    value: str
    expected: str
    found: str
    valid: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "expected": self.expected,
            "found": self.found,
            "valid": self.valid,
        }


@dataclass(frozen=True)
class MrzDocument:
    format: str
    document_code: str
    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: dt.date | None
    sex: str
    expiry_date: dt.date | None
    optional_data: str
    checks: tuple[CheckResult, ...]
    lines: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return (
            all(c.valid for c in self.checks)
            and self.birth_date is not None
            and self.expiry_date is not None
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "document_code": self.document_code,
            "document_type": self.document_type,
            "issuing_state": self.issuing_state,
            "surname": self.surname,
            "given_names": self.given_names,
            "document_number": self.document_number,
            "nationality": self.nationality,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "optional_data": self.optional_data,
            "checks": [c.to_dict() for c in self.checks],
            "valid": self.valid,
            "lines": list(self.lines),
        }


# a zone's lines run together, as a scanner that sends no line break gives them: its width
ZONE_WIDTHS = {88: 44, 72: 36, 90: 30}


# the longest line of a zone read (a TD3 line has 44 characters), and the longest zone sent
# as one text, its lines apart or run together as a scanner sends them
MRZ_LINE_MAX = 60
MRZ_TEXT_MAX = 200


def split_mrz_text(text: str) -> list[str]:
    lines = ["".join(line.split()) for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if len(lines) == 1 and (width := ZONE_WIDTHS.get(len(lines[0]))):
        return [lines[0][i : i + width] for i in range(0, len(lines[0]), width)]
    return lines


def _check(name: str, value: str, found: str, *, allow_filler: bool = False) -> CheckResult:
    if allow_filler and found == "<" and set(value) <= {"<"}:
        return CheckResult(name, value, "<", found, True)
    expected = str(check_digit(value))
    return CheckResult(name, value, expected, found, found == expected)


def _date(text: str, *, birth: bool) -> dt.date | None:
    if not text.isdigit() or len(text) != 6:
        return None
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    today = clock.today()
    if birth:  # no one is born in the future
        century = 1900 if 2000 + yy > today.year else 2000
    else:  # an expiry more than 50 years ahead is one long past (the 1996 of a specimen)
        century = 1900 if 2000 + yy > today.year + 50 else 2000
    try:
        return dt.date(century + yy, mm, dd)
    except ValueError:
        return None


def _clean(text: str) -> str:
    return " ".join(text.replace("<", " ").split())


def _names(field: str) -> tuple[str, str]:
    surname, _sep, given = field.partition("<<")
    return _clean(surname), _clean(given)


# The nationality codes of holders whose P document is no national passport but the travel
# document a state issues under the 1954 Convention (XXA, stateless) or the 1951 Convention
# (XXB, refugee), or to a refugee otherwise (XXC). XXX (unspecified) says nothing of it.
CONVENTION_NATIONALITIES = frozenset({"XXA", "XXB", "XXC"})


def _doc_type(code: str, nationality: str = "") -> str:
    first = code[:1]
    if first == "P":
        return "travel_document" if nationality in CONVENTION_NATIONALITIES else "passport"
    if first == "V":
        return "visa"
    if first in {"I", "A", "C"}:
        return "id_card"
    return "other"


def _sex(ch: str) -> str:
    return ch if ch in {"M", "F"} else "X"


def parse_mrz(lines: Sequence[str]) -> MrzDocument:
    cleaned = [line.strip().upper() for line in lines if line and line.strip()]
    if len(cleaned) not in (2, 3):
        raise MrzError("mrz_line_count", _("A machine-readable zone has 2 or 3 lines."))
    for line in cleaned:
        if not MRZ_CHARS.match(line):
            raise MrzError(
                "mrz_characters", _("The machine-readable zone may contain only A–Z, 0–9 and <.")
            )
    lengths = {len(line) for line in cleaned}
    if len(lengths) != 1:
        raise MrzError(
            "mrz_line_length",
            _("All lines of a machine-readable zone have the same length (30, 36 or 44)."),
        )
    length = lengths.pop()
    if len(cleaned) == 3:
        if length != 30:
            raise MrzError("mrz_line_length", _("An ID card (TD1) has 3 lines of 30 characters."))
        return _parse_td1(cleaned)
    if length not in (36, 44):
        raise MrzError(
            "mrz_line_length",
            _("A passport has 2 lines of 44 characters; an ID card (TD2) or visa 2 lines of 36."),
        )
    if cleaned[0][0] == "V":
        return _parse_visa(cleaned, "MRVA" if length == 44 else "MRVB")
    return _parse_two_line(cleaned, "TD3" if length == 44 else "TD2")


def _document_number(number: str, digit: str, optional: str) -> tuple[str, CheckResult, str]:
    """ICAO long document numbers: digit '<' and the rest of the number in the optional data."""
    if digit == "<" and optional:
        rest, _sep, tail = optional.partition("<")
        if rest and rest[-1].isdigit():
            full = number + rest[:-1]
            return full.replace("<", ""), _check("document_number", full, rest[-1]), tail
    return number.replace("<", ""), _check("document_number", number, digit), optional


def _parse_td1(lines: list[str]) -> MrzDocument:
    l1, l2, l3 = lines
    code = l1[0:2].replace("<", "")
    number, number_check, optional1 = _document_number(l1[5:14], l1[14], l1[15:30])
    surname, given = _names(l3)
    checks = [
        number_check,
        _check("birth_date", l2[0:6], l2[6]),
        _check("expiry_date", l2[8:14], l2[14]),
        _check("composite", l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]),
    ]
    return MrzDocument(
        format="TD1",
        document_code=code,
        document_type=_doc_type(code, l2[15:18].replace("<", "")),
        issuing_state=l1[2:5].replace("<", ""),
        surname=surname,
        given_names=given,
        document_number=number,
        nationality=l2[15:18].replace("<", ""),
        birth_date=_date(l2[0:6], birth=True),
        sex=_sex(l2[7]),
        expiry_date=_date(l2[8:14], birth=False),
        optional_data=_clean(optional1 + "<" + l2[18:29]),
        checks=tuple(checks),
        lines=tuple(lines),
    )


def _parse_two_line(lines: list[str], fmt: str) -> MrzDocument:
    l1, l2 = lines
    code = l1[0:2].replace("<", "")
    surname, given = _names(l1[5:])
    if fmt == "TD3":
        optional = l2[28:42]
        number, number_check, _rest = (
            l2[0:9].replace("<", ""),
            _check("document_number", l2[0:9], l2[9]),
            "",
        )
        checks = [
            number_check,
            _check("birth_date", l2[13:19], l2[19]),
            _check("expiry_date", l2[21:27], l2[27]),
            _check("optional_data", optional, l2[42], allow_filler=True),
            _check("composite", l2[0:10] + l2[13:20] + l2[21:43], l2[43]),
        ]
    else:
        number, number_check, optional = _document_number(l2[0:9], l2[9], l2[28:35])
        checks = [
            number_check,
            _check("birth_date", l2[13:19], l2[19]),
            _check("expiry_date", l2[21:27], l2[27]),
            _check("composite", l2[0:10] + l2[13:20] + l2[21:35], l2[35]),
        ]
    return MrzDocument(
        format=fmt,
        document_code=code,
        document_type=_doc_type(code, l2[10:13].replace("<", "")),
        issuing_state=l1[2:5].replace("<", ""),
        surname=surname,
        given_names=given,
        document_number=number,
        nationality=l2[10:13].replace("<", ""),
        birth_date=_date(l2[13:19], birth=True),
        sex=_sex(l2[20]),
        expiry_date=_date(l2[21:27], birth=False),
        optional_data=_clean(optional),
        checks=tuple(checks),
        lines=tuple(lines),
    )


def _parse_visa(lines: list[str], fmt: str) -> MrzDocument:
    l1, l2 = lines
    code = l1[0:2].replace("<", "")
    surname, given = _names(l1[5:])
    checks = [
        _check("document_number", l2[0:9], l2[9]),
        _check("birth_date", l2[13:19], l2[19]),
        _check("expiry_date", l2[21:27], l2[27]),
    ]
    return MrzDocument(
        format=fmt,
        document_code=code,
        document_type="visa",
        issuing_state=l1[2:5].replace("<", ""),
        surname=surname,
        given_names=given,
        document_number=l2[0:9].replace("<", ""),
        nationality=l2[10:13].replace("<", ""),
        birth_date=_date(l2[13:19], birth=True),
        sex=_sex(l2[20]),
        expiry_date=_date(l2[21:27], birth=False),
        optional_data=_clean(l2[28:]),
        checks=tuple(checks),
        lines=tuple(lines),
    )


# ICAO Doc 9303 Part 3 transliteration (Latin with diacritics, Cyrillic incl. Azerbaijani Cyrillic).
_LATIN = {
    "Ə": "A",
    "Ü": "UE",
    "Ö": "OE",
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ø": "OE",
    "ß": "SS",
    "Þ": "TH",
    "Ð": "D",
    "Œ": "OE",
    "Ĳ": "IJ",
    "Ł": "L",
    "Ħ": "H",
    "Ŧ": "T",
    "Ŋ": "N",
    "Ş": "S",
    "Ç": "C",
    "Ğ": "G",
    "İ": "I",
    "I": "I",
}
_CYRILLIC = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Е": "E",
    "Ё": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Й": "I",
    "К": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ф": "F",
    "Х": "KH",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "IE",
    "Ы": "Y",
    "Ь": "",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
    "Ә": "A",
    "Ғ": "G",
    "Ҝ": "G",
    "Һ": "H",
    "Ј": "J",
    "Ө": "O",
    "Ү": "U",
    "Ҹ": "C",
    "Ҷ": "DZ",
    "Қ": "Q",
    "Ң": "N",
    "Ұ": "U",
    "І": "I",
    "Ї": "I",
    "Є": "IE",
    "Ґ": "G",
    "Ў": "U",
}
_SEPARATORS = set(" -'’,.")


MRZ_NAME_MAX = 39


@lru_cache(maxsize=65536)
def mrz_name(text: str) -> str:
    """A visual-zone name as MRZ characters (A–Z and '<'), per ICAO Doc 9303 Part 3."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        upper = "I" if ch in "ıi" else ch.upper()
        if upper in _SEPARATORS:
            out.append("<")
        elif "A" <= upper <= "Z":
            out.append(upper)
        elif upper in _LATIN:
            out.append(_LATIN[upper])
        elif upper in _CYRILLIC:
            out.append(_CYRILLIC[upper])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFD", upper) if not unicodedata.combining(c)
            )
            if base and all("A" <= c <= "Z" for c in base):
                out.append(base)
            else:
                out.append(
                    "".join(c for c in anyascii(ch).upper() if "A" <= c <= "Z" or c == " ").replace(
                        " ", "<"
                    )
                )
    result = re.sub("<+", "<", "".join(out)).strip("<")
    # the widest name field of a zone (TD3) holds 39 characters; Щ alone becomes SHCH
    return result[:MRZ_NAME_MAX].rstrip("<")


def mrz_name_readable(text: str) -> str:
    """A name in MRZ characters as people read it and as a read zone gives it back: the
    filler between words a space (`MEHMET ALI`, never `MEHMET<ALI`)."""
    return mrz_name(text).replace("<", " ")


def _name_field(surname: str, given_names: str, width: int) -> str:
    field = mrz_name(surname) + "<<" + mrz_name(given_names).replace(" ", "<")
    return field[:width].ljust(width, "<")


def _field(value: str, width: int) -> str:
    """A number or code: A–Z and digits kept, everything else dropped, padded with '<'."""
    kept = "".join(c for c in value.upper() if "A" <= c <= "Z" or c.isdigit())
    return kept[:width].ljust(width, "<")


def _yymmdd(value: dt.date) -> str:
    return value.strftime("%y%m%d")


def _code(value: str, width: int = 2) -> str:
    return value.upper()[:width].ljust(width, "<")


def compose_td3(
    *,
    document_code: str = "P",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    personal_number: str = "",
) -> tuple[str, str]:
    line1 = _code(document_code) + _code(issuing_state, 3) + _name_field(surname, given_names, 39)
    number = _field(document_number, 9)
    optional = _field(personal_number, 14)
    optional_check = "<" if set(optional) == {"<"} else str(check_digit(optional))
    birth, expiry = _yymmdd(birth_date), _yymmdd(expiry_date)
    body = (
        number
        + str(check_digit(number))
        + _code(nationality, 3)
        + birth
        + str(check_digit(birth))
        + (sex or "<")[0]
        + expiry
        + str(check_digit(expiry))
        + optional
        + optional_check
    )
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1, body + str(check_digit(composite))


def compose_td2(
    *,
    document_code: str = "I",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    optional_data: str = "",
) -> tuple[str, str]:
    line1 = _code(document_code) + _code(issuing_state, 3) + _name_field(surname, given_names, 31)
    number = _field(document_number, 9)
    birth, expiry = _yymmdd(birth_date), _yymmdd(expiry_date)
    body = (
        number
        + str(check_digit(number))
        + _code(nationality, 3)
        + birth
        + str(check_digit(birth))
        + (sex or "<")[0]
        + expiry
        + str(check_digit(expiry))
        + _field(optional_data, 7)
    )
    composite = body[0:10] + body[13:20] + body[21:35]
    return line1, body + str(check_digit(composite))


def compose_td1(
    *,
    document_code: str = "I",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    optional_data: str = "",
) -> tuple[str, str, str]:
    number = _field(document_number, 9)
    line1 = (
        _code(document_code)
        + _code(issuing_state, 3)
        + number
        + str(check_digit(number))
        + _field(optional_data, 15)
    )
    birth, expiry = _yymmdd(birth_date), _yymmdd(expiry_date)
    line2 = (
        birth
        + str(check_digit(birth))
        + (sex or "<")[0]
        + expiry
        + str(check_digit(expiry))
        + _code(nationality, 3)
        + "<" * 11
    )
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += str(check_digit(composite))
    return line1, line2, _name_field(surname, given_names, 30)


def _compose_visa(
    width: int,
    *,
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    optional_data: str,
) -> tuple[str, str]:
    line1 = "V<" + _code(issuing_state, 3) + _name_field(surname, given_names, width - 5)
    number = _field(document_number, 9)
    birth, expiry = _yymmdd(birth_date), _yymmdd(expiry_date)
    line2 = (
        number
        + str(check_digit(number))
        + _code(nationality, 3)
        + birth
        + str(check_digit(birth))
        + (sex or "<")[0]
        + expiry
        + str(check_digit(expiry))
        + _field(optional_data, width - 28)
    )
    return line1, line2


def compose_mrv_a(**fields: Any) -> tuple[str, str]:
    fields.setdefault("optional_data", "")
    return _compose_visa(44, **fields)


def compose_mrv_b(**fields: Any) -> tuple[str, str]:
    fields.setdefault("optional_data", "")
    return _compose_visa(36, **fields)
