"""Small counts in a sensitive table cannot be worked out from the totals a reader has: the
column totals (the other tables give them) and, where the other counts split the first, each
row's first count. Checked by enumerating every table a reader could take the shown one for."""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from umis.core.statistics import Cell, Column, Query, Table
from umis.reports.selectors import ReportTable, Shown, _pinned, _protect, report_table

LIMIT = 5


def _table(rows: Sequence[Sequence[Cell]], counts: int, split: bool = False) -> Table:
    return Table(
        code="test_table",
        section="test",
        title="test",
        note="",
        columns=(Column("Nationality", "label"), *[Column(f"c{i}") for i in range(counts)]),
        rows=lambda _query: rows,
        sensitive=True,
        split=split,
    )


def shown(rows: Sequence[Sequence[Cell]], counts: int = 1, split: bool = False) -> list[list[str]]:
    report = report_table(_table(rows, counts, split), Query(None, None, None, None), LIMIT)  # type: ignore[arg-type]
    return [[c.csv(LIMIT) for c in r] for r in report.rows]


def test_a_single_small_count_takes_the_smallest_other_with_it() -> None:
    # Saudi Arabia 4 would be the total (404, from the table by month) less the rest
    assert shown([("DE", 6), ("SA", 4), ("TR", 394)]) == [
        ["DE", "x"],
        ["SA", "<5"],
        ["TR", "394"],
    ]


def test_small_counts_that_can_only_be_ones_hide_their_column() -> None:
    # two overstays in all (the table by kind): Russia 1 and Türkiye 1 would follow
    assert shown([("RU", 1), ("TR", 1), ("DE", 0)]) == [["RU", "x"], ["TR", "x"], ["DE", "x"]]


def test_counts_that_cannot_be_pinned_stay_as_they_are() -> None:
    assert shown([("DE", 2), ("RU", 3), ("TR", 6)]) == [["DE", "<5"], ["RU", "<5"], ["TR", "6"]]


def test_a_split_row_hides_a_part_the_others_would_give_away() -> None:
    rows = [("TR", 6, 0, 5, 1), ("DE", 9, 0, 9, 0), ("RU", 30, 10, 10, 10), ("AZ", 40, 10, 20, 10)]
    assert shown(rows, counts=4, split=True) == [
        # 6 applications of which 5 issued give the one refused: the 5 is hidden; an x being
        # at least 5, the 6 would still give it away, so the 6 is hidden too; then others go
        # with them, so that none follows from its column's total
        ["TR", "x", "0", "x", "<5"],
        ["DE", "x", "0", "x", "0"],
        ["RU", "30", "x", "10", "x"],
        ["AZ", "40", "x", "20", "x"],
    ]


def test_one_row_is_its_own_total_and_is_left_alone() -> None:
    assert shown([("TR", 3)]) == [["TR", "<5"]]


def _readings(report: ReportTable, column: int, total: int) -> list[tuple[int, ...]]:
    """Every column a reader could take the shown one for: its hidden counts within what
    the page says of them, adding up to the known total."""
    options = []
    for row in report.rows:
        cell = row[column]
        if cell.hidden:
            options.append(range(1, LIMIT))
        elif cell.withheld:
            options.append(range(cell.floor, total + 1))
        else:
            options.append(range(cell.count, cell.count + 1))
    return [v for v in itertools.product(*options) if sum(v) == total]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=5))
def test_no_hidden_count_can_be_worked_out_from_the_column_total(values: list[int]) -> None:
    rows = [(f"N{i}", v) for i, v in enumerate(values)]
    report = report_table(_table(rows, 1), Query(None, None, None, None), LIMIT)  # type: ignore[arg-type]
    readings = _readings(report, 1, sum(values))
    assert tuple(values) in readings  # what is shown is true
    for i, row in enumerate(report.rows):
        if not row[1].shown:
            assert len({r[i] for r in readings}) > 1, (values, [c.csv(LIMIT) for c in row])


def _lines_reference(table: Table, rows: list[list[Shown]]) -> list[tuple[list[Shown], int, bool]]:
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    lines = [([r[i] for r in rows], sum(r[i].count for r in rows), True) for i in counts]
    if table.split and counts:
        lines += [
            ([r[i] for i in counts[1:]], r[counts[0]].count, False)
            for r in rows
            if r[counts[0]].shown
        ]
    return lines


def _protect_reference(table: Table, rows: list[list[Shown]], limit: int) -> None:
    """Secondary suppression as it read every line again after each count it hid: the
    first line, in the order of `_lines_reference`, whose hidden counts could be worked out
    is protected, then the lines are read from the start."""
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    changed = True
    while changed:
        changed = False
        for cells, total, column in _lines_reference(table, rows):
            if not _pinned(cells, total, limit):
                continue
            shown = [c for c in cells if c.shown and c.count]
            if shown:
                smallest = min(shown, key=lambda c: c.count)
                smallest.withheld, smallest.floor = True, limit
            elif column and len(cells) > 1 and any(c.shown or c.hidden or c.floor for c in cells):
                for c in cells:
                    c.hidden, c.withheld, c.floor = False, True, 0
            elif not column:
                first = next(r[counts[0]] for r in rows if cells[0] is r[counts[1]])
                first.withheld, first.floor = True, limit
            else:
                continue
            changed = True
            break


def _count(rng: random.Random, zeros: float, small: float) -> int:
    kind = rng.random()
    if kind < zeros:
        return 0
    if kind < zeros + small:
        return rng.randint(1, LIMIT - 1)
    return rng.choice((rng.randint(LIMIT, 12), rng.randint(LIMIT, 400)))


def _random_table(rng: random.Random) -> tuple[Table, list[list[Shown]]]:
    # mostly short tables (a period, an office), one in twenty-five up to 250 nationalities
    if rng.random() < 0.04:
        height = rng.randint(1, 250)
    else:
        height = rng.choice((rng.randint(1, 12), rng.randint(1, 60)))
    counts = rng.randint(1, 8)
    split = rng.random() < 0.6
    zeros, small = rng.uniform(0, 0.5), rng.uniform(0.1, 0.8)
    values = []
    for _ in range(height):
        parts = [_count(rng, zeros, small) for _ in range(counts - 1)]
        if split and rng.random() < 0.9:
            values.append([sum(parts), *parts])  # the parts add up to the first
        else:
            values.append([_count(rng, zeros, small), *parts])
    table = _table([(f"N{i}", *v) for i, v in enumerate(values)], counts, split)
    rows = [
        [Shown("label", f"N{i}")] + [Shown("count", n, 0 < n < LIMIT) for n in v]
        for i, v in enumerate(values)
    ]
    return table, rows


def _marks(rows: list[list[Shown]]) -> list[list[tuple[bool, bool, int]]]:
    return [[(c.hidden, c.withheld, c.floor) for c in r] for r in rows]


def test_the_counts_hidden_are_those_of_reading_every_line_again_after_each() -> None:
    # a count hidden changes only its column and its row; reading only those again must
    # hide exactly what reading every line again did, table after table
    rng = random.Random(16)
    for n in range(2500):
        table, rows = _random_table(rng)
        expected = copy.deepcopy(rows)
        _protect_reference(table, expected, LIMIT)
        _protect(table, rows, LIMIT)
        assert _marks(rows) == _marks(expected), (n, [[c.value for c in r] for r in rows])
