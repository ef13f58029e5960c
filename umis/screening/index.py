"""The in-memory candidate index: screening a person against a large watchlist in milliseconds.

Pure Python (no Django), so the benchmark and the web process use the same code.

Blocking: every name of an entry gives one key per main token (the token's consonant
key from the normaliser, so scripts and spellings meet), and the entry is filed under
every *pair* of its token keys (a one-token name under its single key). A token that
reads two ways (the Q of Qurbanov: Гурбанов or Курбанов) has a key for each reading, and
pairs are made of one reading of each of two tokens. A query looks
up the pairs of its own token keys, each widened to the watchlist token keys within one
edit (a symmetric-deletion index over the distinct token keys), so a typo, a swapped
order, a missing or extra name part or a patronymic still find the entry, while a common
surname alone does not drag in every bearer of it. A query of one name part (a surname, as
the public entry-ban check has) with a full date of birth also meets the entries born on that
day (or with the day and month swapped), whatever their other name parts: the scorer rates a
surname alone against a longer name high enough to hit, and the date keeps the few
candidates to namesakes born the same day. Likewise, with a full date of birth, a query name
of one part meets the entries with only the year of birth that have that part, and a query
name of several parts the entries of one name part born that year (a ban of a surname and a
year): the year (and the name part) keep these few.

A compound given name written in two words (Ali Reza, Abd Allah) is also blocked as the one
word (Alireza, Abdallah), on the entry's side and on the query's, so either spelling meets
the other.

Scoring: candidates are ranked on the date of birth and a fast rapidfuzz pre-score of the
order-independent skeleton key; the best ones get the full `name_similarity` with reasons.
Exact travel-document numbers are an independent, exact path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz import fuzz, process

from umis.core.text import fold_forms
from umis.people.normalize import (
    NormalizedName,
    name_compound_forms,
    name_consonant_keys,
    name_similarity,
    normalize_name,
    token_block_keys,
)

MAX_FULL_SCORING = 20  # candidates that get the full, explained name score
PRUNE = 35.0  # candidates this far below the threshold on the quick score are not scored
# Name particles (Arabic ibn/bint/banu/al-, abu) carry no identity: left out of the blocks
# of long names, so "Lhjr bn Lhnw bn Lzd Bysn" is not filed under 15 token pairs.
PARTICLES = frozenset(
    {"bn", "ibn", "bin", "bint", "bnt", "bnw", "banu", "bani", "al", "el", "abu", "bw"}
)


def document_key(number: str) -> str:
    """The number's letters A–Z and digits, any script's digits read as 0–9."""
    return re.sub(r"[^0-9A-Z]", "", fold_forms(number).upper())


@dataclass(frozen=True)
class Record:
    """What the index keeps of one watchlist entry."""

    id: int
    names: tuple[str, ...]
    birth_date: dt.date | None = None
    birth_year: int | None = None
    nationality: str = ""
    document_number: str = ""
    issuing_state: str = ""
    kind: str = "person"  # person | document


@dataclass(frozen=True)
class Query:
    names: tuple[str, ...]
    birth_date: dt.date | None = None
    birth_year: int | None = None
    nationality: str = ""
    document_number: str = ""
    issuing_state: str = ""


@dataclass
class Candidate:
    entry_id: int
    score: float
    name_score: float
    reasons: list[str] = field(default_factory=list)
    matched_name: str = ""


def _year(d: dt.date | None, y: int | None) -> int | None:
    return d.year if d else y


def birth_agreement(query: Query, record: Record) -> tuple[float, str]:
    """Points added to the name score for the date of birth, and the reason."""
    qy, ry = _year(query.birth_date, query.birth_year), _year(record.birth_date, record.birth_year)
    if qy is None or ry is None:
        return 0.0, "birth_date:unknown"
    if query.birth_date and record.birth_date:
        q, r = query.birth_date, record.birth_date
        if q == r:
            return 8.0, "birth_date:same"
        if q.year == r.year and (q.month, q.day) == (r.day, r.month):
            return 0.0, "birth_date:day_month_swapped"
        if q.year == r.year:
            return -5.0, "birth_date:same_year"
        if (q.month, q.day) == (r.month, r.day) and abs(q.year - r.year) <= 1:
            return -5.0, "birth_date:year_off_by_one"
    elif qy == ry:
        return 2.0, "birth_date:same_year"
    if abs(qy - ry) <= 1:
        return -10.0, "birth_date:year_off_by_one"
    return -25.0, "birth_date:differs"


def nationality_agreement(query: Query, record: Record) -> tuple[float, str]:
    if not query.nationality or not record.nationality:
        return 0.0, "nationality:unknown"
    if query.nationality == record.nationality:
        return 1.0, "nationality:same"
    return -3.0, "nationality:differs"


def _with_compounds(names: Sequence[NormalizedName]) -> list[NormalizedName]:
    """The names, each followed by its forms with a compound given name joined."""
    return [form for n in names for form in (n, *name_compound_forms(n))]


def _consonant_keys(names: Sequence[NormalizedName]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for n in names for k in name_consonant_keys(n)))


def _pair(a: str, b: str) -> str:
    """The block of two token keys, in either order."""
    return f"{a}|{b}" if a < b else f"{b}|{a}"


class _Deletions:
    """Symmetric-deletion index over the distinct token keys: the keys within one edit."""

    def __init__(self) -> None:
        self.by_deletion: dict[str, set[str]] = {}
        self.keys: set[str] = set()

    @staticmethod
    def _deletions(key: str) -> set[str]:
        return {key[:i] + key[i + 1 :] for i in range(len(key))}

    @staticmethod
    def _fixed(key: str) -> bool:
        return key.startswith(("_", "v:"))

    def add(self, key: str) -> None:
        if key in self.keys:
            return
        self.keys.add(key)
        if self._fixed(key):
            return
        self.by_deletion.setdefault(key, set()).add(key)
        if len(key) >= 3:
            for v in self._deletions(key):
                self.by_deletion.setdefault(v, set()).add(key)

    def near(self, key: str) -> set[str]:
        if self._fixed(key):
            return {key}
        out = {key} | self.by_deletion.get(key, set())
        if len(key) >= 2:
            for v in self._deletions(key):
                out |= self.by_deletion.get(v, set())
        return out


class CandidateIndex:
    def __init__(self) -> None:
        self.records: dict[int, Record] = {}
        self._normalized: dict[int, tuple[NormalizedName, ...]] = {}
        # order-independent skeleton key of each of the entry's names (the name, its aliases)
        self._keys: dict[int, tuple[str, ...]] = {}
        # consonant keys of the entries with a name in Arabic script (`name_consonant_keys`)
        self._abjad_keys: dict[int, tuple[str, ...]] = {}
        self._consonant_cache: dict[int, tuple[str, ...]] = {}
        # token-pair key → year of birth (0: unknown) → entry ids
        self._blocks: dict[str, dict[int, list[int]]] = {}
        self._documents: dict[str, list[int]] = {}
        # full date of birth → entry ids, for the queries of one name part
        self._born: dict[dt.date, list[int]] = {}
        # the keys of one-part names' blocks (a surname alone)
        self._one_part: set[str] = set()
        # (year of birth, token key) → entry ids, of the entries with only a year of birth
        self._born_year: dict[tuple[int, str], list[int]] = {}
        self._deletions = _Deletions()

    def __len__(self) -> int:
        return len(self.records)

    @staticmethod
    def _token_keys(n: NormalizedName) -> list[tuple[str, ...]]:
        """The keys of each distinct token (by its own key, in that order): its own key
        first, then those of its other readings."""
        tokens = n.main
        if len(tokens) > 3:
            tokens = tuple(t for t in tokens if t.latin not in PARTICLES) or tokens
        readings: dict[str, tuple[str, ...]] = {}
        for t in tokens:
            keys = token_block_keys(t)
            readings.setdefault(keys[0], keys)
        return [readings[k] for k in sorted(readings)]

    def _block_keys(self, n: NormalizedName) -> list[str]:
        tokens = self._token_keys(n)
        if len(tokens) == 1:
            return list(tokens[0])
        if all(len(keys) == 1 for keys in tokens):  # most names: one reading, sorted keys
            return [f"{a}|{b}" for (a,), (b,) in combinations(tokens, 2)]
        return list(
            dict.fromkeys(
                _pair(a, b) for ta, tb in combinations(tokens, 2) for a in ta for b in tb if a != b
            )
        )

    def add(self, record: Record) -> None:
        """Add or replace an entry (a replaced entry's old blocks are skipped at search time)."""
        self.records[record.id] = record
        if record.document_number:
            self._documents.setdefault(document_key(record.document_number), []).append(record.id)
        if record.kind != "person":
            self._normalized[record.id] = ()
            return
        names = tuple(n for n in (normalize_name(x) for x in record.names) if not n.is_empty)
        self._normalized[record.id] = names
        self._keys[record.id] = tuple(dict.fromkeys(k for n in names for k in n.keys))
        self._consonant_cache.pop(record.id, None)
        abjad = [n for n in names if any(t.abjad for t in n.main)]
        if abjad:
            self._abjad_keys[record.id] = _consonant_keys(abjad)
        else:
            self._abjad_keys.pop(record.id, None)
        if record.birth_date is not None and names:
            self._born.setdefault(record.birth_date, []).append(record.id)
        elif record.birth_year is not None:
            keys = {k for n in names for t in n.main for k in token_block_keys(t)}
            for k in keys:
                self._born_year.setdefault((record.birth_year, k), []).append(record.id)
        for n in _with_compounds(names):
            for t in n.main:
                for k in token_block_keys(t):
                    self._deletions.add(k)
            if len(self._token_keys(n)) == 1:
                self._one_part.update(self._token_keys(n)[0])
            for k in self._block_keys(n):
                year = _year(record.birth_date, record.birth_year) or 0
                self._blocks.setdefault(k, {}).setdefault(year, []).append(record.id)

    def add_many(self, records: Iterable[Record]) -> None:
        for r in records:
            self.add(r)

    def remove(self, entry_id: int) -> None:
        self.records.pop(entry_id, None)
        self._normalized.pop(entry_id, None)
        self._keys.pop(entry_id, None)
        self._abjad_keys.pop(entry_id, None)
        self._consonant_cache.pop(entry_id, None)

    def _born_on(self, day: dt.date) -> set[int]:
        """Entries born on the day or with its day and month swapped (a replaced entry's old
        date is skipped here: its record says when it was born now)."""
        days = {day}
        if day.day <= 12 and day.day != day.month:
            days.add(day.replace(month=day.day, day=day.month))
        return {
            i
            for d in days
            for i in self._born.get(d, ())
            if (rec := self.records.get(i)) is not None and rec.birth_date == d and i in self._keys
        }

    def _candidate_ids(
        self, names: Sequence[NormalizedName], year: int | None, born: dt.date | None = None
    ) -> set[int]:
        """Entries sharing a (near) token pair. With a year of birth only entries born within
        a year of it or of unknown birth: any other scores 25 points lower and cannot hit.
        Names of one part each, with a full date of birth: also the entries born that day."""
        ids: set[int] = set()
        if born is not None and all(len(self._token_keys(n)) == 1 for n in names):
            ids |= self._born_on(born)
        year_only = self._born_year if born is not None else {}
        years = (year - 1, year, year + 1, 0) if year else None

        def take(k: str) -> None:
            block = self._blocks.get(k)
            if not block:
                return
            if years is None:
                for lst in block.values():
                    ids.update(lst)
            else:
                for y in years:
                    ids.update(block.get(y, ()))

        for n in _with_compounds(names):
            tokens = self._token_keys(n)
            if len(tokens) == 1:
                for k0 in tokens[0]:
                    for k in self._deletions.near(k0):
                        take(k)
                        # a surname alone meets the entries with only a year of birth
                        ids.update(year_only.get((born.year, k), ()) if born else ())
                continue
            near = {k: self._deletions.near(k) for keys in tokens for k in keys}
            if born is not None and self._one_part:
                # an entry of one name part (a surname) born that year: the one-key blocks
                for keys in near.values():
                    for k in self._one_part.intersection(keys):
                        ids.update(self._blocks[k].get(born.year, ()))
            # One edit in either token of a pair (a typo rarely hits two name parts at once),
            # for each reading of the two.
            for ta, tb in combinations(tokens, 2):
                for a0 in ta:
                    for b0 in tb:
                        for a in near[a0]:
                            take(_pair(a, b0))
                        for b in near[b0]:
                            if b != b0:
                                take(_pair(a0, b))
        return ids

    def search(
        self,
        query: Query,
        *,
        threshold: float,
        limit: int = 20,
        explain: bool = True,
        full_scoring: int = MAX_FULL_SCORING,
    ) -> list[Candidate]:
        """Entries scoring at or above the threshold, best first; of the names, the best
        `full_scoring` on the quick score get the full score (a list to page through, such
        as the head office's search of the entries, asks for more than screening needs)."""
        found, _unscored = self.search_counted(
            query, threshold=threshold, explain=explain, full_scoring=full_scoring
        )
        return found[:limit]

    def search_counted(
        self,
        query: Query,
        *,
        threshold: float,
        explain: bool = True,
        full_scoring: int | None = MAX_FULL_SCORING,
    ) -> tuple[list[Candidate], int]:
        """`search` without a limit: every entry found, best first, and how many entries
        close enough on the quick score to be scored were left unscored past `full_scoring`
        (None scores them all): with none left, every entry at or above the threshold was
        found."""
        unscored = 0
        names = [n for n in (normalize_name(x) for x in query.names) if not n.is_empty]
        out: dict[int, Candidate] = {}
        if query.document_number:
            for eid in self._documents.get(document_key(query.document_number), ()):
                rec = self.records.get(eid)
                if rec is None or document_key(rec.document_number) != document_key(
                    query.document_number
                ):
                    continue
                if query.issuing_state and rec.issuing_state not in {"", query.issuing_state}:
                    continue
                out[eid] = Candidate(eid, 100.0, 0.0, ["document_number:same"])
        if names:
            year = _year(query.birth_date, query.birth_year)
            ids = [
                i for i in self._candidate_ids(names, year, query.birth_date) if i in self.records
            ]
            if ids:
                # Pre-score: dates of birth (cheap) and a fast order-independent key ratio,
                # the best over the query's names and the entry's names and aliases.
                pre: list[tuple[float, float, int, str]] = []
                choices: list[str] = []
                owners: list[int] = []
                for i in ids:
                    for k in self._keys[i]:
                        choices.append(k)
                        owners.append(i)
                quick: dict[int, float] = {}
                for qkey in dict.fromkeys(k for n in names for k in n.keys):
                    for _choice, f, pos in process.extract(
                        qkey, choices, scorer=fuzz.token_sort_ratio, limit=None
                    ):
                        if f > quick.get(owners[pos], -1.0):
                            quick[owners[pos]] = f
                self._quick_abjad(names, ids, quick)
                for eid, f in quick.items():
                    rec = self.records[eid]
                    dob, _ = birth_agreement(query, rec)
                    if f + dob < threshold - PRUNE:  # too far apart in every spelling
                        continue
                    pre.append((float(f) + dob, dob, eid, ""))
                pre.sort(key=lambda p: -p[0])
                scored = pre if full_scoring is None else pre[:full_scoring]
                unscored = len(pre) - len(scored)
                for _, _dob, eid, _ in scored:
                    if eid in out:
                        continue
                    cand = self._score(query, names, eid, explain=explain)
                    if cand.score >= threshold:
                        out[eid] = cand
        return sorted(out.values(), key=lambda c: (-c.score, c.entry_id)), unscored

    def _consonant_keys_of(self, eid: int) -> tuple[str, ...]:
        """The consonant keys of all the entry's names, worked out once an Arabic-script
        query meets the entry."""
        keys = self._consonant_cache.get(eid)
        if keys is None:
            keys = self._consonant_cache[eid] = _consonant_keys(self._normalized[eid])
        return keys

    def _quick_abjad(
        self, names: Sequence[NormalizedName], ids: Sequence[int], quick: dict[int, float]
    ) -> None:
        """Where the query or an entry is in Arabic script (short vowels not written), the
        spelled-out keys compare poorly (zhr against Zahra): the quick score is also taken on
        the consonant keys of the two."""
        if any(t.abjad for n in names for t in n.main):
            pairs = [(i, self._consonant_keys_of(i)) for i in ids]
        else:
            pairs = [(i, self._abjad_keys[i]) for i in ids if i in self._abjad_keys]
        choices = [k for _i, keys in pairs for k in keys]
        if not choices:
            return
        owners = [i for i, keys in pairs for _k in keys]
        for q in _consonant_keys(names):
            for _choice, f, pos in process.extract(
                q, choices, scorer=fuzz.token_sort_ratio, limit=None
            ):
                if f > quick.get(owners[pos], -1.0):
                    quick[owners[pos]] = f

    def _score(
        self, query: Query, names: Sequence[NormalizedName], eid: int, *, explain: bool
    ) -> Candidate:
        rec = self.records[eid]
        best = None
        best_pair = ("", "")
        for qn in names:
            for rn in self._normalized.get(eid, ()):
                s = name_similarity(qn, rn, typo_discount=0.0)
                if best is None or s.score > best.score:
                    best, best_pair = s, (qn.original, rn.original)
        if best is None:
            return Candidate(eid, 0.0, 0.0)
        dob, dob_reason = birth_agreement(query, rec)
        nat, nat_reason = nationality_agreement(query, rec)
        score = max(0.0, min(100.0, best.score + dob + nat))
        reasons = [*best.reasons, dob_reason, nat_reason] if explain else []
        return Candidate(eid, round(score, 1), best.score, reasons, best_pair[1])
