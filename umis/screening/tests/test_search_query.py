"""A screening search is read by the screening domain, whoever sends it: every mistake in it
is named by its field at once, and what is right is read into the query the index takes."""

from __future__ import annotations

import datetime as dt

import pytest

from umis.core.errors import ValidationFailed
from umis.core.testing import World
from umis.screening.validation import MAX_LIMIT, search_query_parse

pytestmark = pytest.mark.django_db


def _errors(**search: object) -> list[tuple[str, str | None]]:
    with pytest.raises(ValidationFailed) as refused:
        search_query_parse(**search)  # type: ignore[arg-type]
    return [(e.code, e.field) for e in refused.value.errors]


def test_a_search_is_read_into_the_query(world: World) -> None:
    query, threshold = search_query_parse(
        names=["Cavid Məmmədov"],
        birth_date="1979",
        nationality="AZE",
        document_number="C01X00T47",
        issuing_state="AZ",
        threshold=80.0,
        limit=MAX_LIMIT,
    )
    assert (query.names, query.birth_date, query.birth_year) == (("Cavid Məmmədov",), None, 1979)
    assert (query.nationality, query.issuing_state) == ("AZ", "AZ")
    assert (query.document_number, threshold) == ("C01X00T47", 80.0)
    day, threshold = search_query_parse(names=["Cavid"], birth_date="1979-01-31")
    assert (day.birth_date, day.birth_year, threshold) == (dt.date(1979, 1, 31), None, None)


def test_every_mistake_of_a_search_is_named_at_once(world: World) -> None:
    assert _errors(
        names=[],
        birth_date="1979-01-311",
        nationality="AZER",
        issuing_state="QQ",
        document_number="C" * 31,
        threshold=100.5,
        limit=0,
    ) == [
        ("required", "names"),
        ("too_long", "birth_date"),
        ("too_long", "nationality"),
        ("unknown_country", "issuing_state"),
        ("invalid", "threshold"),
        ("invalid", "limit"),
        ("too_long", "document_number"),
    ]


def test_a_search_of_more_than_ten_names_or_a_name_without_letters_is_refused(
    world: World,
) -> None:
    assert _errors(names=["Cavid"] * 11) == [("too_many", "names")]
    assert _errors(names=["Cavid", "123", " "]) == [
        ("invalid", "names.1"),
        ("required", "names.2"),
    ]
    assert _errors(names=["Cavid"], birth_date="2999") == [("invalid_date", "birth_date")]
