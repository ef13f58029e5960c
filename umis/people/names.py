"""Names as people write them: checks on input and the normalised form used for search.

Names are stored exactly as given (NFC). The search key folds case and diacritics with
Azerbaijani rules (İ, I, ı and i are one letter class) and transliterates other
scripts to Latin, so "Hüseynov", "HUSEYNOV" and "Гусейнов" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from django.utils.translation import gettext_lazy as _

from umis.core.errors import FieldError
from umis.core.text import (
    BIDI_CONTROLS,
    ZERO_WIDTH,
    ZWNJ,
    default_ignorable,
    text_scripts,
)

# The characters drawn as nothing (text-direction controls, zero-width and other
# default-ignorable code points) are told apart in `umis.core.text`, with which free text (a
# note, the reasons of a decision) is checked too.

MAX_NAME_LENGTH = 100
# What a name holds besides letters of any script (with their combining marks): spaces,
# hyphens, apostrophes (' ’ ʼ; ʼ is a letter already) and full stops ("St. John"). Digits,
# brackets and other symbols are no part of a name as a passport prints it.
NAME_PUNCTUATION = " -'’."
_WITHOUT_PUNCTUATION = str.maketrans("", "", NAME_PUNCTUATION)

# Letters that fold to one class for matching: dotted/dotless i and the schwa.
_FOLD = str.maketrans({"ı": "i", "İ": "i", "I": "i", "ə": "a", "Ə": "a", "ә": "a", "Ә": "a"})


def _invisible(ch: str) -> bool:
    """Drawn as nothing, and not refused by another check (format characters, the joiner)."""
    return unicodedata.category(ch) != "Cf" and default_ignorable(ch)


def name_scripts(value: str) -> set[str]:
    return text_scripts(value)


def name_is_arabic(value: str) -> bool:
    """Whether a name, or a part of one, is written in Arabic script (Arabic, Persian, Urdu...):
    it has a letter of that script. The database asks the same of a stored name with
    `arabic_letter_class`."""
    return "ARABIC" in name_scripts(value)


# Every letter of the Arabic script is in Unicode's first two planes.
_LAST_CODE_POINT_SEARCHED = 0x1FFFF


@lru_cache(maxsize=1)
def arabic_letter_class() -> str:
    """A regular expression's class of exactly the letters `name_is_arabic` counts, for a
    database to look for one in a stored name (worked out once a process)."""
    ranges: list[list[int]] = []
    for code in range(0x80, _LAST_CODE_POINT_SEARCHED + 1):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF or not c.isalpha() or not name_is_arabic(c):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


def name_check(value: str, *, field: str) -> list[FieldError]:
    """Errors for a name as typed: control, bidi, zero-width and other invisible characters,
    digits and symbols (`name_character`), mixed scripts."""
    errors: list[FieldError] = []
    if len(value) > MAX_NAME_LENGTH:
        return [
            FieldError("too_long", _("At most %(n)d characters.") % {"n": MAX_NAME_LENGTH}, field)
        ]
    if any(c in BIDI_CONTROLS for c in value):
        errors.append(
            FieldError(
                "bidi_control", _("The name contains invisible text-direction characters."), field
            )
        )
    arabic = name_is_arabic(value)
    if any(c in ZERO_WIDTH and not (c == ZWNJ and arabic) for c in value):
        errors.append(
            FieldError("zero_width", _("The name contains invisible zero-width characters."), field)
        )
    if any(
        unicodedata.category(c) in {"Cc", "Cf", "Co", "Cs"} and c not in BIDI_CONTROLS | ZERO_WIDTH
        for c in value
    ):
        errors.append(
            FieldError("control_character", _("The name contains control characters."), field)
        )
    if not errors and not value.isascii():
        invisible = next((c for c in value if _invisible(c)), None)
        if invisible is not None:
            errors.append(
                FieldError(
                    "invisible_character",
                    _("The name contains invisible characters (%(char)s).")
                    % {"char": f"U+{ord(invisible):04X}"},
                    field,
                )
            )
    if not errors:
        stray = _stray_character(value, arabic=arabic)
        if stray is not None:
            errors.append(
                FieldError(
                    "name_character",
                    _(
                        "“%(char)s” cannot be part of a name: use letters, spaces, hyphens, "
                        "apostrophes and full stops only."
                    )
                    % {"char": stray if stray.isprintable() else f"U+{ord(stray):04X}"},
                    field,
                )
            )
    for token in re.split(r"[\s\-']+", value):
        if len(name_scripts(token)) > 1:
            errors.append(
                FieldError(
                    "mixed_script",
                    _(
                        "“%(token)s” mixes letters of different alphabets (e.g. a Cyrillic letter in a Latin name)."
                    )
                    % {"token": token},
                    field,
                )
            )
            break
    if not errors and not any(c.isalpha() for c in value):
        errors.append(FieldError("invalid", _("A name must contain letters."), field))
    return errors


def _stray_character(value: str, *, arabic: bool) -> str | None:
    """The first character that is neither a letter, a combining mark following a letter,
    nor a name's punctuation (the joiner an Arabic-script name may hold is allowed)."""
    if value.translate(_WITHOUT_PUNCTUATION).isalpha():  # nearly every name, in one pass
        return None
    previous = ""
    for c in value:
        if c.isalpha() or c in NAME_PUNCTUATION:
            pass
        elif (category := unicodedata.category(c)) == "Zs":
            pass  # a no-break or other space: stored as a plain one (`name_clean`)
        elif category.startswith("M"):  # a combining accent, vowel sign...: after a letter
            if not previous or not (
                previous.isalpha() or unicodedata.category(previous).startswith("M")
            ):
                return c
        elif not (c == ZWNJ and arabic):
            return c
        previous = c
    return None


@lru_cache(maxsize=65536)
def name_is_clean(value: str) -> bool:
    """Whether `name_check` finds nothing wrong (common names are checked once a process)."""
    return not name_check(value, field="")


def name_clean(value: str) -> str:
    """The stored form: NFC, trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


@lru_cache(maxsize=65536)
def search_key(value: str) -> str:
    """Lower-case Latin letters and single spaces, for case-, diacritic- and script-blind search."""
    text = unicodedata.normalize("NFKC", value).translate(_FOLD)
    if not text.isascii():
        text = "".join(anyascii(c) if ord(c) > 0x7F else c for c in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().translate(_FOLD)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())
