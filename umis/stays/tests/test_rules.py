"""The deadlines of place-of-stay registration, as pure functions of the dates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from umis.cases.sla import is_working_day
from umis.reference.models import RegistrationRule
from umis.stays import rules

NONE_DECLARED: tuple[frozenset[dt.date], frozenset[dt.date]] = (frozenset(), frozenset())


def rule(working_days: int = 5) -> RegistrationRule:
    return RegistrationRule(
        threshold_days=15,
        deadline_days=15,
        move_deadline_working_days=working_days,
        valid_from=dt.date(2019, 7, 24),
    )


def test_the_move_deadline_skips_weekends_and_public_holidays() -> None:
    cases = {
        dt.date(2026, 6, 1): dt.date(2026, 6, 8),  # Monday → next Monday
        dt.date(2026, 6, 5): dt.date(2026, 6, 12),  # Friday → next Friday
        dt.date(2026, 6, 10): dt.date(2026, 6, 18),  # National Liberation Day, 15 June
        dt.date(2026, 3, 19): dt.date(2026, 4, 6),  # Novruz and Ramadan: 20–30 March
    }
    for moved_on, deadline in cases.items():
        assert rules.move_deadline(moved_on=moved_on, rule=rule(), days_off=NONE_DECLARED) == (
            deadline
        )


def test_a_day_declared_off_or_on_moves_the_deadline() -> None:
    moved_on = dt.date(2026, 6, 1)
    off = (frozenset({dt.date(2026, 6, 4)}), frozenset())
    saturday_worked = (frozenset(), frozenset({dt.date(2026, 6, 6)}))
    assert rules.move_deadline(moved_on=moved_on, rule=rule(), days_off=off) == dt.date(2026, 6, 9)
    assert rules.move_deadline(moved_on=moved_on, rule=rule(), days_off=saturday_worked) == (
        dt.date(2026, 6, 6)
    )


@given(
    moved_on=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    working_days=st.integers(min_value=1, max_value=15),
)
def test_the_deadline_is_the_nth_working_day_after_the_move_and_late_starts_the_day_after(
    moved_on: dt.date, working_days: int
) -> None:
    deadline = rules.move_deadline(
        moved_on=moved_on, rule=rule(working_days), days_off=NONE_DECLARED
    )
    between = [moved_on + dt.timedelta(days=n) for n in range(1, (deadline - moved_on).days + 1)]
    assert sum(is_working_day(d) for d in between) == working_days
    assert is_working_day(deadline)
    assert not rules.move_late(deadline=deadline, today=moved_on)
    assert not rules.move_late(deadline=deadline, today=deadline)
    assert rules.move_late(deadline=deadline, today=deadline + dt.timedelta(days=1))


def test_an_arrival_is_late_only_for_a_stay_over_the_threshold_filed_after_the_deadline() -> None:
    arrival = dt.date(2026, 6, 1)
    long_stay, short_stay = dt.date(2026, 6, 30), dt.date(2026, 6, 15)
    day_15, day_16 = dt.date(2026, 6, 16), dt.date(2026, 6, 17)
    assert not rules.arrival_late(arrival=arrival, departure=long_stay, today=day_15, rule=rule())
    assert rules.arrival_late(arrival=arrival, departure=long_stay, today=day_16, rule=rule())
    assert not rules.arrival_late(arrival=arrival, departure=short_stay, today=day_16, rule=rule())
