"""A single-entry basis (the e-visa) allows one stay: the rule as the stay of a person and
the daily job read it, through `best_result`."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from umis.border.basis import Basis
from umis.border.selectors import best_result
from umis.border.stayrules import Regime, RegimePeriod, Stay
from umis.border.tests.test_stayrules import day, stay_lists


def evisa(reference: str, valid_from: dt.date, *, single_entry: bool = True) -> Basis:
    """A 30-day e-visa valid 90 days from `valid_from`."""
    period = RegimePeriod(Regime(30), valid_from, valid_from + dt.timedelta(days=89))
    return Basis("evisa", f"e-visa {reference}", (period,), reference, single_entry=single_entry)


def visa_free() -> Basis:
    return Basis("visa_free", "visa-free stay (90/180)", (RegimePeriod(Regime(90, 180)),))


def test_the_first_entry_uses_the_visa() -> None:
    result, chosen = best_result([Stay(day(5), None)], day(10), [evisa("E1", day(0))])
    assert chosen is not None and chosen.reference == "E1"
    assert result is not None
    assert (result.days_used, result.last_legal_day) == (6, day(34))


def test_a_later_entry_has_no_basis() -> None:
    stays = [Stay(day(5), day(10)), Stay(day(20), None)]
    result, chosen = best_result(stays, day(22), [evisa("E1", day(0))])
    assert chosen is None
    assert result is not None
    assert (result.in_country, result.current_entry, result.regime) == (True, day(20), None)
    assert result.last_legal_day is None


def test_outside_after_the_visas_stay_there_is_no_basis() -> None:
    stays = [Stay(day(5), day(10))]
    assert best_result(stays, day(12), [evisa("E1", day(0))]) == (None, None)


def test_on_the_day_of_the_exit_the_stay_ends_that_day() -> None:
    """Back the same day: that day is legal, the next is not."""
    stays = [Stay(day(5), day(10)), Stay(day(10), None)]
    result, chosen = best_result(stays, day(10), [evisa("E1", day(0))])
    assert chosen is not None and result is not None
    assert (result.current_entry, result.last_legal_day) == (day(10), day(10))
    result, _chosen = best_result(stays, day(11), [evisa("E1", day(0))])
    assert result is not None and result.last_legal_day == day(10)


def test_a_stay_begun_before_the_visa_does_not_use_it() -> None:
    stays = [Stay(day(-3), day(2)), Stay(day(20), None)]
    result, chosen = best_result(stays, day(22), [evisa("E1", day(0))])
    assert chosen is not None and chosen.reference == "E1"
    assert result is not None and result.last_legal_day == day(49)


def test_two_visas_make_two_visits_whichever_the_order() -> None:
    stays = [Stay(day(5), day(10)), Stay(day(20), None)]
    for bases in (
        [evisa("E1", day(0)), evisa("E2", day(1))],
        [evisa("E2", day(1)), evisa("E1", day(0))],
    ):
        result, chosen = best_result(stays, day(22), bases)
        assert chosen is not None and chosen.reference == "E2"
        assert result is not None and result.last_legal_day == day(49)


def test_an_entry_after_a_visas_validity_leaves_it_for_the_next_visa() -> None:
    """E1 ended unused before the entry on day 100, which uses E2: the entry on day 120
    has no legal day (E1, the visa it names, ended long before)."""
    bases = [evisa("E1", day(0)), evisa("E2", day(95))]
    result, chosen = best_result([Stay(day(100), None)], day(105), bases)
    assert chosen is not None and chosen.reference == "E2"
    assert result is not None and result.last_legal_day == day(129)
    result, chosen = best_result([Stay(day(100), day(110)), Stay(day(120), None)], day(122), bases)
    assert chosen is not None and chosen.reference == "E1"
    assert result is not None and result.last_legal_day is None


def test_visa_free_stay_is_not_used_up() -> None:
    stays = [Stay(day(5), day(10)), Stay(day(20), None)]
    result, chosen = best_result(stays, day(22), [evisa("E1", day(0)), visa_free()])
    assert chosen is not None and chosen.kind == "visa_free"
    assert result is not None and result.days_used == 9


@given(stays=stay_lists(), offset=st.integers(0, 400), start=st.integers(0, 200))
def test_single_entry_never_allows_more_than_the_same_visa_without_it(
    stays: list[Stay], offset: int, start: int
) -> None:
    on = day(offset)
    single, _b = best_result(stays, on, [evisa("E1", day(start))])
    multiple, _b = best_result(stays, on, [evisa("E1", day(start), single_entry=False)])
    last = single.last_legal_day if single else None
    last_multiple = multiple.last_legal_day if multiple else None
    assert (last or dt.date.min) <= (last_multiple or dt.date.min)
    valid = [s for s in stays if day(start) <= s.entry <= min(on, day(start + 89))]
    if not valid or valid[0].exit is None:
        assert last == last_multiple  # not used, or its stay goes on: the same answer
