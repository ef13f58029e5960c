"""Stay arithmetic: the 90-in-180 edge cases, time zones, odd event streams, and properties."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from umis.border.stayrules import (
    Event,
    Regime,
    RegimePeriod,
    Stay,
    StayInputError,
    calculate,
    local_day,
    stays_from_events,
)

D = dt.date
R90 = Regime(90, 180)
BAKU = ZoneInfo("Asia/Baku")


def day(n: int) -> dt.date:
    return D(2026, 1, 1) + dt.timedelta(days=n)


def test_same_day_entry_and_exit_counts_one_day() -> None:
    result = calculate([Stay(D(2026, 3, 10), D(2026, 3, 10))], D(2026, 3, 10), R90)
    assert result.days_used == 1
    assert result.days_remaining == 89
    assert result.in_country is True


def test_entry_and_exit_days_both_count() -> None:
    result = calculate([Stay(D(2026, 3, 10), D(2026, 3, 12))], D(2026, 4, 1), R90)
    assert result.days_used == 3
    assert result.in_country is False


def test_a_stay_across_the_window_edge_counts_only_the_days_inside() -> None:
    on = D(2026, 7, 1)
    window_start = on - dt.timedelta(days=179)
    stay = Stay(window_start - dt.timedelta(days=10), window_start + dt.timedelta(days=4))
    result = calculate([stay], on, R90)
    assert result.window_start == window_start
    assert result.days_used == 5
    assert result.days_remaining == 85


def test_exactly_90_days_is_legal_and_the_91st_is_not() -> None:
    entry = D(2026, 1, 1)
    ninetieth = entry + dt.timedelta(days=89)
    result = calculate([Stay(entry, None)], ninetieth, R90)
    assert result.days_used == 90
    assert result.days_remaining == 0
    assert result.overstay_days == 0
    assert result.last_legal_day == ninetieth
    after = calculate([Stay(entry, None)], ninetieth + dt.timedelta(days=1), R90)
    assert after.days_used == 91
    assert after.overstay_days == 1
    assert after.last_legal_day == ninetieth


def test_last_legal_day_when_staying_on() -> None:
    # 30 days used earlier in the window; enters again on 1 May and stays
    stays = [Stay(D(2026, 3, 1), D(2026, 3, 30)), Stay(D(2026, 5, 1), None)]
    result = calculate(stays, D(2026, 5, 1), R90)
    assert result.days_used == 31
    assert result.last_legal_day == D(2026, 6, 29)  # 30 + 60 days = 90


def test_last_legal_day_for_someone_outside_assumes_entry_on_the_date() -> None:
    result = calculate([], D(2026, 5, 1), R90)
    assert result.in_country is False
    assert result.days_used == 0
    assert result.last_legal_day == D(2026, 5, 1) + dt.timedelta(days=89)


def test_a_rule_changed_mid_stay_applies_from_its_date() -> None:
    periods = [
        RegimePeriod(Regime(90, 180), valid_to=D(2026, 2, 28)),
        RegimePeriod(Regime(30), valid_from=D(2026, 3, 1)),
    ]
    stays = [Stay(D(2026, 2, 1), None)]
    # under the old rule on 28 Feb: 28 days used of 90
    before = calculate(stays, D(2026, 2, 28), periods)
    assert (before.days_used, before.overstay_days) == (28, 0)
    # from 1 March the stay is counted per stay, 30 days: 1 Feb + 29 days = 2 March
    after = calculate(stays, D(2026, 3, 10), periods)
    assert after.regime == Regime(30)
    assert after.days_used == 38
    assert after.last_legal_day == D(2026, 3, 2)
    assert after.overstay_days == 8


def test_a_day_without_a_regime_in_force_is_not_legal() -> None:
    periods = [RegimePeriod(R90, valid_to=D(2026, 3, 31))]
    result = calculate([Stay(D(2026, 3, 20), None)], D(2026, 3, 25), periods)
    assert result.last_legal_day == D(2026, 3, 31)


def test_per_stay_regime_restarts_after_leaving() -> None:
    stays = [Stay(D(2026, 1, 1), D(2026, 1, 30)), Stay(D(2026, 2, 5), None)]
    result = calculate(stays, D(2026, 2, 10), Regime(30))
    assert result.days_used == 6
    assert result.last_legal_day == D(2026, 3, 6)


def test_regime_parsing() -> None:
    assert Regime.parse("90/180") == Regime(90, 180)
    assert Regime.parse(" 30 ") == Regime(30)
    for bad in ("", "ninety", "90/180/1", "200/180", "0"):
        with pytest.raises(StayInputError) as exc:
            Regime.parse(bad)
        assert exc.value.code == "invalid_regime"


def test_exit_before_entry_is_refused() -> None:
    with pytest.raises(StayInputError) as exc:
        Stay(D(2026, 3, 2), D(2026, 3, 1))
    assert exc.value.code == "exit_before_entry"


# --- events --------------------------------------------------------------------------


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_days_are_local_days_in_baku_around_midnight() -> None:
    # 21:30 UTC is 01:30 next day in Baku (UTC+4)
    assert local_day(at("2026-03-10T21:30:00+00:00"), BAKU) == D(2026, 3, 11)
    assert local_day(at("2026-03-10T19:59:59+00:00"), BAKU) == D(2026, 3, 10)
    assert local_day(at("2026-03-10T23:59:00+04:00"), BAKU) == D(2026, 3, 10)
    events = [
        Event(at("2026-03-10T20:10:00+00:00"), "entry", "a"),  # 00:10 on 11 March in Baku
        Event(at("2026-03-11T19:50:00+00:00"), "exit", "b"),  # 23:50 on 11 March in Baku
    ]
    timeline = stays_from_events(events, BAKU)
    assert timeline.stays == [Stay(D(2026, 3, 11), D(2026, 3, 11))]
    assert calculate(timeline.stays, D(2026, 3, 20), R90).days_used == 1


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(StayInputError) as exc:
        local_day(dt.datetime(2026, 3, 10, 12, 0), BAKU)
    assert exc.value.code == "timestamp_without_zone"


def test_out_of_order_and_duplicate_events_give_the_same_stays() -> None:
    events = [
        Event(at("2026-03-01T08:00:00+04:00"), "entry", "1"),
        Event(at("2026-03-05T08:00:00+04:00"), "exit", "2"),
        Event(at("2026-04-01T08:00:00+04:00"), "entry", "3"),
        Event(at("2026-04-03T08:00:00+04:00"), "exit", "4"),
    ]
    shuffled = [events[3], events[1], events[2], events[0], events[1], events[3]]
    expected = [Stay(D(2026, 3, 1), D(2026, 3, 5)), Stay(D(2026, 4, 1), D(2026, 4, 3))]
    assert stays_from_events(shuffled, BAKU).stays == expected
    # the same crossing resent under a second id is one crossing
    again = [*events, Event(at("2026-03-05T08:00:00+04:00"), "exit", "2-bis")]
    assert stays_from_events(again, BAKU).stays == expected
    assert stays_from_events(again, BAKU).anomalies == []


def test_an_exit_without_an_entry_counts_its_day_and_is_reported() -> None:
    events = [
        Event(at("2026-03-05T08:00:00+04:00"), "exit", "x"),
        Event(at("2026-03-10T08:00:00+04:00"), "entry", "y"),
    ]
    timeline = stays_from_events(events, BAKU)
    assert timeline.stays == [Stay(D(2026, 3, 5), D(2026, 3, 5)), Stay(D(2026, 3, 10), None)]
    assert timeline.anomalies == [(D(2026, 3, 5), "exit_without_entry")]


def test_a_second_entry_without_exit_keeps_the_person_inside() -> None:
    events = [
        Event(at("2026-03-01T08:00:00+04:00"), "entry", "1"),
        Event(at("2026-03-10T08:00:00+04:00"), "entry", "2"),
        Event(at("2026-03-12T08:00:00+04:00"), "exit", "3"),
    ]
    timeline = stays_from_events(events, BAKU)
    assert timeline.stays == [Stay(D(2026, 3, 1), D(2026, 3, 12))]
    assert timeline.anomalies == [(D(2026, 3, 10), "entry_without_exit")]


def test_refusals_are_not_presence() -> None:
    events = [Event(at("2026-03-01T08:00:00+04:00"), "refused", "1")]
    assert stays_from_events(events, BAKU).stays == []


# --- properties against a brute-force count -------------------------------------------


@st.composite
def stay_lists(draw: st.DrawFn) -> list[Stay]:
    n = draw(st.integers(0, 6))
    cursor = draw(st.integers(0, 60))
    stays = []
    for i in range(n):
        length = draw(st.integers(0, 120))
        entry = day(cursor)
        last = i == n - 1 and draw(st.booleans())
        stays.append(Stay(entry, None if last else entry + dt.timedelta(days=length)))
        cursor += length + draw(st.integers(0, 90))
    return stays


def present_days(stays: list[Stay], until: dt.date) -> set[dt.date]:
    out = set()
    for s in stays:
        d = s.entry
        while d <= (s.exit or until) and d <= until:
            out.add(d)
            d += dt.timedelta(days=1)
    return out


def brute_used(days: set[dt.date], on: dt.date, window: int) -> int:
    return sum(1 for d in days if on - dt.timedelta(days=window - 1) <= d <= on)


regimes = st.sampled_from([Regime(90, 180), Regime(30, 60), Regime(15, 30), Regime(60, 365)])


@settings(max_examples=200, deadline=None)
@given(stays=stay_lists(), offset=st.integers(0, 700), regime=regimes)
def test_days_used_matches_a_brute_force_count(
    stays: list[Stay], offset: int, regime: Regime
) -> None:
    on = day(offset)
    assert regime.window_days is not None
    result = calculate(stays, on, regime)
    expected = brute_used(present_days(stays, on), on, regime.window_days)
    assert result.days_used == expected
    assert result.days_remaining == max(0, regime.days - expected)
    assert 0 <= result.days_used <= regime.window_days


@settings(max_examples=200, deadline=None)
@given(stays=stay_lists(), offset=st.integers(0, 700), regime=regimes)
def test_staying_until_the_last_legal_day_is_legal_and_one_more_day_is_not(
    stays: list[Stay], offset: int, regime: Regime
) -> None:
    on = day(offset)
    assert regime.window_days is not None
    result = calculate(stays, on, regime)
    if result.last_legal_day is None or result.last_legal_day < on:
        assert result.days_used >= regime.days
        return
    kept = [s for s in stays if s.entry <= on]
    current = [s for s in kept if s.exit is None or s.exit >= on]
    others = [s for s in kept if s not in current]
    entry = current[0].entry if current else on
    last = result.last_legal_day
    staying = [*others, Stay(entry, last)]
    days = present_days(staying, last)
    assert all(
        brute_used(days, d, regime.window_days) <= regime.days for d in days if on <= d <= last
    )
    one_more = present_days(
        [*others, Stay(entry, last + dt.timedelta(days=1))], last + dt.timedelta(days=1)
    )
    assert brute_used(one_more, last + dt.timedelta(days=1), regime.window_days) > regime.days


@settings(max_examples=100, deadline=None)
@given(stays=stay_lists(), seed=st.integers(0, 10_000))
def test_event_order_does_not_change_the_stays(stays: list[Stay], seed: int) -> None:
    assume(
        all(a.exit is not None and a.exit < b.entry for a, b in zip(stays, stays[1:], strict=False))
    )
    events = []
    for i, s in enumerate(stays):
        events.append(Event(dt.datetime.combine(s.entry, dt.time(9), BAKU), "entry", f"e{i}"))
        if s.exit is not None:
            events.append(Event(dt.datetime.combine(s.exit, dt.time(18), BAKU), "exit", f"x{i}"))
    shuffled = events * 2
    random.Random(seed).shuffle(shuffled)
    assert stays_from_events(shuffled, BAKU).stays == stays_from_events(events, BAKU).stays
