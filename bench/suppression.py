"""Small-count suppression of a sensitive table by nationality, alone (no database): the time
`report_table` takes to hide the small counts and the others that would give them away.

    python bench/suppression.py [ROWS ...]   # default: 200 and 40 rows

Each table is seeded random, shaped as the e-visa table by nationality: six count columns,
the first (applications) split by the other five (what became of them), each part zero,
small (1-4) or larger in about equal shares. Prints, per size, the median and the fastest of
the runs (wall and CPU time of this process) and how many counts were hidden.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

django.setup()

from umis.core.statistics import Cell, Column, Query, Table  # noqa: E402
from umis.reports.selectors import report_table  # noqa: E402

LIMIT = 5
PARTS = 5
RUNS = int(os.environ.get("BENCH_SUPPRESSION_RUNS", "15"))


def _part(rng: random.Random) -> int:
    kind = rng.random()
    if kind < 0.35:
        return 0
    if kind < 0.7:
        return rng.randint(1, LIMIT - 1)
    return rng.randint(LIMIT, 60)


def table(rows: int, seed: int = 2026) -> Table:
    rng = random.Random(seed)
    data: list[tuple[Cell, ...]] = []
    for i in range(rows):
        parts = [_part(rng) for _ in range(PARTS)]
        data.append((f"N{i:03d}", sum(parts), *parts))
    return Table(
        code="bench_by_nationality",
        section="bench",
        title="bench",
        note="",
        columns=(Column("Nationality", "label"), *[Column(f"c{i}") for i in range(PARTS + 1)]),
        rows=lambda _query: data,
        sensitive=True,
        split=True,
    )


def main() -> None:
    query = Query(None, None, None, None)  # type: ignore[arg-type]
    for rows in [int(a) for a in sys.argv[1:]] or [200, 40]:
        bench = table(rows)
        report_table(bench, query, LIMIT)  # warm
        times, cpu = [], []
        for _ in range(RUNS):
            started, used = time.perf_counter(), time.process_time()
            report = report_table(bench, query, LIMIT)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        print(
            f"{rows:>4} rows x {PARTS + 1} counts: p50 {statistics.median(times):.2f} ms, "
            f"min {min(times):.2f} ms, CPU p50 {statistics.median(cpu):.2f} ms; "
            f"{report.hidden} small and {report.withheld} others hidden"
        )


if __name__ == "__main__":
    main()
