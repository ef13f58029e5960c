"""Text that the database can hold.

PostgreSQL refuses a NUL character in text and JSON, and no database driver encodes a
lone surrogate (valid in JSON as an escape, not in UTF-8). A value holding either was
never stored, so a lookup by it finds nothing, and must not be sent to the database.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


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
