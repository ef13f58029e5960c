"""Stay arithmetic: days used, days left, overstay days and the last legal day.

Pure Python, no Django: the person endpoint, the overstay job, the portal calculator,
the API and `umis stay calc` all call `calculate`.

Rules (as the EU Entry/Exit System counts them):
- a day on which the person was in the country at any moment counts as a whole day, so
  the entry day and the exit day both count and a same-day entry and exit is one day;
- a rolling regime ("90/180") allows `days` present days in any `window_days` window
  ending on the day checked; a per-stay regime ("30") allows `days` days from the entry
  of the current stay;
- the regime of a day is the one valid on that day, so a rule change applies from its
  date, also in the middle of a stay; a present day with no regime in force is not legal.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

ONE = dt.timedelta(days=1)
MAX_DAYS = 3660  # a regime longer than ten years is not a stay limit


class StayInputError(ValueError):
    """Input the calculator cannot work with; `code` is stable, `field` names the input."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Regime:
    """`days` days in any `window_days` days; without a window, `days` days per stay."""

    days: int
    window_days: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.days <= MAX_DAYS:
            raise StayInputError("invalid_regime", "The number of days is out of range.", "regime")
        if self.window_days is not None and not self.days < self.window_days <= MAX_DAYS:
            raise StayInputError(
                "invalid_regime", "The window must be longer than the number of days.", "regime"
            )

    @classmethod
    def parse(cls, text: str) -> Regime:
        """ "90/180" (rolling window) or "30" (per stay)."""
        parts = (text or "").strip().split("/")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise StayInputError(
                "invalid_regime", "Write the regime as 90/180 or 30.", "regime"
            ) from None
        if len(numbers) == 1:
            return cls(numbers[0])
        if len(numbers) == 2:
            return cls(numbers[0], numbers[1])
        raise StayInputError("invalid_regime", "Write the regime as 90/180 or 30.", "regime")

    @property
    def label(self) -> str:
        return f"{self.days}/{self.window_days}" if self.window_days else str(self.days)

    @property
    def span(self) -> int:
        return self.window_days or self.days


@dataclass(frozen=True)
class RegimePeriod:
    """A regime in force from `valid_from` to `valid_to` (both inclusive; None: open)."""

    regime: Regime
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Stay:
    """Days in the country from `entry` to `exit`, both counted; no exit: still inside."""

    entry: dt.date
    exit: dt.date | None = None

    def __post_init__(self) -> None:
        if self.exit is not None and self.exit < self.entry:
            raise StayInputError("exit_before_entry", "The exit is before the entry.", "stays")


@dataclass(frozen=True)
class StayResult:
    on: dt.date
    regime: Regime | None
    in_country: bool
    days_used: int
    days_remaining: int
    overstay_days: int
    last_legal_day: dt.date | None  # if the person stays on (or enters) on `on`
    window_start: dt.date | None
    current_entry: dt.date | None

    def to_dict(self) -> dict[str, object]:
        return {
            "on": self.on.isoformat(),
            "regime": self.regime.label if self.regime else None,
            "in_country": self.in_country,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "days_used": self.days_used,
            "days_remaining": self.days_remaining,
            "overstay_days": self.overstay_days,
            "last_legal_day": self.last_legal_day.isoformat() if self.last_legal_day else None,
            "current_entry": self.current_entry.isoformat() if self.current_entry else None,
        }


def merge(stays: Iterable[Stay]) -> list[Stay]:
    """Sorted stays with overlaps joined (a same-day exit and re-entry stays two stays)."""
    out: list[Stay] = []
    for s in sorted(stays, key=lambda s: s.entry):
        if out:
            last = out[-1]
            if last.exit is None:
                continue
            if s.entry < last.exit:
                end = None if s.exit is None else max(s.exit, last.exit)
                out[-1] = Stay(last.entry, end)
                continue
        out.append(s)
    return out


def current_stay(stays: Iterable[Stay], on: dt.date) -> Stay | None:
    """The stay `on` falls in; on the day of an exit and a new entry, the new one."""
    return max(
        (s for s in stays if s.entry <= on and (s.exit is None or s.exit >= on)),
        key=lambda s: s.entry,
        default=None,
    )


