"""Prepared reads (`core.prepared`): compiled once, then the same answer as the ORM."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from umis.core.prepared import Prepared
from umis.core.testing import World, passports_of, people_named
from umis.people.models import Person, TravelDocument

pytestmark = pytest.mark.django_db

NAMES = ["Əliyeva", "Ali,yeva", 'Qu"liyeva', "{Hə}sənova", "Nəbiyeva"]


def _people() -> list[Person]:
    people = people_named(NAMES)
    passports_of(people)
    return people


BY_SURNAME = Prepared(
    lambda p: (
        Person.objects.filter(surname__any=p["names[]"])
        .order_by("pk")
        .values_list("pk", "surname", "birth_date")
    )
)


def test_lists_of_names_dates_and_ids_find_what_the_orm_finds(world: World) -> None:
    people = _people()
    names = ["Ali,yeva", 'Qu"liyeva', "{Hə}sənova", "nobody"]
    expected = list(
        Person.objects.filter(surname__in=names)
        .order_by("pk")
        .values_list("pk", "surname", "birth_date")
    )
    assert BY_SURNAME.all(names=names) == expected and len(expected) == 3
    assert isinstance(expected[0][2], dt.date)  # converted as the ORM converts
    by_date = Prepared(
        lambda p: Person.objects.filter(birth_date__any=p["dates[]"]).values_list("pk", flat=True)
    )
    assert sorted(by_date.all(dates=[dt.date(1990, 1, 2), dt.date(1990, 1, 4)])) == [
        people[1].pk,
        people[3].pk,
    ]
    by_id = Prepared(lambda p: Person.objects.filter(pk__any=p["ids[]"]))
    assert {p.surname for p in by_id.all(ids=[people[0].pk, people[4].pk, 10**9])} == {
        "Əliyeva",
        "Nəbiyeva",
    }
    assert BY_SURNAME.all(names=[]) == []


def test_a_date_range_and_a_missing_row(world: World) -> None:
    _people()
    between = Prepared(
        lambda p: (
            Person.objects.filter(birth_date__range=(p["low"], p["high"]))
            .order_by("birth_date")
            .values_list("surname", flat=True)
        )
    )
    assert between.all(low=dt.date(1990, 1, 2), high=dt.date(1990, 1, 3)) == NAMES[1:3]
    assert between.first(low=dt.date(2001, 1, 1), high=dt.date(2001, 12, 31)) is None


def test_related_rows_come_with_the_row_without_another_query(
    world: World, django_assert_num_queries: Any
) -> None:
    people = _people()
    documents = Prepared(
        lambda p: (
            TravelDocument.objects.filter(number__any=p["numbers[]"])
            .select_related("person")
            .order_by("pk")
        )
    )
    documents.all(numbers=["C00"])  # the first call compiles (and prepares on PostgreSQL)
    with django_assert_num_queries(1):
        found = documents.all(numbers=["C01", "C03"])
        assert [(d.number, d.person.surname) for d in found] == [
            ("C01", NAMES[1]),
            ("C03", NAMES[3]),
        ]
    assert found[0].person == people[1] and found[0]._state.adding is False


def test_compiled_once_then_only_run(
    world: World, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    _people()
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    by_surname = Prepared(
        lambda p: Person.objects.filter(surname=p["name"]).values_list("surname", flat=True)
    )
    assert by_surname.all(name="Ali,yeva") == ["Ali,yeva"]
    with django_assert_num_queries(2):
        assert by_surname.all(name="Nəbiyeva") == ["Nəbiyeva"]
        assert by_surname.all(name="nobody") == []
    assert compiled == [Person]


def test_prepared_on_the_server_once_per_session(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    _people()
    by_surname = Prepared(
        lambda p: Person.objects.filter(surname=p["name"]).values_list("surname", flat=True)
    )
    with CaptureQueriesContext(connection) as first:
        assert by_surname.all(name="Ali,yeva") == ["Ali,yeva"]
    assert [q["sql"].split()[0] for q in first.captured_queries] == ["PREPARE", "EXECUTE"]
    # a rolled-back transaction keeps the session's statements
    with pytest.raises(RuntimeError), transaction.atomic():
        assert by_surname.all(name="Nəbiyeva") == ["Nəbiyeva"]
        raise RuntimeError
    with CaptureQueriesContext(connection) as again:
        assert by_surname.all(name="Əliyeva") == ["Əliyeva"]
    assert [q["sql"].split()[0] for q in again.captured_queries] == ["EXECUTE"]
    # a list read is planned for each call: its plan depends on the list's length
    with CaptureQueriesContext(connection) as listed:
        BY_SURNAME.all(names=["Ali,yeva"])
        BY_SURNAME.all(names=["Əliyeva", "Nəbiyeva"])
    assert [q["sql"].split()[0] for q in listed.captured_queries] == ["SELECT", "SELECT"]


def test_values_the_sql_cannot_carry_go_through_the_orm(world: World) -> None:
    _people()
    # a list value holding the separator
    assert BY_SURNAME.all(names=["Əliyeva", "x\x1fy"])[0][1] == "Əliyeva"
    # None: the ORM writes IS NULL, the prepared SQL could only say = NULL
    unmerged = Prepared(
        lambda p: Person.objects.filter(merged_into=p["into"]).values_list("surname", flat=True)
    )
    assert sorted(unmerged.all(into=None)) == sorted(NAMES)
