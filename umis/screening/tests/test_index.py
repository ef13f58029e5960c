"""The candidate index alone: what it finds and what it leaves out."""

from __future__ import annotations

import datetime as dt

from umis.screening.index import CandidateIndex, Query, Record


def index() -> CandidateIndex:
    idx = CandidateIndex()
    idx.add_many(
        [
            Record(
                1, ("Hüseynov Rəşad Əli oğlu",), birth_date=dt.date(1985, 3, 14), nationality="AZ"
            ),
            Record(2, ("Məmmədov Cavid",), birth_year=1979, nationality="AZ"),
            Record(3, ("محمد حسین کریمی",), birth_date=dt.date(1990, 1, 2), nationality="IR"),
            Record(4, ("",), document_number="C01X00T47", issuing_state="DE", kind="document"),
            Record(5, ("Hüseynov Rəşad",), birth_date=dt.date(1950, 6, 1)),
        ]
    )
    return idx


def ids(idx: CandidateIndex, q: Query) -> list[int]:
    return [c.entry_id for c in idx.search(q, threshold=85)]


def test_it_finds_cross_script_swapped_and_misspelt_names() -> None:
    idx = index()
    born = dt.date(1985, 3, 14)
    assert ids(idx, Query(("Рашад Гусейнов",), birth_date=born)) == [1]
    assert ids(idx, Query(("HUSEYNOV RASAD",), birth_date=born)) == [1]
    assert ids(idx, Query(("Rashad Huseynpv",), birth_date=born)) == [1]
    assert ids(idx, Query(("Mamedov Dzhavid",), birth_date=dt.date(1979, 5, 5))) == [2]
    assert ids(idx, Query(("Karimi Mohammad Hossein",), birth_year=1990)) == [3]


def test_the_date_of_birth_tells_namesakes_apart() -> None:
    idx = index()
    hits = idx.search(Query(("Rəşad Hüseynov",), birth_date=dt.date(1950, 6, 1)), threshold=85)
    assert [c.entry_id for c in hits] == [5]
    assert "birth_date:same" in hits[0].reasons
    # Without a date both namesakes are candidates.
    assert sorted(ids(idx, Query(("Rəşad Hüseynov",)))) == [1, 5]


def test_documents_match_exactly_and_similar_names_do_not() -> None:
    idx = index()
    assert ids(idx, Query(("Anyone",), document_number="c01x-00t47")) == [4]
    assert ids(idx, Query(("Əliyev Tural",), birth_date=dt.date(1985, 3, 14))) == []


def test_a_replaced_or_removed_entry_is_searched_as_it_is_now() -> None:
    idx = index()
    idx.add(Record(2, ("Qasımov Elvin",), birth_year=1979))
    assert ids(idx, Query(("Mamedov Dzhavid",), birth_year=1979)) == []
    assert ids(idx, Query(("Гасымов Эльвин",), birth_year=1979)) == [2]
    idx.remove(2)
    assert ids(idx, Query(("Гасымов Эльвин",), birth_year=1979)) == []


def test_an_alias_unlike_the_listed_name_is_found() -> None:
    idx = CandidateIndex()
    idx.add(
        Record(
            7,
            ("Məmmədov Elvin Rauf oğlu", "Rzayev Tofiq"),
            birth_date=dt.date(1979, 6, 2),
            nationality="AZ",
        )
    )
    born = dt.date(1979, 6, 2)
    assert ids(idx, Query(("TOFIQ RZAYEV",), birth_date=born)) == [7]
    assert ids(idx, Query(("Мамедов Эльвин",), birth_date=born)) == [7]
    # a person screened under two names (as registered and as in the MRZ): either may hit
    assert ids(idx, Query(("Quliyev Anar", "RZAYEV TOFIQ"), birth_date=born)) == [7]


def test_a_surname_alone_meets_the_entries_born_the_same_day_only() -> None:
    idx = index()
    born = dt.date(1985, 3, 14)
    # the public entry-ban check knows a surname and the date of birth, in any script
    assert ids(idx, Query(("Гусейнов",), birth_date=born)) == [1]
    assert ids(idx, Query(("HUSEYNOV",), birth_date=born)) == [1]
    assert ids(idx, Query(("HUSEYNOV",), birth_date=dt.date(1950, 1, 6))) == [5]  # day/month
    # another day, another surname, or a year only: a common surname drags in nobody
    assert ids(idx, Query(("Hüseynov",), birth_date=dt.date(1985, 3, 15))) == []
    assert ids(idx, Query(("Əliyev",), birth_date=born)) == []
    assert ids(idx, Query(("Hüseynov",), birth_year=1985)) == []
    # an entry moved to another date of birth is met on its new date only
    idx.add(Record(1, ("Hüseynov Rəşad",), birth_date=dt.date(1986, 3, 14)))
    assert ids(idx, Query(("Hüseynov",), birth_date=born)) == []
    assert ids(idx, Query(("Hüseynov",), birth_date=dt.date(1986, 3, 14))) == [1]


def test_a_q_written_as_a_russian_k_in_every_name_part_is_found() -> None:
    idx = CandidateIndex()
    born = dt.date(1985, 3, 14)
    idx.add_many(
        [
            Record(1, ("Qurbanov Rafiq",), birth_date=born),
            Record(2, ("Кулиев Эльвин",), birth_year=1990),
            Record(3, ("Zahir Elvin",), birth_year=1990),
        ]
    )
    assert ids(idx, Query(("Курбанов Рафик",), birth_date=born)) == [1]
    assert ids(idx, Query(("Rafik Kurbanov",), birth_date=born)) == [1]
    assert ids(idx, Query(("Quliyev Elvin",))) == [2]
    assert ids(idx, Query(("Zakir Elvin",), birth_year=1990)) == []
