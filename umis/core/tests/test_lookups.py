"""`field__any=` and `array_parameter`: one parameter for a long list of values, same answer
as `__in`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from umis.core.lookups import array_parameter
from umis.core.testing import World, people_named
from umis.people.models import Person

pytestmark = pytest.mark.django_db


def _people() -> list[Person]:
    return people_named(["Əliyeva", "Ali,yeva", 'Qu"liyeva', "{Hə}sənova", "Nəbiyeva"])


def test_dates_names_and_ids_find_the_same_rows_as_in(world: World) -> None:
    people = _people()
    dates = [dt.date(1990, 1, 2), dt.date(1990, 1, 4), dt.date(2001, 5, 5)]
    names = ["Ali,yeva", 'Qu"liyeva', "{Hə}sənova", "nobody"]
    ids = [people[0].pk, people[4].pk, 10**9]
    for field, values in (("birth_date", dates), ("surname", names), ("id", ids)):
        expected = set(Person.objects.filter(**{f"{field}__in": values}).values_list("pk"))
        found = set(Person.objects.filter(**{f"{field}__any": values}).values_list("pk"))
        assert found == expected and found


def test_a_value_holding_the_separator_and_an_empty_list(world: World) -> None:
    _people()
    assert not Person.objects.filter(surname__any=["Əli\x1fyeva"]).exists()
    assert list(
        Person.objects.filter(surname__any=["Əliyeva", "x\x1fy"]).values_list("surname", flat=True)
    ) == ["Əliyeva"]
    assert not Person.objects.filter(surname__any=[]).exists()


def test_an_array_parameter_finds_the_same_rows_either_way(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("raw PostgreSQL arrays")
    _people()
    for names in (["Ali,yeva", 'Qu"liyeva', "nobody"], ["Ali,yeva", 'Qu"liyeva', "x\x1fy"]):
        sql, param = array_parameter(names)
        with connection.cursor() as cursor:
            query = f"SELECT surname FROM people_person WHERE surname = ANY({sql})"  # noqa: S608
            cursor.execute(query, [param])
            assert sorted(r[0] for r in cursor.fetchall()) == ["Ali,yeva", 'Qu"liyeva']
