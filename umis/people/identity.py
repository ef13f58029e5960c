"""Identity resolution on intake: which known person is this?

First an exact travel-document match (issuing state + number), then names + date of
birth (possibly only the year) + nationality + sex (`match_by_identity`): a score at or
above `UMIS_IDENTITY_AUTO_LINK` links the new record to the known person at once; a
score between `UMIS_IDENTITY_REVIEW` and that threshold creates a review task for an
officer (`review_candidates`, used by `people.services.person_resolve_many`).
Matchers are dotted paths in `UMIS_IDENTITY_MATCHERS`, tried in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import CharField, QuerySet, Value
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from umis.core.errors import FieldError
from umis.core.prepared import Prepared
from umis.people.matchkeys import (
    NameParts,
    name_key,
    name_key_readings,
    names_compare,
    names_worth_comparing,
    token_key_readings,
)
from umis.people.models import Person, TravelDocument


@dataclass(frozen=True)
class PersonData:
    surname: str
    given_names: str
    birth_date: date
    sex: str
    nationality: str  # ISO alpha-2
    document_type: str
    document_number: str
    issuing_state: str  # ISO alpha-2
    document_expiry: date
    patronymic: str = ""
    mrz_surname: str = ""
    mrz_given_names: str = ""
    birth_year_only: bool = False

    @property
    def document_key(self) -> tuple[str, str]:
        return (self.issuing_state, self.document_number)


Matcher = Callable[[Sequence[PersonData]], dict[int, Person]]


def travel_documents_stored(
    items: Sequence[PersonData], *, lock: bool = False
) -> dict[tuple[str, str], TravelDocument]:
    """The items' travel documents already on file, with their persons, by (state, number).
    `lock`: hold them (FOR NO KEY UPDATE, in id order) until the transaction ends, so a
    concurrent intake of the same documents waits and then reads what this one stored."""
    keys = {d.document_key for d in items}
    read = _DOCUMENTS_LOCKED if lock else _DOCUMENTS
    return {
        (doc.issuing_state_id, doc.number): doc
        for doc in read.all(numbers=sorted({k[1] for k in keys}))
        if (doc.issuing_state_id, doc.number) in keys
    }


_DOCUMENTS = Prepared(
    lambda p: TravelDocument.objects.filter(number__any=p["numbers[]"]).select_related("person")
)
_DOCUMENTS_LOCKED = Prepared(
    lambda p: (
        TravelDocument.objects.filter(number__any=p["numbers[]"])
        .select_related("person")
        .select_for_update(no_key=True, of=("self",))
        .order_by("pk")
    )
)


def match_by_document(items: Sequence[PersonData]) -> dict[int, Person]:
    """Index of item → person for items whose travel document is already registered (read
    once per intake: the documents `identity_batch` was given, when it was)."""
    stored = _batch_documents.get()
    if stored is None:
        stored = travel_documents_stored(items)
    return {
        i: stored[d.document_key].person for i, d in enumerate(items) if d.document_key in stored
    }


def documents_held_by_others(
    items: Sequence[PersonData], stored: Mapping[tuple[str, str], TravelDocument]
) -> dict[int, Person]:
    """Items whose travel document is already on file (`stored`, read with its person) for a
    person the item does not agree with (identity score below the review threshold), with
    that person. A host or an applicant who typed someone else's passport number must not
    be linked to that file: the answer would show them the holder's name, birth date and
    nationality, and a certificate or a visa would be issued in the holder's name."""
    cut = review_threshold()
    held: dict[int, Person] = {}
    for i, d in enumerate(items):
        doc = stored.get(d.document_key)
        if doc is not None and identity_score(d, doc.person)[0] < cut:
            held[i] = doc.person
    return held


def document_held_error(field: str) -> FieldError:
    """The refusal of an item in `documents_held_by_others`, naming its document field."""
    return FieldError(
        "document_held_by_another",
        _(
            "This document number is on file with another name or date of birth. "
            "Check the document number, the name and the date of birth."
        ),
        field,
    )


DEFAULT_MATCHERS = [
    "umis.people.identity.match_by_document",
    "umis.people.identity.match_by_identity",
]


def matchers() -> list[Matcher]:
    paths = getattr(settings, "UMIS_IDENTITY_MATCHERS", DEFAULT_MATCHERS)
    return [import_string(p) for p in paths]