def _periods(regimes: Regime | Sequence[RegimePeriod]) -> list[RegimePeriod]:
    if isinstance(regimes, Regime):
        return [RegimePeriod(regimes)]
    return sorted(regimes, key=lambda p: p.valid_from or dt.date.min, reverse=True)


def regime_on(periods: Sequence[RegimePeriod], day: dt.date) -> Regime | None:
    """The regime in force on `day` (the latest that started on or before it)."""
    for p in periods:
        if p.covers(day):
            return p.regime
    return None


class _Presence:
    """Present days between `lo` and `hi` (as indices from `lo`) with prefix sums, and the
    index of the first day of the stay each present day belongs to (-1: not present)."""

    def __init__(self, stays: list[Stay], lo: dt.date, hi: dt.date) -> None:
        size = (hi - lo).days + 1
        present = bytearray(size)
        self.start = [-1] * size
        for s in stays:
            a = (max(s.entry, lo) - lo).days
            b = (min(s.exit or hi, hi) - lo).days
            if b < a:
                continue
            present[a : b + 1] = b"\x01" * (b - a + 1)
            # a same-day re-entry starts the later stay
            self.start[a : b + 1] = [(s.entry - lo).days] * (b - a + 1)
        self.present = present
        self.prefix = [0, *itertools.accumulate(present)]

    def used(self, regime: Regime, i: int) -> int:
        if regime.window_days is None:
            first = self.start[i]
            return 0 if first == -1 else i - first + 1
        return self.prefix[i + 1] - self.prefix[max(i - regime.window_days + 1, 0)]


class _Rules:
    """The regime in force on each day index from `lo` to `hi`."""

    def __init__(self, periods: Sequence[RegimePeriod], lo: dt.date, hi: dt.date) -> None:
        size = (hi - lo).days + 1
        self.by_day: list[Regime | None] = [None] * size
        # oldest first, so the latest rule in force wins where two overlap
        for p in sorted(periods, key=lambda p: p.valid_from or dt.date.min):
            a = 0 if p.valid_from is None else max((p.valid_from - lo).days, 0)
            b = size - 1 if p.valid_to is None else min((p.valid_to - lo).days, size - 1)
            if b >= a:
                self.by_day[a : b + 1] = [p.regime] * (b - a + 1)

    def legal(self, presence: _Presence, i: int) -> bool:
        regime = self.by_day[i]
        return regime is not None and presence.used(regime, i) <= regime.days

    def find(self, presence: _Presence, indices: range, legal: bool) -> int | None:
        """The first of `indices` on which presence is legal (or, `legal=False`, is not):
        `self.legal` day after day, with the lookups inlined (the overstay job's hot loop)."""
        by_day, start, prefix = self.by_day, presence.start, presence.prefix
        for i in indices:
            regime = by_day[i]
            if regime is None:
                ok = False
            else:
                window = regime.window_days
                if window is None:
                    first = start[i]
                    used = 0 if first == -1 else i - first + 1
                else:
                    low = i - window + 1
                    used = prefix[i + 1] - prefix[low if low > 0 else 0]
                ok = used <= regime.days
            if ok is legal:
                return i
        return None


