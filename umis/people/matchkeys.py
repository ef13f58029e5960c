"""Name keys and name scores for identity resolution (intake matching and batch dedup).

A thin layer over the name normaliser (`umis.people.normalize`): it turns a person's
name parts into the keys used for blocking (one Latin key per token, order-free) and
scores two people's names (family and given names may be swapped, a patronymic may be
missing on one side).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product

from rapidfuzz import fuzz, process

from umis.people.normalize import Token, name_similarity, normalize_name, token_block_keys

# Below this token-set ratio of the sorted skeletons two names are not worth the full
# comparison: the same name in another script or order scores far above it.
PREFILTER_CUTOFF = 50
# A name with letters that read two ways (Q: Г or К) is filed under each reading of the
# whole name, up to this many (three such name parts).
MAX_NAME_READINGS = 8


@dataclass(frozen=True)
class NameParts:
    surname: str
    given_names: str
    patronymic: str = ""

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)


def token_key_readings(text: str) -> tuple[tuple[str, ...], ...]:
    """The blocking keys of every main token of `text`, in the order written: each token's
    own key first, then those of its other readings (`token_block_keys`)."""
    return tuple(token_block_keys(t) for t in normalize_name(text).main)


def name_key_readings(tokens: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """The order-free name key (sorted token keys, space-joined) under each reading of the
    name, the one from the tokens' own keys first: Qurbanov Rafiq is filed as
    Гурбанов Рафиг, Курбанов Рафик and the two mixed ones, so either finds it."""
    combos = islice(product(*tokens), MAX_NAME_READINGS)
    return tuple(dict.fromkeys(" ".join(sorted(set(c))) for c in combos))


def skeletons(text: str) -> tuple[str, ...]:
    """The phonetic skeleton of every main token of `text`, in the order written."""
    return normalize_name(text).skeletons


def names_compare(a: NameParts, b: NameParts) -> tuple[float, list[str]]:
    """Score 0..100 for two people's names and the reasons behind it."""
    score, reasons = _names_compare(a.full, b.full)
    return score, list(reasons)


@lru_cache(maxsize=65536)
def _names_compare(a: str, b: str) -> tuple[float, tuple[str, ...]]:
    # common names meet again and again on intake: each pair is scored once per process
    result = name_similarity(a, b)
    return result.score, tuple(result.reasons)


def token_search_readings(token: Token) -> tuple[str, ...]:
    """Every skeleton a name part reads as, its own first: the other readings (Qurbanov:
    `hurbanov kurbanov`), those across scripts (Ульрих as Ulrich, موحد as Movahed) and its
    given name's canonical spelling (Генрих: Heinrich), as screening and intake read it."""
    canonical = normalize_name(token.canonical).skeletons if token.canonical else ()
    return tuple(dict.fromkeys((*token.readings, *token.cross, *canonical)))


@lru_cache(maxsize=65536)
def name_key(full: str) -> str:
    """Sorted phonetic skeletons of a full name and the other readings of its parts
    (`token_search_readings`): order- and script-free, for a quick look and for search."""
    n = normalize_name(full)
    return " ".join(sorted(r for t in n.main for r in token_search_readings(t)))


def names_worth_comparing(name: NameParts, others: list[str]) -> set[int]:
    """A cheap first look before `names_compare`, in one vectorised pass: the indexes of
    `others` (their `name_key`s, as stored on the person) whose names are not clearly
    different from `name`."""
    found = process.extract(
        name_key(name.full),
        others,
        scorer=fuzz.token_set_ratio,
        score_cutoff=PREFILTER_CUTOFF,
        limit=None,
    )
    return {index for _key, _score, index in found}