def auto_link_threshold() -> float:
    return float(getattr(settings, "UMIS_IDENTITY_AUTO_LINK", 95))


def review_threshold() -> float:
    return float(getattr(settings, "UMIS_IDENTITY_REVIEW", 80))


@dataclass(frozen=True)
class Candidate:
    person: Person
    score: float
    reasons: tuple[str, ...]


def _swap_day_month(d: date) -> date | None:
    try:
        swapped = date(d.year, d.day, d.month)
    except ValueError:
        return None
    return swapped if swapped != d else None


def _digits(d: date) -> str:
    """YYYYMMDD (quicker than strftime, which intake calls for every key)."""
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def _digits_apart(a: date, b: date) -> int:
    return sum(x != y for x, y in zip(_digits(a), _digits(b), strict=True))


def birth_compare(a: date, a_year_only: bool, b: date, b_year_only: bool) -> tuple[float, str]:
    """Points to add to the name score for the dates of birth, and the reason."""
    if a_year_only or b_year_only:
        return (-3.0, "birth_year_agrees") if a.year == b.year else (-40.0, "birth_differs")
    if a == b:
        return 0.0, "birth_date_agrees"
    if _swap_day_month(a) == b:
        return -6.0, "birth_day_month_swapped"
    if _digits_apart(a, b) == 1:
        return -8.0, "birth_date_one_digit"
    if a.year == b.year:
        return -20.0, "birth_year_agrees"
    return -40.0, "birth_differs"


@dataclass(frozen=True)
class KnownPerson:
    """The fields of a known person that matching reads: loaded as plain rows, since an
    intake looks at hundreds of candidates and keeps a few."""

    pk: int
    surname: str
    given_names: str
    patronymic: str
    birth_date: date
    birth_year_only: bool
    nationality_id: str
    sex: str
    match_key: str

    @property
    def key(self) -> str:
        """The stored name key, or the name's own for a record written before it was kept."""
        return self.match_key or name_key(
            NameParts(self.surname, self.given_names, self.patronymic).full
        )


KNOWN_FIELDS = (
    "pk",
    "surname",
    "given_names",
    "patronymic",
    "birth_date",
    "birth_year_only",
    "nationality_id",
    "sex",
    "match_key",
)


def identity_score(item: PersonData, person: Person | KnownPerson) -> tuple[float, tuple[str, ...]]:
    """How likely `item` and `person` are one person: 0..100 and the reasons."""
    score, reasons = names_compare(
        NameParts(item.surname, item.given_names, item.patronymic),
        NameParts(person.surname, person.given_names, person.patronymic),
    )
    points, why = birth_compare(
        item.birth_date, item.birth_year_only, person.birth_date, person.birth_year_only
    )
    score += points
    reasons.append(why)
    if item.nationality != person.nationality_id:
        score -= 10
        reasons.append("nationality_differs")
    else:
        reasons.append("nationality_agrees")
    if "X" not in (item.sex, person.sex) and item.sex != person.sex:
        score -= 15
        reasons.append("sex_differs")
    return round(max(score, 0.0), 1), tuple(reasons)


CANDIDATE_LIMIT = 2000


@lru_cache(maxsize=65536)
def _name_readings(surname: str, given_names: str) -> tuple[tuple[str, ...], ...]:
    return token_key_readings(f"{surname} {given_names}")


def _name_tokens(surname: str, given_names: str) -> tuple[str, ...]:
    """Every key of every main token, each once (sorted)."""
    return tuple(sorted({k for keys in _name_readings(surname, given_names) for k in keys}))


def block_keys(
    surname: str, given_names: str, birth_date: date, birth_year_only: bool
) -> tuple[str, ...]:
    """Where intake matching finds a person (`PersonBlockKey` rows), none for a person known
    by the year of birth only:
    - the name key (one blocking key per main token of the family and given names, sorted,
      so script, spelling and order do not matter) with the year of birth, and with the
      month and day: two records share one when their names agree and their dates differ
      at most in the day and month, or in the year (a typed digit, a swap);
    - each main token's key with the whole date: two records share one when one part of
      their names agrees and they were born on the same day (a misspelt given name, a
      second family name added or dropped).
    A name part that reads two ways (the Q of Qurbanov: Гурбанов or Курбанов) gives both
    sets of keys, so either spelling finds the other."""
    if birth_year_only:
        return ()
    return _block_keys(surname, given_names, birth_date)