def calculate(
    stays: Sequence[Stay],
    on: dt.date,
    regimes: Regime | Sequence[RegimePeriod],
    *,
    count_overstay: bool = True,
) -> StayResult:
    """The answer for a control date `on`: see the module docstring for the rules.

    `count_overstay=False` skips counting the overstay days of the window (0 is returned),
    for callers that only need the last legal day (the overstay job)."""
    periods = _periods(regimes)
    if not periods:
        raise StayInputError("no_regime", "No stay regime applies.", "regime")
    longest = max(p.regime.span for p in periods)
    merged = merge(s for s in stays if s.entry <= on)
    current = current_stay(merged, on)
    in_country = current is not None
    lo = on - (2 * longest + 2) * ONE
    hi = on + (2 * longest + 2) * ONE
    # what happens if the person stays on (or enters on `on`)
    future = [Stay(s.entry, None if s is current else s.exit) for s in merged]
    if current is None:
        future.append(Stay(on, None))
    if current is not None and current.entry < lo:
        lo = current.entry  # a per-stay count needs the whole current stay
    actual = _Presence([Stay(s.entry, min(s.exit or on, on)) for s in merged], lo, hi)
    hypothetical = _Presence(future, lo, hi)
    rules = _Rules(periods, lo, hi)
    today = (on - lo).days
    end = (hi - lo).days

    regime = rules.by_day[today]
    window_start: dt.date | None = None
    used = 0
    if regime is not None:
        used = actual.used(regime, today)
        if regime.window_days is None:
            window_start = current.entry if current else None
        else:
            window_start = on - (regime.window_days - 1) * ONE
    remaining = max(0, regime.days - used) if regime else 0

    first = max((window_start - lo).days, 0) if window_start else today
    overstay = (
        sum(1 for i in range(first, today + 1) if actual.present[i] and not rules.legal(actual, i))
        if count_overstay
        else 0
    )

    last_legal: dt.date | None
    if rules.legal(hypothetical, today):
        # legal up to the day before the first day that is not (or to the end of the range)
        after = rules.find(hypothetical, range(today + 1, end + 1), legal=False)
        last_legal = lo + (end if after is None else after - 1) * ONE
    else:
        # already past the limit: the last legal day is the day before the overstay began
        begin = (current.entry - lo).days if current else today
        back = rules.find(actual, range(today - 1, max(begin, 0) - 1, -1), legal=True)
        last_legal = None if back is None else lo + back * ONE
    return StayResult(
        on=on,
        regime=regime,
        in_country=in_country,
        days_used=used,
        days_remaining=remaining,
        overstay_days=overstay,
        last_legal_day=last_legal,
        window_start=window_start,
        current_entry=current.entry if current else None,
    )


# --- from border crossings to stays -------------------------------------------------

ENTRY = "entry"
EXIT = "exit"
REFUSED = "refused"


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    direction: str  # entry, exit or refused
    event_id: str = ""


@dataclass
class Timeline:
    stays: list[Stay]
    anomalies: list[tuple[dt.date, str]] = field(default_factory=list)


def local_day(at: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The calendar day of a moment where the crossing happened (Asia/Baku by default)."""
    if at.tzinfo is None:
        raise StayInputError("timestamp_without_zone", "The time has no time zone.", "timestamp")
    return at.astimezone(tz).date()


def stays_from_events(events: Iterable[Event], tz: ZoneInfo) -> Timeline:
    """Pair entries and exits in time order (events may arrive out of order or twice).

    An exit with no entry before it counts its own day and is reported; a second entry
    without an exit keeps the person inside (the missing exit is reported); refusals of
    entry are not presence.
    """
    seen: set[tuple[dt.datetime, str, str]] = set()
    ordered = []
    for e in sorted(events, key=lambda e: (e.at, e.direction != ENTRY, e.event_id)):
        key = (e.at, e.direction, e.event_id or "")
        if key in seen or (e.event_id == "" and (e.at, e.direction, "") in seen):
            continue
        seen.add(key)
        ordered.append(e)
    out = Timeline(stays=[])
    entry: dt.date | None = None
    last_at: dt.datetime | None = None
    last_dir = ""
    for e in ordered:
        if last_at == e.at and last_dir == e.direction:
            continue  # the same crossing sent twice under two ids
        last_at, last_dir = e.at, e.direction
        day = local_day(e.at, tz)
        if e.direction == ENTRY:
            if entry is not None:
                out.anomalies.append((day, "entry_without_exit"))
                continue
            entry = day
        elif e.direction == EXIT:
            if entry is None:
                out.anomalies.append((day, "exit_without_entry"))
                out.stays.append(Stay(day, day))
                continue
            out.stays.append(Stay(entry, day))
            entry = None
    if entry is not None:
        out.stays.append(Stay(entry, None))
    return out
