"""Due times: working days follow the country's public holidays (the `holidays` package)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

from umis.cases.registry import Sla

# the days an administrator declared off, and the weekend days declared working
Overrides = tuple[frozenset[dt.date], frozenset[dt.date]]


@lru_cache(maxsize=32)
def _public_holidays(year: int, country: str) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def _admin_overrides() -> Overrides:
    from umis.reference.selectors import reference_snapshot

    return reference_snapshot().holiday_overrides()


def is_working_day(
    day: dt.date,
    *,
    extra_off: frozenset[dt.date] = frozenset(),
    extra_on: frozenset[dt.date] = frozenset(),
) -> bool:
    if day in extra_on:
        return True
    if day in extra_off or day.weekday() >= 5:
        return False
    return day not in _public_holidays(day.year, settings.UMIS_COUNTRY)


def add_working_days(
    start: dt.date, days: int, *, use_overrides: bool = True, overrides: Overrides | None = None
) -> dt.date:
    """The date `days` working days after `start` (the start day itself does not count).

    `overrides`: the days an administrator declared off and the weekend days declared
    working, when the caller has already read them (a batch reads them once, from its
    reference snapshot); otherwise they are read here unless `use_overrides` is false."""
    if overrides is None:
        overrides = _admin_overrides() if use_overrides else (frozenset(), frozenset())
    off, on = overrides
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current, extra_off=off, extra_on=on):
            left -= 1
    return current


def due_at(sla: Sla, submitted: dt.datetime) -> dt.datetime | None:
    """Working-day SLAs end at the close of the last working day (18:00 local)."""
    if sla.hours is not None:
        return submitted + dt.timedelta(hours=sla.hours)
    if sla.working_days is not None:
        local = timezone.localtime(submitted)
        day = add_working_days(local.date(), sla.working_days)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
    return None
