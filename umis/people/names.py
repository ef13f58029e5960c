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


# The letters `name_is_arabic` counts, as ranges of code points (first, last), for a database
# to look for one in a stored name. Worked out from `unicodedata` (Unicode 14.0, Python 3.11)
# over the first two planes, which hold every letter of the script, and kept here rather than
# scanned at the first search (0.2 s or more); a test checks that they are still what
# `unicodedata` gives.
ARABIC_LETTER_RANGES: tuple[tuple[int, int], ...] = (
    (0x0620, 0x064A), (0x066E, 0x066F), (0x0671, 0x06D3), (0x06D5, 0x06D5), (0x06E5, 0x06E6),
    (0x06EE, 0x06EF), (0x06FA, 0x06FC), (0x06FF, 0x06FF), (0x0750, 0x077F), (0x0870, 0x0887),
    (0x0889, 0x088E), (0x08A0, 0x08C9), (0xFB50, 0xFBB1), (0xFBD3, 0xFD3D), (0xFD50, 0xFD8F),
    (0xFD92, 0xFDC7), (0xFDF0, 0xFDFB), (0xFE70, 0xFE74), (0xFE76, 0xFEFC), (0x1EE00, 0x1EE03),
    (0x1EE05, 0x1EE1F), (0x1EE21, 0x1EE22), (0x1EE24, 0x1EE24), (0x1EE27, 0x1EE27),
    (0x1EE29, 0x1EE32), (0x1EE34, 0x1EE37), (0x1EE39, 0x1EE39), (0x1EE3B, 0x1EE3B),
    (0x1EE42, 0x1EE42), (0x1EE47, 0x1EE47), (0x1EE49, 0x1EE49), (0x1EE4B, 0x1EE4B),
    (0x1EE4D, 0x1EE4F), (0x1EE51, 0x1EE52), (0x1EE54, 0x1EE54), (0x1EE57, 0x1EE57),
    (0x1EE59, 0x1EE59), (0x1EE5B, 0x1EE5B), (0x1EE5D, 0x1EE5D), (0x1EE5F, 0x1EE5F),
    (0x1EE61, 0x1EE62), (0x1EE64, 0x1EE64), (0x1EE67, 0x1EE6A), (0x1EE6C, 0x1EE72),
    (0x1EE74, 0x1EE77), (0x1EE79, 0x1EE7C), (0x1EE7E, 0x1EE7E), (0x1EE80, 0x1EE89),
    (0x1EE8B, 0x1EE9B), (0x1EEA1, 0x1EEA3), (0x1EEA5, 0x1EEA9), (0x1EEAB, 0x1EEBB),
)  # fmt: skip
ARABIC_LETTER_CLASS = (
    "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ARABIC_LETTER_RANGES) + "]"
)


def arabic_letter_class() -> str:
    """A regular expression's class of exactly the letters `name_is_arabic` counts, for a
    database to look for one in a stored name (`ARABIC_LETTER_RANGES`)."""
    return ARABIC_LETTER_CLASS


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