@lru_cache(maxsize=65536)
def _block_keys(surname: str, given_names: str, birth_date: date) -> tuple[str, ...]:
    text = _digits(birth_date)
    names = [name[:180] for name in name_key_readings(_name_readings(surname, given_names))]
    return (
        *(f"{name}|y{text[:4]}" for name in names),
        *(f"{name}|d{text[4:]}" for name in names),
        *_token_date_keys(_name_tokens(surname, given_names), text),
    )


def _token_date_keys(tokens: tuple[str, ...], text: str) -> tuple[str, ...]:
    return tuple([f"{token[:180]}#{text}" for token in tokens])


def _wanted_keys(item: PersonData) -> tuple[str, ...]:
    """The keys to look up for an item: its own, and its tokens with the day and month
    swapped (a date written the other way round)."""
    keys = block_keys(item.surname, item.given_names, item.birth_date, False)
    swapped = _swap_day_month(item.birth_date)
    if swapped is None:
        return keys
    return keys + _token_date_keys(_name_tokens(item.surname, item.given_names), _digits(swapped))


def _known_by_block_key_or_year_only(p: Mapping[str, Any]) -> QuerySet[Person, tuple[Any, ...]]:
    """The people filed under any of the keys, one row per key they are found under; then,
    with an empty key, the people known by their year of birth only, born between the two
    days and of one of the nationalities: the two reads of the candidates as one statement."""
    by_key = Person.objects.filter(
        merged_into__isnull=True, block_keys__key__any=p["keys[]"]
    ).values_list(*KNOWN_FIELDS, "block_keys__key")
    year_only = (
        Person.objects.filter(
            merged_into__isnull=True,
            birth_year_only=True,
            birth_date__range=(p["low"], p["high"]),
            nationality_id__any=p["nationalities[]"],
        )
        .annotate(no_key=Value("", output_field=CharField()))
        .values_list(*KNOWN_FIELDS, "no_key")
    )
    return by_key.order_by().union(year_only.order_by(), all=True)


_CANDIDATES = Prepared(_known_by_block_key_or_year_only)
_BY_BLOCK_KEY = Prepared(
    lambda p: (
        Person.objects.filter(merged_into__isnull=True, block_keys__key__any=p["keys[]"])
        .order_by("id")
        .values_list(*KNOWN_FIELDS, "block_keys__key")
    )
)
_PEOPLE = Prepared(lambda p: Person.objects.filter(pk__any=p["ids[]"]))


def _candidate_rows_many(items: Sequence[PersonData]) -> list[list[KnownPerson]]:
    """Known people who could be each item, in a few queries for the whole batch: those
    sharing a block key with it (`PersonBlockKey`: same name key born the same year or on
    the same day of the year, or one name part in common and the same date of birth or its
    day/month swap), and by year for a year-only date. Each lookup is by index and grows
    with the batch, not with the registry."""
    by_key: dict[str, list[KnownPerson]] = {}
    by_year: dict[tuple[int, str], list[KnownPerson]] = {}
    keys: dict[PersonData, tuple[str, ...]] = {}
    for item in items:
        if not item.birth_year_only:
            keys[item] = _wanted_keys(item)
    years = {(item.birth_date.year, item.nationality) for item in items}
    wide_years = {(i.birth_date.year, i.nationality) for i in items if i.birth_year_only}
    wanted = sorted({k for found in keys.values() for k in found})
    # Known people with only a year of birth (few) are read with the first keys, in the
    # same statement.
    low, high = min(y for y, _ in years), max(y for y, _ in years)
    for values in _CANDIDATES.all(
        keys=wanted[:5000],
        low=date(low, 1, 1),
        high=date(high, 12, 31),
        nationalities=sorted({nationality for _year, nationality in years}),
    ):
        person = KnownPerson(*values[:-1])
        if values[-1]:
            by_key.setdefault(values[-1], []).append(person)
            continue
        born = (person.birth_date.year, person.nationality_id)
        if born in years:
            by_year.setdefault(born, []).append(person)
    for start in range(5000, len(wanted), 5000):
        for values in _BY_BLOCK_KEY.all(keys=wanted[start : start + 5000]):
            by_key.setdefault(values[-1], []).append(KnownPerson(*values[:-1]))
    # An item with only a year of birth: everyone of that year and nationality.
    for year, nationality in sorted(wide_years):
        span = (date(year, 1, 1), date(year, 12, 31))
        query = Person.objects.filter(
            merged_into__isnull=True, birth_date__range=span, nationality_id=nationality
        ).order_by("id")[:CANDIDATE_LIMIT]
        by_year[(year, nationality)] = [KnownPerson(*v) for v in query.values_list(*KNOWN_FIELDS)]
    rows: list[list[KnownPerson]] = []
    for item in items:
        found = {p.pk: p for p in by_year.get((item.birth_date.year, item.nationality), [])}
        for k in keys.get(item, ()):
            for p in by_key.get(k, []):
                found.setdefault(p.pk, p)
        rows.append([found[k] for k in sorted(found)][:CANDIDATE_LIMIT])
    return rows


