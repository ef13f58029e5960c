"""Staff search over a registry on PostgreSQL is served by the trigram indexes of people
migration 0016 (docs/adr/0021-staff-search-uses-trigram-indexes.md) and finds exactly the
people a scan of every person finds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from umis.core.testing import World, guest
from umis.people.selectors import person_search
from umis.stays.services import stay_registrations_submit

ON_FILE = [
    ("Hüseynov", "Elçin", "1985-03-14"),
    ("Hasanov", "Elçin", "1990-07-02"),
    ("Əliyev", "Rəşad", "1985-03-14"),
    ("Əliyeva", "Aysel", "1979-11-30"),
    ("Vəliyeva", "Fizzə", "1985-03-14"),
    ("Qurbanov", "Yusif", "2001-01-09"),
    ("Кулиев", "Эльвин", "1968-05-21"),
    ("Ковалева", "Зинаида", "1985-03-14"),
    ("Öztürk", "Mehmet Ali", "1972-12-12"),
    ("Əzizi", "Hüseyn", "1993-04-04"),
    ("Rəhimi", "Əli", "1985-03-14"),
    ("Kornilova", "Lyudmila", "1955-08-16"),
    ("رضایی", "مهسا", "1998-02-27"),
    ("رحیمی", "مهوش", "1985-03-14"),
    ("حسینی", "علی", "1987-10-10"),
    ("Li", "Wei", "1991-06-06"),
]

# (what is searched, the surnames found, in the order shown)
SEARCHES: list[tuple[dict[str, Any], list[str]]] = [
    ({"name": "Hüseynov"}, ["Hüseynov"]),
    ({"name": "HUSEYNOV ELCIN"}, ["Hüseynov"]),
    ({"name": "Гусейнов"}, ["Hüseynov"]),
    ({"name": "Эльчин"}, ["Hasanov", "Hüseynov"]),
    ({"name": "Əliyev"}, ["Əliyev", "Əliyeva"]),
    ({"name": "Алиев"}, ["Əliyev", "Əliyeva"]),
    ({"name": "liyev"}, []),
    ({"name": "Kovaleva"}, ["Ковалева"]),
    ({"name": "Kov"}, ["Ковалева"]),
    ({"name": "Курбанов Юсиф"}, ["Qurbanov"]),
    ({"name": "Quliyev Elvin"}, ["Кулиев"]),
    ({"name": "OZTURK MEHMET"}, ["Öztürk"]),
    ({"name": "Mehmet Ali"}, ["Öztürk"]),
    ({"name": "حسین"}, ["Əzizi", "حسینی"]),
    ({"name": "علی"}, ["Rəhimi", "Öztürk", "حسینی"]),
    ({"name": "علي رحيمي"}, ["Rəhimi"]),
    ({"name": "Rezaei Mahsa"}, ["رضایی"]),
    ({"name": "Mahsa"}, ["رضایی"]),
    ({"name": "Hosseini Ali"}, ["حسینی"]),
    ({"name": "Ali"}, ["Rəhimi", "Öztürk", "Əliyev", "Əliyeva", "حسینی"]),
    ({"name": "Li"}, ["Li", "حسینی"]),
    ({"name": "Reza"}, []),
    ({"name": "xxxxxxxx"}, []),
    (
        {"birth_date": dt.date(1985, 3, 14)},
        ["Hüseynov", "Rəhimi", "Vəliyeva", "Əliyev", "Ковалева", "رحیمی"],
    ),
    ({"name": "aliyev", "birth_date": dt.date(1985, 3, 14)}, ["Əliyev"]),
    ({"document_number": "u10000004"}, ["Vəliyeva"]),
    ({"name": "Vəliyeva", "document_number": "U10000004"}, ["Vəliyeva"]),
    ({"name": "Hasanov", "document_number": "U10000004"}, []),
]


@pytest.fixture
def registry(world: World) -> World:
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(
                surname=surname,
                given_names=given,
                birth_date=born,
                document_number=f"U{10000000 + i}",
            )
            for i, (surname, given, born) in enumerate(ON_FILE)
        ],
    )
    return world


@contextmanager
def _through_the_indexes() -> Iterator[None]:
    """On PostgreSQL, a search as over a national registry: the planner reads the indexes
    it has instead of the whole table (a small table it would rather scan)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def _surnames(world: World, params: dict[str, Any]) -> list[str]:
    return [p.surname for p in person_search(user=world.alice, **params)]


def test_staff_searches_find_the_same_people_as_a_scan_of_every_person(
    registry: World,
) -> None:
    for params, found in SEARCHES:
        assert _surnames(registry, params) == found, params


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_staff_searches_through_the_indexes_find_the_same_people(registry: World) -> None:
    with _through_the_indexes():
        for params, found in SEARCHES:
            assert _surnames(registry, params) == found, params


def _plan(world: World, name: str) -> str:
    with _through_the_indexes(), CaptureQueriesContext(connection) as queries:
        person_search(user=world.alice, name=name)
        (sql,) = [q["sql"] for q in queries.captured_queries if 'FROM "people_person"' in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
@pytest.mark.parametrize("name", ["Hüseynov Elçin", "Гусейнов", "حسین", "Rezaei Mahsa", "Li"])
def test_a_name_search_reads_the_trigram_indexes_not_every_person(
    registry: World, name: str
) -> None:
    plan = _plan(registry, name)
    assert "Seq Scan on people_person" not in plan, plan
    assert "person_match_key_trgm" in plan, plan
