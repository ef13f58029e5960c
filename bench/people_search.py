"""Staff people search over a national registry on PostgreSQL: the time of typical searches
(a name in Latin, Cyrillic and Arabic script, a surname alone, a name with the date of
birth, a document number), p50 and p99, without and with the trigram indexes of people
migration 0016, in the same run, on the same rows.

    BENCH_PEOPLE=1000000 .venv/bin/python bench/people_search.py   # make bench-people-search

Environment: BENCH_PEOPLE (people on file, default 1,000,000), BENCH_DATABASE_URL (default
postgres://umis:umis@127.0.0.1:55432/umis_bench_people; created when missing, and kept: a
later run with the same size reuses its rows), BENCH_REPEATS (timed runs of each search
with the indexes, default 20), BENCH_REPEATS_BEFORE (without them, default 5: a search
then reads every person), BENCH_INSERT_ROUNDS (rounds of the intake insert measure, default
2, 0 to skip).

People are drawn from Faker's name lists (`bench/namegen.py`: az_AZ, ru_RU, tr_TR, fa_IR,
ar_AA, en_US, Zipf-weighted) and stored in their own script, with the search columns the
intake writes (`search_name`, `match_key`) and a passport each, written with COPY. Each
search is `person_search` as a head-office officer (all people, the audit rows written);
both states must find the same people. Last, the cost on intake: 10,000 new people with
their passports inserted with `bulk_insert` in one transaction (rolled back), alternately
without and with the indexes. Prints JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from typing import Any

from common import database_create, django_start  # first: it puts umis on the path

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))
REPEATS_BEFORE = int(os.environ.get("BENCH_REPEATS_BEFORE", "5"))
INSERT_ROUNDS = int(os.environ.get("BENCH_INSERT_ROUNDS", "2"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://umis:umis@127.0.0.1:55432/umis_bench_people"
)
CHUNK = 50_000
INSERT_BATCH = 10_000


def _setup() -> None:
    database_create(DATABASE_URL)
    django_start(DATABASE_URL, migrate=True)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load() -> list[Any]:
    """The registry's people (namegen's `Person`s, in the order of their ids), loaded when
    the database does not hold exactly PEOPLE of them yet."""
    from django.db import connection
    from django.utils import timezone
    from namegen import Generator

    from umis.people.matchkeys import NameParts, name_key
    from umis.people.names import search_key
    from umis.reference.services import reference_load_defaults

    gen = Generator(seed=2026)
    people = [gen.person(i) for i in range(PEOPLE)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person")
        if cursor.fetchone()[0] == PEOPLE:
            return people
        reference_load_defaults()
        cursor.execute(
            "TRUNCATE people_person, people_traveldocument, people_personblockkey CASCADE"
        )
        now = timezone.now()
        expiry = dt.date(2031, 1, 1)
        started = time.perf_counter()
        for start in range(0, PEOPLE, CHUNK):
            rows, documents = [], []
            for p in people[start : start + CHUNK]:
                full = NameParts(p.surname, p.given).full
                rows.append(
                    (p.id + 1, now, now, p.surname, p.given, "", p.birth, p.sex,
                     search_key(full), p.nationality, False, name_key(full))
                )  # fmt: skip
                documents.append(
                    (now, now, "passport", _number(p.id), expiry, "", "", p.nationality, p.id + 1)
                )
            raw = cursor.cursor
            with raw.copy(
                "COPY people_person (id, created_at, updated_at, surname, given_names,"
                " patronymic, birth_date, sex, search_name, nationality_id, birth_year_only,"
                " match_key) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            with raw.copy(
                "COPY people_traveldocument (created_at, updated_at, document_type, number,"
                " expiry_date, mrz_surname, mrz_given_names, issuing_state_id, person_id)"
                " FROM STDIN"
            ) as copy:
                for row in documents:
                    copy.write_row(row)
            print(
                f"loaded {start + len(rows):,} people in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        cursor.execute("SELECT setval('people_person_id_seq', %s)", [PEOPLE + 1])
        cursor.execute("VACUUM ANALYZE people_person")
        cursor.execute("VACUUM ANALYZE people_traveldocument")
    return people


def _number(i: int) -> str:
    return f"C{i:08d}"


def _searches(people: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Typical staff searches, made from people on file of each locale (a common name and a
    rarer one), so that each finds someone."""
    from anyascii import anyascii
    from namegen import Generator

    gen = Generator(seed=1)
    first = {}
    for p in people:
        first.setdefault(p.locale, p)
    az, ru, fa, ar = first["az_AZ"], first["ru_RU"], first["fa_IR"], first["ar_AA"]
    rare = people[len(people) // 2]
    return [
        ("latin full name", {"name": f"{az.surname} {az.given}"}),
        (
            "latin, upper case, no diacritics",
            {"name": anyascii(f"{az.given} {az.surname}").upper()},
        ),
        ("cyrillic for a latin name", {"name": gen._az_to_cyr(f"{az.surname} {az.given}")}),
        ("cyrillic full name", {"name": f"{ru.surname} {ru.given}"}),
        ("arabic script", {"name": f"{fa.surname} {fa.given}"}),
        ("latin for an arabic-script name", {"name": anyascii(f"{ar.given} {ar.surname}")}),
        ("surname only", {"name": az.surname}),
        ("name prefix (3 letters)", {"name": rare.surname[:3]}),
        ("name and date of birth", {"name": rare.given, "birth_date": rare.birth}),
        ("document number", {"document_number": _number(rare.id)}),
    ]


_TRIGRAM = (
    ("person_search_name_trgm", "search_name"),
    ("person_match_key_trgm", "match_key"),
)


def _indexes(present: bool) -> float:
    """Drop or build the trigram indexes (as the migration does); the seconds it took."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for name, column in _TRIGRAM:
            if present:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON people_person"
                    f" USING gin ({column} gin_trgm_ops)"
                )
            else:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute("ANALYZE people_person")
    return time.perf_counter() - started


def _index_sizes() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) FROM pg_class c"
            " WHERE c.relname IN ('people_person', %s, %s)",
            [name for name, _c in _TRIGRAM],
        )
        return dict(cursor.fetchall())


def _time_searches(
    user: Any, searches: list[tuple[str, dict[str, Any]]], repeats: int
) -> tuple[dict[str, dict[str, float]], dict[str, list[int]]]:
    from django.db import transaction

    from umis.people.selectors import person_search

    timings: dict[str, dict[str, float]] = {}
    found: dict[str, list[int]] = {}
    for label, params in searches:
        times = []
        for _ in range(repeats):
            with transaction.atomic():
                started = time.perf_counter()
                result = person_search(user=user, **params)
                times.append(time.perf_counter() - started)
            found[label] = [p.pk for p in result]
        timings[label] = {
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p99_ms": round(_quantile(times, 0.99) * 1000, 1),
            "found": len(found[label]),
        }
    return timings, found


def _intake_insert() -> float:
    """Seconds to insert INSERT_BATCH new people and their passports (rolled back)."""
    from django.db import transaction
    from django.utils import timezone
    from namegen import Generator

    from umis.core.bulk import bulk_insert, unsaved
    from umis.people.matchkeys import NameParts, name_key
    from umis.people.models import Person, TravelDocument
    from umis.people.names import search_key

    gen = Generator(seed=99)
    new = [gen.person(i) for i in range(INSERT_BATCH)]
    now = timezone.now()
    values = []
    for p in new:
        full = NameParts(p.surname, p.given).full
        values.append(
            {
                "surname": p.surname,
                "given_names": p.given,
                "birth_date": p.birth,
                "sex": p.sex,
                "nationality_id": p.nationality,
                "search_name": search_key(full),
                "match_key": name_key(full),
                "created_at": now,
                "updated_at": now,
            }
        )
    started = time.perf_counter()
    with transaction.atomic():
        people = [unsaved(Person, v) for v in values]
        bulk_insert(people)
        bulk_insert(
            [
                unsaved(
                    TravelDocument,
                    {
                        "person_id": person.pk,
                        "document_type": "passport",
                        "number": f"N{i:08d}",
                        "issuing_state_id": p.nationality,
                        "expiry_date": dt.date(2031, 1, 1),
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                for i, (person, p) in enumerate(zip(people, new, strict=True))
            ],
        )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def main() -> dict[str, Any]:
    _setup()
    from umis.accounts.models import Role, User
    from umis.reference.models import Office

    people = _load()
    user, _ = User.objects.get_or_create(
        username="bench.head",
        defaults={"role": Role.HEAD_OFFICER, "office": Office.objects.get(code="baku")},
    )
    searches = _searches(people)
    out: dict[str, Any] = {
        "people": PEOPLE,
        "repeats": {"without indexes": REPEATS_BEFORE, "with indexes": REPEATS},
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": os.getloadavg(),
        "searches": {label: {k: str(v) for k, v in p.items()} for label, p in searches},
    }
    # without the indexes (the registry as it was), then with them; the intake insert after
    # each, and again alternately for the further rounds
    inserts: dict[str, list[float]] = {"without indexes": [], "with indexes": []}
    _indexes(present=False)
    before, found_before = _time_searches(user, searches, REPEATS_BEFORE)
    if INSERT_ROUNDS:
        inserts["without indexes"].append(round(_intake_insert(), 3))
    out["index_build_s"] = round(_indexes(present=True), 1)
    out["sizes"] = _index_sizes()
    after, found_after = _time_searches(user, searches, REPEATS)
    if INSERT_ROUNDS:
        inserts["with indexes"].append(round(_intake_insert(), 3))
    out["results"] = {
        label: {"without indexes": before[label], "with indexes": after[label]}
        for label, _p in searches
    }
    out["same_people"] = found_before == found_after
    for _ in range(INSERT_ROUNDS - 1):
        _indexes(present=False)
        inserts["without indexes"].append(round(_intake_insert(), 3))
        _indexes(present=True)
        inserts["with indexes"].append(round(_intake_insert(), 3))
    out["intake_insert_s"] = inserts
    out["load_end"] = os.getloadavg()
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=1, ensure_ascii=False))