_batch_memo: ContextVar[dict[PersonData, list[Candidate]] | None] = ContextVar(
    "umis_identity_batch", default=None
)


_batch_documents: ContextVar[Mapping[tuple[str, str], TravelDocument] | None] = ContextVar(
    "umis_identity_documents", default=None
)


@contextmanager
def identity_batch(
    documents: Mapping[tuple[str, str], TravelDocument] | None = None,
) -> Iterator[None]:
    """Within this block an item's candidates are looked up once, however many steps of the
    intake ask (the auto-link matcher, then the review tasks); `documents`, the intake's
    one read of the items' travel documents on file, answers `match_by_document`."""
    token = _batch_memo.set({})
    documents_token = _batch_documents.set(documents)
    try:
        yield
    finally:
        _batch_documents.reset(documents_token)
        _batch_memo.reset(token)


def identity_candidates_many(
    items: Sequence[PersonData], *, at_least: float | None = None
) -> list[list[Candidate]]:
    """For each item, known people who may be it, best first, scoring at least the review
    threshold."""
    floor = review_threshold() if at_least is None else at_least
    memo = _batch_memo.get()
    if memo is None or floor < review_threshold():
        return _candidates_scored(items, floor)
    todo = [item for item in dict.fromkeys(items) if item not in memo]
    for item, found in zip(todo, _candidates_scored(todo, review_threshold()), strict=True):
        memo[item] = found
    return [[c for c in memo[item] if c.score >= floor] for item in items]


def _candidates_scored(items: Sequence[PersonData], floor: float) -> list[list[Candidate]]:
    out: list[list[Candidate]] = []
    if not items:
        return out
    scored: list[list[tuple[int, float, tuple[str, ...]]]] = []
    for item, people in zip(items, _candidate_rows_many(items), strict=True):
        found = []
        name = NameParts(item.surname, item.given_names, item.patronymic)
        worth = names_worth_comparing(name, [p.key for p in people])
        for index, person in enumerate(people):
            if index not in worth:
                continue
            score, reasons = identity_score(item, person)
            if score >= floor:
                found.append((person.pk, score, reasons))
        found.sort(key=lambda c: (-c[1], c[0]))
        scored.append(found)
    wanted = sorted({pk for found in scored for pk, _, _ in found})
    people_by_pk = {p.pk: p for p in _PEOPLE.all(ids=wanted)} if wanted else {}
    for found in scored:
        out.append([Candidate(people_by_pk[pk], score, reasons) for pk, score, reasons in found])
    return out


def identity_candidates(item: PersonData, *, at_least: float | None = None) -> list[Candidate]:
    return identity_candidates_many([item], at_least=at_least)[0]


def match_by_identity(items: Sequence[PersonData]) -> dict[int, Person]:
    """Index of item → person for items whose best candidate scores above the auto-link threshold
    and clearly above the runner-up (two equally good candidates go to an officer instead)."""
    linked: dict[int, Person] = {}
    for i, found in enumerate(identity_candidates_many(items, at_least=auto_link_threshold())):
        if len(found) == 1 or (len(found) > 1 and found[0].score > found[1].score):
            linked[i] = found[0].person
    return linked


def review_candidates_many(items: Sequence[PersonData]) -> list[list[Candidate]]:
    """Candidates between the review and the auto-link thresholds (at most 5 per item)."""
    return [found[:5] for found in identity_candidates_many(items)]
