"""The statistics registry and its helpers: a table code is registered once, and a moment
falls in the month of the country's calendar, at the edges of months too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from umis.cases.models import Case
from umis.core import statistics
from umis.core.statistics import Column, Query, Table, month_index, months_of
from umis.core.testing import World
from umis.reference.models import Office


def _none(query: Query) -> list[list[int]]:
    return []


def _table(code: str, title: str = "A") -> Table:
    return Table(code, "S", title, "N", (Column("n"),), rows=_none)


def test_a_code_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statistics, "_tables", dict(statistics._tables))  # left as it was
    statistics.register(_table("test_only_table"))
    statistics.register(_table("test_only_table"))  # the same again: no change
    with pytest.raises(ValueError, match="registered twice"):
        statistics.register(_table("test_only_table", title="B"))
    with pytest.raises(ValueError, match="lowercase"):
        _table("Not-A-Code")


def test_every_app_contributes_its_tables() -> None:
    codes = {t.code for t in statistics.all_tables()}
    assert {
        "cases_by_service_state",
        "cases_by_office",
        "cases_waiting",
        "stays_by_month",
        "stays_by_region",
        "stays_by_nationality",
        "evisa_by_month",
        "evisa_by_nationality",
        "overstays_by_kind",
        "overstays_by_nationality",
        "screening_hits",
    } <= codes
    sensitive = {t.code for t in statistics.all_tables() if t.sensitive}
    assert sensitive == {c for c in codes if c.endswith("_by_nationality")}


def test_a_moment_falls_in_the_month_of_the_countrys_calendar(world: World) -> None:
    office = Office.objects.get(code="baku")
    local = timezone.get_current_timezone()
    moments = [
        dt.datetime(2026, 1, 1, 0, 0, tzinfo=local),  # the first moment of January
        dt.datetime(2026, 1, 31, 23, 59, 59, tzinfo=local),
        dt.datetime(2026, 2, 1, 0, 0, tzinfo=local),  # 31 January 20:00 UTC
        dt.datetime(2026, 3, 31, 23, 0, tzinfo=local),
    ]
    for i, at in enumerate(moments):
        Case.objects.create(
            reference=f"T-{i}",
            service_code="x",
            office=office,
            state="s",
            created_at=at,
            updated_at=at,
        )
    query = Query(dt.date(2026, 1, 1), dt.date(2026, 3, 31), None, timezone.now())
    assert months_of(query) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    rows = (
        Case.objects.filter(**statistics.period_filter("created_at", query))
        .annotate(month=month_index("created_at", query))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    assert list(rows) == [(0, 2), (1, 1), (2, 1)]
    one = Query(dt.date(2026, 2, 1), dt.date(2026, 2, 28), None, timezone.now())
    rows = (
        Case.objects.filter(**statistics.period_filter("created_at", one))
        .annotate(month=month_index("created_at", one))
        .values_list("month")
        .annotate(n=Count("id"))
    )
    assert list(rows) == [(0, 1)]
