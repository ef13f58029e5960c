"""The statistics page's reads: who may see which office's figures, the filter read from a
query string, and the tables the apps registered (`umis.core.statistics`) worked out for
it, small counts of the sensitive ones hidden, each read audited.

Aggregates only: a table holds labels, months and counts, never a row about a person.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from umis.accounts.models import STAFF_ROLES, User
from umis.audit.services import audit_record
from umis.core.errors import NotFound
from umis.core.filters import date_filters_read
from umis.core.statistics import Cell, Column, Kind, Query, Table, all_tables, months_of
from umis.reference.models import Office

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
DEFAULT_MONTHS = 12


def reports_allowed(user: Any) -> bool:
    """Staff may read the statistics: analysts, the head office and administrators of every
    office, a regional officer of their own office."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in STAFF_ROLES:
        return False
    return bool(user.sees_all_offices or user.office_id)


def report_offices_for_user(user: Any) -> list[Office]:
    """The offices whose figures the user may choose. The user's own office is among them:
    it is kept on the user as read here, so the audit row that names it reads no other."""
    if not reports_allowed(user):
        return []
    if user.sees_all_offices:
        offices = list(Office.objects.order_by("code"))
        own = next((o for o in offices if o.pk == user.office_id), None)
        if own is not None:
            User.office.field.set_cached_value(user, own)
        return offices
    return [user.office]


def small_count_limit() -> int:
    """Counts from 1 to one less than this are hidden in sensitive tables."""
    return int(settings.UMIS_REPORTS_SMALL_COUNT)


def period_default(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months: from the first day of the month 11 months back, up to today."""
    months = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return dt.date(months // 12, months % 12 + 1, 1), today


@dataclass(frozen=True)
class ReportFilter:
    first_day: dt.date
    last_day: dt.date
    office: Office | None  # None: every office

    def describe(self) -> dict[str, str]:
        """The filter as the audit log and the export's file name keep it."""
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "office": self.office.code if self.office else "",
        }


def report_filter_read(
    *, user: Any, query: Mapping[str, str], today: dt.date, offices: Sequence[Office]
) -> tuple[ReportFilter, dict[str, str]]:
    """The period and the office asked for, with an error for each value that is not one
    (shown beside its field; no figures are shown until it is corrected). A regional
    officer asking for another office's figures is refused: NotFound, audited."""
    default_first, default_last = period_default(today)
    dates, errors = date_filters_read(query, ("from", "to"))
    first = dates["from"] or default_first
    last = dates["to"] or default_last
    for name, day in (("from", first), ("to", last)):
        if name not in errors and not EARLIEST <= day <= LATEST:
            errors[name] = _("The date must be between 1990 and 2100.")
    if not errors and first > last:
        errors["period"] = _("The end of the period is before its start.")
    code = query.get("office", "").strip()[:40]
    office: Office | None = None
    if not user.sees_all_offices:
        office = offices[0]
    if code:
        chosen = next((o for o in offices if o.code == code), None)
        if chosen is not None:
            office = chosen
        elif Office.objects.filter(code=code).exists():
            audit_record(
                actor=user,
                action="REPORT_ACCESS_DENIED",
                entity_type="reference.office",
                entity_id=code,
                data={"report": "statistics", "office": code},
            )
            raise NotFound("not_found", _("Not found."))
        else:
            errors["office"] = _("Choose an office from the list.")
    return ReportFilter(first, last, office), errors


@dataclass
class Shown:
    """One cell as the page and the export show it."""

    kind: Kind
    value: Cell
    hidden: bool = False  # a small count in a sensitive table, shown "<limit"
    # hidden as well (shown "x"), so that a small count cannot be worked out from totals;
    # `floor` is what a reader may still know of it: at least the limit (a larger count
    # hidden beside a small one) or nothing (a whole column hidden, zeros included)
    withheld: bool = False
    floor: int = 0

    def csv(self, limit: int) -> str:
        if self.hidden:
            return f"<{limit}"
        if self.withheld:
            return WITHHELD
        if self.kind == "month" and isinstance(self.value, dt.date):
            return self.value.strftime("%Y-%m")
        return str(self.value)

    @property
    def shown(self) -> bool:
        return not (self.hidden or self.withheld)

    @property
    def count(self) -> int:
        return self.value if isinstance(self.value, int) else 0


