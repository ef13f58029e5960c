"""Name keys and name scores for identity resolution (intake matching and batch dedup).

A thin layer over the name normaliser (`umis.people.normalize`): it turns a person's
name parts into the keys used for blocking (one Latin key per token, order-free) and
scores two people's names (family and given names may be swapped, a patronymic may be
missing on one side).
"""

from __future__ import annotations

from dataclasses import dataclass

from umis.people.normalize import name_match_keys, name_similarity, normalize_name


@dataclass(frozen=True)
class NameParts:
    surname: str
    given_names: str
    patronymic: str = ""

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)


def token_keys(text: str) -> tuple[str, ...]:
    """The blocking key of every main token of `text`, sorted (order-free)."""
    return tuple(sorted(name_match_keys(text)))


def skeletons(text: str) -> tuple[str, ...]:
    """The phonetic skeleton of every main token of `text`, in the order written."""
    return normalize_name(text).skeletons


def names_compare(a: NameParts, b: NameParts) -> tuple[float, list[str]]:
    """Score 0..100 for two people's names and the reasons behind it."""
    result = name_similarity(a.full, b.full)
    return result.score, list(result.reasons)
