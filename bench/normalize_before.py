"""The name normaliser's entry point as it was before the screening index warm-up work
(commit 12a29cb): every name part normalised again, a script look-up per letter. The
screening warm-up benchmark builds its baseline index with it, in the same run."""

# ruff: noqa

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from umis.people.names import BIDI_CONTROLS, ZERO_WIDTH, _script
from umis.people import normalize as _now
from umis.people.normalize import _PATRONYMIC_MARKERS, NormalizedName, Token, _is_patronymic_suffix

# The name-part helpers without any cache they may have gained since (as at 12a29cb).
_fix_confusables = getattr(_now._fix_confusables, "__wrapped__", _now._fix_confusables)
_token = getattr(_now._token, "__wrapped__", _now._token)


def name_scripts(value: str) -> set[str]:
    return {s for s in (_script(c) for c in value) if s}


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> NormalizedName:
    """The normalised form of a full name (any order of given, family and patronymic)."""
    flags: set[str] = set()
    if any(c in BIDI_CONTROLS for c in text):
        flags.add("bidi_control")
    arabic = "ARABIC" in name_scripts(text)
    if any(c in ZERO_WIDTH and not (c == "\u200c" and arabic) for c in text):
        flags.add("zero_width")
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = "".join(
        c
        for c in cleaned
        if c not in BIDI_CONTROLS
        and c not in ZERO_WIDTH
        and unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs"}
    )
    # Hyphenated and apostrophised parts are one token (Gusein-zade, O'Neil);
    # a separate -zade/-zadeh is glued to the preceding token.
    cleaned = re.sub(r"[\-‐‑’'`ʼ]+", "", cleaned)
    raw = [t for t in re.split(r"[\s,.;/()]+", cleaned) if t]
    fixed: list[str] = []
    for t in raw:
        t2, mixed, confusable = _fix_confusables(t)
        if mixed:
            flags.add("mixed_script")
        if confusable:
            flags.add("confusable")
        fixed.append(t2)
    tokens = [tok for tok in (_token(t) for t in fixed) if tok]
    merged: list[Token] = []
    for tok in tokens:
        if merged and tok.latin in {"zade", "zadeh", "zada"}:
            prev = merged.pop()
            joined = _token(prev.original + tok.original)
            merged.append(joined or prev)
        else:
            merged.append(tok)
    main: list[Token] = []
    patronymic: list[Token] = []
    for i, tok in enumerate(merged):
        if tok.latin in _PATRONYMIC_MARKERS and main:
            patronymic.extend([main.pop(), tok])
        elif _is_patronymic_suffix(tok.latin) and i > 0:
            patronymic.append(tok)
        else:
            main.append(tok)
    return NormalizedName(
        original=text,
        cleaned=" ".join(cleaned.split()),
        main=tuple(main),
        patronymic=tuple(patronymic),
        flags=frozenset(flags),
        scripts=frozenset(name_scripts(text)),
    )