WITHHELD = "x"


@dataclass
class ReportTable:
    table: Table
    rows: list[list[Shown]]
    totals: list[int | None] | None = None  # a total per count column; None: no total row
    hidden: int = 0  # how many counts are hidden
    limit: int = 5
    withheld: int = 0  # how many other counts are hidden with them

    @property
    def largest_hidden(self) -> int:
        """The largest count hidden as small: counts from 1 to this one are shown "<limit"."""
        return self.limit - 1

    @property
    def withheld_columns(self) -> list[int]:
        """The count columns hidden whole ("x" in every row): they say nothing, so the page
        names them in a sentence instead of showing them (the exports keep them)."""
        if not self.rows:
            return []
        return [
            i
            for i, column in enumerate(self.table.columns)
            if column.kind == "count" and all(r[i].withheld for r in self.rows)
        ]

    @property
    def all_withheld(self) -> bool:
        """Every count of the table is hidden: the page says so instead of a table of x."""
        counts = [i for i, c in enumerate(self.table.columns) if c.kind == "count"]
        return bool(counts) and self.withheld_columns == counts

    @property
    def columns_shown(self) -> list[Column]:
        left_out = set(self.withheld_columns)
        return [c for i, c in enumerate(self.table.columns) if i not in left_out]

    @property
    def rows_shown(self) -> list[list[Shown]]:
        left_out = set(self.withheld_columns)
        return [[c for i, c in enumerate(r) if i not in left_out] for r in self.rows]

    @property
    def withheld_shown(self) -> int:
        """How many "x" the page shows: those of the columns it shows."""
        return sum(c.withheld for r in self.rows_shown for c in r)

    @property
    def withheld_labels(self) -> str:
        return ", ".join(str(self.table.columns[i].label) for i in self.withheld_columns)


def _with_every_month(table: Table, rows: Sequence[Sequence[Cell]], query: Query) -> list[Any]:
    """A table by month lists every month of the period, those without a figure as 0."""
    if not table.columns or table.columns[0].kind != "month":
        return list(rows)
    found = {r[0]: r for r in rows}
    zeros = [0] * (len(table.columns) - 1)
    return [found.get(m, (m, *zeros)) for m in months_of(query)]


def _pinned(cells: Sequence[Shown], total: int, limit: int) -> bool:
    """Whether a reader who knows the line's total can work out one of its hidden counts:
    each small one lies in 1..limit-1, each withheld one between its floor and the total,
    and together they make what the shown ones leave of the total."""
    hidden = [c for c in cells if not c.shown]
    if not hidden:
        return False
    rest = total - sum(c.count for c in cells if c.shown)
    bounds = [(1, limit - 1) if c.hidden else (c.floor, total) for c in hidden]
    low_sum = sum(lo for lo, _hi in bounds)
    high_sum = sum(hi for _lo, hi in bounds)
    for lo, hi in bounds:
        if max(lo, rest - (high_sum - hi)) >= min(hi, rest - (low_sum - lo)):
            return True
    return False


