"""Name keys and name scores for identity resolution (intake matching and batch dedup).

A thin layer over the name normaliser: it turns a person's name parts into the keys
used for blocking (one Latin skeleton per token, order-free) and scores two people's
names with the parts' roles taken into account (family and given names may be swapped,
a patronymic may be missing on one side).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from umis.people.names import search_key

_PATRONYMIC_WORDS = {"oglu", "ogly", "ogli", "qizi", "kyzy", "kizi", "gizi", "ibn", "bin", "bint"}


@lru_cache(maxsize=200_000)
def token_keys(text: str) -> tuple[str, ...]:
    """The match key of every name token in `text` (Latin skeletons, patronymic markers dropped)."""
    return tuple(
        _skeleton(t) for t in search_key(text).split() if t not in _PATRONYMIC_WORDS and len(t) > 1
    )


_RULES = [
    (re.compile(r"dzh|dj|zh|j"), "c"),
    (re.compile(r"kh|q"), "x"),
    (re.compile(r"sh|ch"), "s"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"y"), "i"),
    (re.compile(r"zadeh$"), "zade"),
    (re.compile(r"^g(?=[aeiou])"), "h"),
]


def _skeleton(token: str) -> str:
    for pattern, repl in _RULES:
        token = pattern.sub(repl, token)
    token = re.sub(r"(.)\1+", r"\1", token)
    return token[0] + re.sub(r"[aeiou]", "", token[1:]) if token else token


@dataclass(frozen=True)
class NameParts:
    surname: str
    given_names: str
    patronymic: str = ""


def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


def _best(a: str, b: str) -> float:
    """Similarity of two name fields, token order ignored (0..1)."""
    ta, tb = token_keys(a), token_keys(b)
    if not ta or not tb:
        return 0.0
    if sorted(ta) == sorted(tb):
        return 1.0
    return max(
        _similar(" ".join(sorted(ta)), " ".join(sorted(tb))), _similar(" ".join(ta), " ".join(tb))
    )


def names_compare(a: NameParts, b: NameParts) -> tuple[float, list[str]]:
    """Score 0..100 for two people's names and the reasons behind it."""
    straight = (_best(a.surname, b.surname) + _best(a.given_names, b.given_names)) / 2
    swapped = (_best(a.surname, b.given_names) + _best(a.given_names, b.surname)) / 2
    reasons: list[str] = []
    score = straight
    if swapped > straight:
        score = swapped
        reasons.append("names_swapped")
    if score == 1.0:
        reasons.append("names_same_keys")
    elif score >= 0.85:
        reasons.append("names_similar")
    if a.patronymic and b.patronymic:
        p = _best(a.patronymic, b.patronymic)
        if p < 0.8:
            score -= 0.1
            reasons.append("patronymic_differs")
        else:
            reasons.append("patronymic_agrees")
    return round(100 * max(score, 0.0), 1), reasons
