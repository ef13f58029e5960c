"""Text that the database can hold.

PostgreSQL refuses a NUL character in text and JSON, and no database driver encodes a
lone surrogate (valid in JSON as an escape, not in UTF-8). A value holding either was
never stored, so a lookup by it finds nothing, and must not be sent to the database.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

BIDI_CONTROLS = {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
}
ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
ZWNJ = "\u200c"
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): drawn as nothing, so
# "Hüs\u034feynov" looks like "Hüseynov" and would never be found by it. The joiner (ZWNJ)
# belongs inside Arabic-script words.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def default_ignorable(ch: str) -> bool:
    code = ord(ch)
    return any(first <= code <= last for first, last in DEFAULT_IGNORABLE)


@lru_cache(maxsize=8192)
def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "UNKNOWN"
    first = name.split(" ", 1)[0]
    if first == "MODIFIER":  # ʼ (an apostrophe), ʻ (Uzbek oʻ): of no alphabet of their own
        return None
    # Azerbaijani schwa (U+0259) is named "LATIN SMALL LETTER SCHWA": Latin, as it should be.
    return {"PERSIAN": "ARABIC"}.get(first, first)


def text_scripts(value: str) -> set[str]:
    """The alphabets (LATIN, CYRILLIC, ARABIC...) of the letters of `value`."""
    if value.isascii():  # the common case, without a look-up per letter
        return {"LATIN"} if any(c.isalpha() for c in value) else set()
    return {s for s in (_script(c) for c in value) if s}


def invisible_character(value: str, *, allowed: str = "") -> str | None:
    """The first character of `value` drawn as nothing, which can hide text or turn it round
    where it is shown: a text-direction control, a zero-width character (the joiner ZWNJ
    allowed in Arabic-script text), another format or control character, another
    default-ignorable code point. Characters in `allowed` (a note's line breaks) pass."""
    arabic: bool | None = None
    for c in value:
        if c in allowed or (" " <= c <= "~"):
            continue
        if c == ZWNJ:
            if arabic is None:
                arabic = "ARABIC" in text_scripts(value)
            if arabic:
                continue
            return c
        if unicodedata.category(c) in {"Cc", "Cf"} or default_ignorable(c):
            return c
    return None


def storable(value: str) -> bool:
    """Whether the database can hold this text (no NUL, no lone surrogate)."""
    return _UNSTORABLE.search(value) is None


def unstorable_path(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """Where in a decoded JSON value (or form data) the first text the database cannot hold
    sits, as a dotted path (`applicants.0.surname`); None when there is none."""
    if isinstance(value, str):
        return ".".join(path) or "body" if not storable(value) else None
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str) and not storable(key):
                return ".".join((*path, "?")) if path else "body"
            found = unstorable_path(child, (*path, str(key)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found = unstorable_path(child, (*path, str(index)))
            if found is not None:
                return found
    return None


_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]+")
DOCUMENT_NUMBER_MESSAGE = _("A document number has only the letters A–Z and the digits 0–9.")


def document_number_clean(raw: str) -> str | None:
    """A travel document's number as its machine-readable zone writes it: capitals, no
    spaces, full-width forms folded (NFKC) and any script's digits read as 0–9 (a Persian
    keyboard types ۱۲۳). None when anything but A–Z and 0–9 remains: a Cyrillic С in a
    number would otherwise never meet the same number on a watchlist or another record."""
    text = fold_forms(raw).upper().replace(" ", "")
    return text if _DOCUMENT_NUMBER.fullmatch(text) else None


def fold_forms(text: str) -> str:
    """Full-width and other compatibility forms folded (NFKC), and any script's decimal
    digits written 0–9."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


# The Azerbaijani alphabet's order (Ç after C, Ə after E, X after H, I before İ, Q after K,
# Ö after O, Ş after S, Ü after U); W, which it lacks, goes with V.
_AZ_RANKS = {c: 100 + i for i, c in enumerate("abcçdeəfgğhxıijkqlmnoöprsştuüvwyz")}


def collation_key(text: str, language: str) -> tuple[int, ...]:
    """A sort key that orders names as a reader of `language` expects them (az, ru or en):
    Python's own order puts Çin, İran and Əfqanıstan after Zambiya, and Ё after Я."""
    if language == "az":
        lower = text.replace("I", "ı").replace("İ", "i").lower()
        return tuple(_AZ_RANKS.get(c) or _AZ_RANKS.get(_base(c)) or 1000 + ord(c) for c in lower)
    lower = text.lower()
    if language == "ru":
        return tuple(2 * ord("е") + 1 if c == "ё" else 2 * ord(c) for c in lower)
    return tuple(ord(_base(c)) for c in lower)


def _base(c: str) -> str:
    """The letter without its accents (é → e); the letter itself when it has none."""
    return unicodedata.normalize("NFD", c)[0]


# What a spreadsheet reads as the start of a formula, a tab or a carriage return included
# (dropped before the rest is read): OWASP's list for CSV injection.
_FORMULA_STARTS = frozenset("=+-@\t\r")


def spreadsheet_text(value: str) -> str:
    """A text cell of an export as text, never a formula: one that starts like a formula
    gets an apostrophe first, which the spreadsheet shows as nothing."""
    return "'" + value if value[:1] in _FORMULA_STARTS else value