def _protect(table: Table, rows: list[list[Shown]], limit: int) -> None:
    """Secondary suppression: while a line's hidden counts could be worked out, hide the
    smallest count shown beside them; with none left, a column is hidden whole (zeros too),
    a row's first count is hidden.

    The lines are every count column, whose total the other tables give, then, in a table
    whose counts split the first, every row whose first count is shown (its parts, with that
    count as their total). The first line in that order whose hidden counts could be worked
    out is protected next. A count hidden changes what a reader can tell only in its column
    and its row, so only those are read again."""
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    if not counts:
        return
    width = len(counts)
    places = [[(r, i) for r in range(len(rows))] for i in counts]
    totals = [sum(row[i].count for row in rows) for i in counts]
    if table.split:
        places += [[(r, i) for i in counts[1:]] for r in range(len(rows))]
        totals += [row[counts[0]].count for row in rows]

    def to_hide(line: int) -> tuple[list[tuple[int, int]], int] | None:
        """The cells to hide for the line, with what a reader may still know of them (at
        least the limit, or nothing); None when it needs none or is left as it is."""
        column = line < width
        if not column and not rows[line - width][counts[0]].shown:
            return None  # its first count hidden, a reader has no total for its parts
        cells = [rows[r][i] for r, i in places[line]]
        if not _pinned(cells, totals[line], limit):
            return None
        shown = [(c.count, n) for n, c in enumerate(cells) if c.shown and c.count]
        if shown:
            return [places[line][min(shown, key=lambda s: s[0])[1]]], limit
        if column and len(cells) > 1 and any(c.shown or c.hidden or c.floor for c in cells):
            return places[line], 0
        if not column:
            return [(line - width, counts[0])], limit
        return None  # a column of one row is its total, whatever is hidden (ADR 16)

    position = {i: n for n, i in enumerate(counts)}
    pending = [line for line in range(len(places)) if to_hide(line) is not None]
    due = set(pending)
    while pending:
        line = heapq.heappop(pending)
        if line not in due:
            continue  # found due once, no longer
        due.discard(line)
        hide = to_hide(line)
        assert hide is not None  # its cells have not changed since it was found due
        for r, i in hide[0]:
            rows[r][i].hidden, rows[r][i].withheld, rows[r][i].floor = False, True, hide[1]
        touched = {position[i] for _r, i in hide[0]}
        if table.split:
            touched |= {width + r for r, _i in hide[0]}
        for again in touched:
            if to_hide(again) is None:
                due.discard(again)
            elif again not in due:
                due.add(again)
                heapq.heappush(pending, again)


def report_table(table: Table, query: Query, limit: int) -> ReportTable:
    """One table worked out: a sensitive table's counts from 1 to limit - 1 hidden, others
    with them so that none can be worked out from the totals, and no total row (it would
    give a hidden count away); any other table gets its totals."""
    kinds = [c.kind for c in table.columns]
    rows: list[list[Shown]] = []
    for raw in _with_every_month(table, table.rows(query), query):
        row = []
        for kind, value in zip(kinds, raw, strict=True):
            small = (
                table.sensitive and kind == "count" and isinstance(value, int) and 0 < value < limit
            )
            row.append(Shown(kind, value, small))
        rows.append(row)
    if table.sensitive:
        _protect(table, rows, limit)
    totals: list[int | None] | None = None
    if not table.sensitive and rows:
        totals = [
            sum(v for r in rows if isinstance(v := r[i].value, int)) if kind == "count" else None
            for i, kind in enumerate(kinds)
        ]
    return ReportTable(
        table,
        rows,
        totals,
        hidden=sum(c.hidden for r in rows for c in r),
        limit=limit,
        withheld=sum(c.withheld for r in rows for c in r),
    )


def statistics_for_user(
    *, user: Any, filters: ReportFilter, at: dt.datetime, code: str | None = None, fmt: str = ""
) -> list[ReportTable]:
    """Every registered table (or the one named `code`) for the filter, the read audited:
    who, which tables, which period and office, shown on the page or exported as `fmt`."""
    if not reports_allowed(user):
        raise NotFound("not_found", _("Not found."))
    if not user.sees_all_offices and (
        filters.office is None or filters.office.pk != user.office_id
    ):
        raise NotFound("not_found", _("Not found."))
    tables = [t for t in all_tables() if code is None or t.code == code]
    if not tables:
        raise NotFound("not_found", _("Not found."))
    query = Query(
        first_day=filters.first_day,
        last_day=filters.last_day,
        office_id=filters.office.pk if filters.office else None,
        at=at,
    )
    limit = small_count_limit()
    results = [report_table(t, query, limit) for t in tables]
    audit_record(
        actor=user,
        action="REPORT_EXPORTED" if fmt else "REPORT_VIEWED",
        entity_type="reports.statistics",
        entity_id=code or "statistics",
        data={**filters.describe(), "tables": [t.code for t in tables], "format": fmt or "page"},
    )
    return results
