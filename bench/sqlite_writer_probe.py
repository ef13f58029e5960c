"""Another writer beside a long import on SQLite: every 0.5 s one small write transaction
(BEGIN IMMEDIATE, as UMIS's SQLite connections begin theirs, with the same 20 s busy
timeout), until STOP_FILE exists; then the worst wait, the median, the 99th percentile,
how many waited over 1 s and how many gave up with "database is locked", as JSON in OUT.

    python bench/sqlite_writer_probe.py DB STOP_FILE OUT &
    DATABASE_URL=sqlite:///DB umis watchlist import entries.csv --list bench --quiet
    touch STOP_FILE

(docs/benchmarks.md, "Watchlist import beside other writers on SQLite").
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time


def main() -> None:
    db, stop_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
    con = sqlite3.connect(db, timeout=20, isolation_level=None)
    con.execute("PRAGMA busy_timeout=20000")
    con.execute("CREATE TABLE IF NOT EXISTS probe_write (id INTEGER PRIMARY KEY, at REAL)")
    waits: list[float] = []
    locked = 0
    while not os.path.exists(stop_file):
        t0 = time.monotonic()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO probe_write (at) VALUES (?)", (time.time(),))
            con.execute("COMMIT")
        except sqlite3.OperationalError:
            locked += 1
            try:
                con.execute("ROLLBACK")
            except sqlite3.OperationalError:
                pass
        waits.append(time.monotonic() - t0)
        time.sleep(0.5)
    waits.sort()
    n = len(waits)
    result = {
        "writes": n,
        "locked": locked,
        "max_wait_s": round(waits[-1], 3) if n else None,
        "p50_s": round(waits[n // 2], 3) if n else None,
        "p99_s": round(waits[int(n * 0.99)], 3) if n else None,
        "over_1s": sum(1 for w in waits if w > 1),
    }
    with open(out, "w") as f:
        json.dump(result, f)
    print(result)


if __name__ == "__main__":
    main()
