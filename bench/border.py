"""`make bench-border`: border crossings on PostgreSQL.

1. Ingest: crossings stored per second through `POST /api/v1/border/crossings` (gunicorn,
   batches of 10,000, person linking), first for travellers never seen (identity
   resolution creates persons) and then for known travellers (document match), beside
   psycopg COPY of the same rows into a plain table in the same run.
2. Overstay detection over BENCH_BORDER_CROSSINGS crossings of BENCH_BORDER_PERSONS
   persons generated with generate_series: the daily job (`overstays_detect`, full legal
   basis, findings stored) — time and peak memory of the job's process — beside the same
   set-based computation in DuckDB over the same rows (exported once, loaded before
   timing) in the same run.

Sizes: BENCH_BORDER_PERSONS (default 2,000,000), BENCH_BORDER_CROSSINGS is 5 per person
on average; BENCH_BORDER_BATCHES (default 10 per phase); BENCH_BORDER_PARTS
(default "ingest,detect") runs one part alone. Starts its own PostgreSQL
cluster (port BENCH_BORDER_PG_PORT, default a free one, as bench/run.py) unless
BENCH_DATABASE_URL names a database. Results: printed and written to
bench/results/border.json.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import ROOT, django_env, django_start, free_port  # first: it puts umis on the path

PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT") or free_port())
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CLIENTS = int(os.environ.get("BENCH_BORDER_CLIENTS", "2"))
BATCHES = int(os.environ.get("BENCH_BORDER_BATCHES", "10"))
BATCH = 10_000
PERSONS = int(os.environ.get("BENCH_BORDER_PERSONS", "2000000"))
ON = dt.date(2026, 11, 1)  # control date of the detection (data is generated around it)
RUN = int(time.time()) % 1_000_000  # fresh event ids and documents in every run
NATIONALITIES = ["TR", "RU", "GE", "KZ", "UZ", "AE", "BY", "UA", "AE", "US"]


def pg_start() -> tuple[Any, str]:
    from run import Postgres  # the platform bench's throw-away cluster

    pg = Postgres()
    pg.port = int(os.environ.get("BENCH_BORDER_PG_PORT") or pg.port)
    return pg, pg.start()


# --- ingest ----------------------------------------------------------------------------


def event(n: int, trip: int, direction: str) -> dict[str, Any]:
    """Traveller n's crossing: names from several locales and scripts and birth dates over
    40 years (as bench/run.py's guests), so every new traveller is a distinct person to
    identity resolution, as at a real border."""
    from run import GIVEN_NAMES, SURNAMES

    rng = random.Random(n)
    base = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=n % 400_000)
    at = base + dt.timedelta(days=trip * 20 + (1 if direction == "exit" else 0) * 7)
    return {
        "event_id": f"I{RUN}-{n}-{trip}-{direction[:2]}",
        "crossing_point": "gyd" if n % 3 else "samur",
        "direction": direction,
        "timestamp": at.isoformat(),
        "document_type": "passport",
        "document_number": f"I{RUN:06d}{n:08d}",
        "issuing_state": "TUR" if n % 2 else "RUS",
        "document_expiry": "2031-01-01",
        "surname": rng.choice(SURNAMES),
        "given_names": rng.choice(GIVEN_NAMES),
        "birth_date": (dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))).isoformat(),
        "sex": rng.choice("MF"),
        "nationality": "TR" if n % 2 else "RU",
    }


# share of first-seen travellers in a mixed stream: in the detection data every person
# crosses five times, so one crossing in five is a traveller's first
NEW_SHARE = float(os.environ.get("BENCH_BORDER_NEW_SHARE", "0.2"))


def mixed_batches() -> list[bytes]:
    """A border's usual stream: mostly travellers already known (a second trip of phase 0's
    travellers), some arriving for the first time, interleaved in every batch."""
    out = []
    new_per_batch = round(BATCH * NEW_SHARE)
    for b in range(BATCHES):
        events = [event(10_000_000 + b * BATCH + i, 0, "entry") for i in range(new_per_batch)]
        events += [event(b * BATCH + i, 1, "entry") for i in range(BATCH - new_per_batch)]
        random.Random(b).shuffle(events)
        out.append(json.dumps({"events": events}).encode())
    return out


def batches_for(phase: int) -> list[bytes]:
    """Phase 0: every traveller new (entry); phase 1: the same travellers leave (known)."""
    out = []
    for b in range(BATCHES):
        events = [event(b * BATCH + i, 0, "entry" if phase == 0 else "exit") for i in range(BATCH)]
        out.append(json.dumps({"events": events}).encode())
    return out


def post_all(key: str, bodies: list[bytes], tag: str) -> dict[str, Any]:
    queue = list(enumerate(bodies))
    lock = threading.Lock()
    stored = 0
    latencies: list[float] = []

    def client() -> None:
        nonlocal stored
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        while True:
            with lock:
                if not queue:
                    return
                index, body = queue.pop()
            began = time.perf_counter()
            conn.request(
                "POST",
                "/api/v1/border/crossings",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "X-API-Key": key,
                    "Idempotency-Key": f"{tag}-{index}",
                },
            )
            response = conn.getresponse()
            data = response.read()
            assert response.status == 200, data[:500]
            with lock:
                latencies.append(time.perf_counter() - began)
                stored += json.loads(data)["stored"]

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "events": len(bodies) * BATCH,
        "stored": stored,
        "seconds": round(elapsed, 2),
        "per_second": round(stored / elapsed),
        "batch_p50_s": round(latencies[len(latencies) // 2], 2),
        "batch_max_s": round(latencies[-1], 2),
    }


def copy_baseline(database_url: str, bodies: list[bytes]) -> dict[str, Any]:
    from run import copy_rows

    return copy_rows(database_url, [e for body in bodies for e in json.loads(body)["events"]])


def bench_ingest(database_url: str) -> dict[str, Any]:
    from run import analyze, gunicorn, wait_ready

    from umis.accounts.models import Role, Scope, User
    from umis.accounts.services import api_client_create
    from umis.border.services import crossing_points_load_defaults
    from umis.reference.services import reference_load_defaults

    reference_load_defaults()
    crossing_points_load_defaults()
    user, _ = User.objects.get_or_create(username="bench.border", defaults={"role": Role.AGENCY})
    _client, key = api_client_create(
        actor=None, name=f"bench {time.time()}", user=user, scopes=[Scope.BORDER_CROSSINGS]
    )
    server = gunicorn(PORT, WORKERS, django_env(database_url), timeout=600)
    try:
        wait_ready(PORT)
        first = batches_for(0)
        known = batches_for(1)
        out: dict[str, Any] = {"batch": BATCH, "server": f"gunicorn, {WORKERS} workers"}
        out["new_travellers"] = post_all(key, first, f"new-{time.time()}")
        out["load_average_after_new"] = [round(x, 2) for x in os.getloadavg()]
        # Statistics as a running registry has them: the phase above filled an empty
        # registry with 100,000 people in half a minute, and until autovacuum's next
        # analyze (a minute or more later) the planner still sees the tables as they were
        # at its last look, a fraction of their size, and joins the block keys by reading
        # the whole table (0.4 s per 5,000 keys instead of 15 ms).
        # (BENCH_BORDER_ANALYZE=0 leaves it to autovacuum.)
        if os.environ.get("BENCH_BORDER_ANALYZE", "1") != "0":
            analyze(database_url)
        out["known_travellers"] = post_all(key, known, f"known-{time.time()}")
        out["load_average_after_known"] = [round(x, 2) for x in os.getloadavg()]
        out["mixed_new_share"] = NEW_SHARE
        out["mixed"] = post_all(key, mixed_batches(), f"mixed-{time.time()}")
        out["load_average_after_mixed"] = [round(x, 2) for x in os.getloadavg()]
        out["copy"] = copy_baseline(database_url, known)
        out["known_to_copy_ratio"] = round(
            out["known_travellers"]["per_second"] / out["copy"]["per_second"], 3
        )
        out["mixed_to_copy_ratio"] = round(
            out["mixed"]["per_second"] / out["copy"]["per_second"], 3
        )
        out["new_to_copy_ratio"] = round(
            out["new_travellers"]["per_second"] / out["copy"]["per_second"], 3
        )
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- overstay detection at scale ----------------------------------------------------------

GENERATE = """
WITH p AS (
    SELECT g, %(base)s::bigint + g AS person_id,
           ((g * 7919) %% 1000)::int AS r1, ((g * 104729) %% 1000)::int AS r2,
           ((g * 1299709) %% 1000)::int AS r3,
           (%(nats)s::varchar[])[1 + (g * 31) %% %(n_nats)s] AS nat
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g
)
INSERT INTO border_crossing (event_id, occurred_at, day, direction, crossing_point, person_id,
    document_type, document_number, issuing_state, nationality, surname, given_names,
    birth_date, refusal_reason, source, received_at)
SELECT 'G' || p.g || '-' || d.e,
       (d.day + time '08:00' + (p.g %% 600) * interval '1 minute' + d.e * interval '10 minutes')
           AT TIME ZONE 'Asia/Baku',
       d.day, d.dir, 'gyd', p.person_id, 'passport', 'G' || p.g, p.nat, p.nat, 'P' || p.g, 'X',
       date '1980-01-01', '', 'bench', now()
FROM p CROSS JOIN LATERAL (VALUES
    (1, %(on)s::date - (400 + p.r2 %% 300), 'entry'),
    (2, %(on)s::date - (400 + p.r2 %% 300) + p.r3 %% 30, 'exit'),
    (3, %(on)s::date - (140 + p.r3 %% 50), 'entry'),
    (4, %(on)s::date - (140 + p.r3 %% 50) + p.r2 %% 40, 'exit'),
    (5, CASE WHEN p.r1 < 500 THEN %(on)s::date - (60 + p.r2 %% 30)
             WHEN p.r3 < 960 THEN %(on)s::date - p.r2 %% 14
             WHEN p.r3 < 990 THEN %(on)s::date - (16 + p.r2 %% 40)
             ELSE %(on)s::date - (91 + p.r2 %% 9) END, 'entry'),
    (6, %(on)s::date - (60 + p.r2 %% 30) + p.r3 %% 20, 'exit')
) AS d(e, day, dir)
WHERE d.e <= CASE WHEN p.r1 < 250 THEN 4 WHEN p.r1 < 500 THEN 6 ELSE 5 END
"""

PERSONS_SQL = """
INSERT INTO people_person (id, surname, given_names, patronymic, birth_date, sex,
    nationality_id, search_name, merged_into_id, created_at, updated_at, created_by_id,
    birth_year_only, match_key)
SELECT %(base)s::bigint + g, 'P' || g, 'X', '', date '1980-01-01', 'M',
       (%(nats)s::varchar[])[1 + (g * 31) %% %(n_nats)s], 'p' || g || ' x', NULL, now(), now(), NULL,
       false, 'p' || g || ' x'
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g
"""

# each person's latest entry is the first day of their latest stay (the service's rule):
# the generated crossings alternate entry and exit, with no missed exit
PRESENCE_SQL = """
INSERT INTO border_presence (person_id, nationality, last_event_at, last_direction, last_day,
    entry_day, entry_point)
SELECT l.person_id, l.nationality, l.occurred_at, l.direction, l.day, e.day, 'gyd'
FROM (SELECT DISTINCT ON (person_id) person_id, nationality, occurred_at, direction, day
      FROM border_crossing WHERE source = 'bench' ORDER BY person_id, occurred_at DESC) l
JOIN (SELECT DISTINCT ON (person_id) person_id, day FROM border_crossing
      WHERE source = 'bench' AND direction = 'entry' ORDER BY person_id, occurred_at DESC) e
  ON e.person_id = l.person_id
ON CONFLICT (person_id) DO NOTHING
"""


def generate(database_url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        done = conn.execute(
            "SELECT count(*) FROM border_crossing WHERE source = 'bench'"
        ).fetchone()
        if done and done[0] > 0:
            count = done[0]
            conn.execute("VACUUM ANALYZE border_crossing")  # as autovacuum would have
            conn.execute("VACUUM ANALYZE border_presence")
            return {"crossings": count, "reused": True, "seconds": 0}
        began = time.perf_counter()
        base = conn.execute("SELECT coalesce(max(id), 0) + 1000 FROM people_person").fetchone()
        assert base is not None
        params: dict[str, Any] = {
            "base": base[0],
            "nats": NATIONALITIES,
            "n_nats": len(NATIONALITIES),
            "on": ON,
        }
        step = 250_000
        conn.execute("SET synchronous_commit = off")  # bulk load only; not the job measured
        for lo in range(1, PERSONS + 1, step):
            bounds = {"lo": lo, "hi": min(lo + step - 1, PERSONS)}
            conn.execute(PERSONS_SQL, params | bounds)
            conn.execute(GENERATE, params | bounds)
            print(f"  generated persons up to {bounds['hi']:,}", file=sys.stderr, flush=True)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('people_person', 'id'), "
            "(SELECT max(id) FROM people_person))"
        )
        conn.execute(PRESENCE_SQL)
        # a crossing table filled over years has been vacuumed by autovacuum long since;
        # without this the job's first read sets the hint bits of 10 M fresh rows
        conn.execute("VACUUM ANALYZE border_crossing")
        conn.execute("VACUUM ANALYZE border_presence")
        conn.execute("VACUUM ANALYZE people_person")
        count = conn.execute(
            "SELECT count(*) FROM border_crossing WHERE source = 'bench'"
        ).fetchone()
        return {
            "crossings": count[0] if count else 0,
            "persons": PERSONS,
            "seconds": round(time.perf_counter() - began, 1),
        }


def detect_in_process() -> None:
    """Run by a child process, so its peak memory is the job's own."""
    from umis.border.overstays import overstays_detect

    began = time.perf_counter()
    summary = overstays_detect(on=ON)
    summary["wall_seconds"] = round(time.perf_counter() - began, 2)
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(summary))


def detect(database_url: str, label: str) -> dict[str, Any]:
    out = subprocess.run(
        [PY, str(Path(__file__).resolve()), "detect"],
        cwd=ROOT,
        env=django_env(database_url),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["run"] = label
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


DUCK_SQL = """
WITH lim AS (SELECT * FROM limits),
per_stay AS (
    SELECT p.person_id FROM presence p JOIN lim ON lim.nationality = p.nationality
    WHERE lim.stay_only AND p.last_direction = 'entry' AND p.entry_day <= DATE '{on}'
      AND date_diff('day', p.entry_day, DATE '{on}') + 1 > lim.days
),
inside AS (
    SELECT p.person_id, p.entry_day, lim.days
    FROM presence p JOIN lim ON lim.nationality = p.nationality
    WHERE NOT lim.stay_only AND p.last_direction = 'entry' AND p.entry_day <= DATE '{on}'
),
ev AS (
    SELECT c.person_id, c.day, c.direction,
           lag(c.direction) OVER w AS prev_dir, lag(c.day) OVER w AS prev_day
    FROM crossing c JOIN inside i ON i.person_id = c.person_id
    WHERE c.day >= DATE '{ws}' AND c.day <= DATE '{on}' AND c.direction <> 'refused'
    WINDOW w AS (PARTITION BY c.person_id ORDER BY c.occurred_at)
),
closed AS (
    SELECT person_id,
           sum(date_diff('day', CASE WHEN prev_dir = 'entry' THEN greatest(prev_day, DATE '{ws}')
                                     ELSE DATE '{ws}' END, day) + 1) AS days
    FROM ev WHERE direction = 'exit' GROUP BY person_id
),
over AS (
    SELECT i.person_id FROM inside i LEFT JOIN closed cl ON cl.person_id = i.person_id
    WHERE coalesce(cl.days, 0) + date_diff('day', greatest(i.entry_day, DATE '{ws}'), DATE '{on}') + 1 > i.days
    UNION ALL SELECT person_id FROM per_stay
),
missed AS (
    SELECT p.person_id FROM presence p
    WHERE p.last_direction = 'entry' AND p.entry_day < DATE '{on}' - INTERVAL 15 DAY
)
SELECT (SELECT count(*) FROM over), (SELECT count(*) FROM missed)
"""


def duckdb_baseline(database_url: str) -> dict[str, Any]:
    import duckdb
    import psycopg

    from umis.border.overstays import _limits

    smallest, window, per_stay = _limits(ON)
    with tempfile.TemporaryDirectory() as tmp:
        crossing_csv = Path(tmp) / "crossing.csv"
        presence_csv = Path(tmp) / "presence.csv"
        with psycopg.connect(database_url) as conn, conn.cursor() as cur:
            for path, query in (
                (
                    crossing_csv,
                    "COPY (SELECT person_id, occurred_at, day, direction FROM border_crossing)"
                    " TO STDOUT WITH CSV HEADER",
                ),
                (
                    presence_csv,
                    "COPY (SELECT person_id, nationality, last_direction, entry_day"
                    " FROM border_presence) TO STDOUT WITH CSV HEADER",
                ),
            ):
                with path.open("wb") as f, cur.copy(query) as copy:
                    for block in copy:
                        f.write(block)
        db = duckdb.connect()
        db.execute(f"CREATE TABLE crossing AS SELECT * FROM read_csv_auto('{crossing_csv}')")
        db.execute(f"CREATE TABLE presence AS SELECT * FROM read_csv_auto('{presence_csv}')")
        db.execute("CREATE TABLE limits (nationality VARCHAR, days INTEGER, stay_only BOOLEAN)")
        db.executemany(
            "INSERT INTO limits VALUES (?, ?, ?)",
            [(n, d, n in per_stay) for n, d in smallest.items()],
        )
        ws = ON - dt.timedelta(days=window - 1)
        began = time.perf_counter()
        row = db.execute(DUCK_SQL.format(on=ON.isoformat(), ws=ws.isoformat())).fetchone()
        elapsed = time.perf_counter() - began
        assert row is not None
        return {
            "seconds": round(elapsed, 2),
            "over_limit": row[0],
            "past_registration_deadline": row[1],
            "threads": db.execute("SELECT current_setting('threads')").fetchone()[0],  # type: ignore[index]
        }


def candidates_sql_only(database_url: str) -> dict[str, Any]:
    """The PostgreSQL set-based stage alone (what DuckDB computes), timed the same way."""
    from django.db import connection

    from umis.border.overstays import _candidates_sql, _limits

    smallest, window, per_stay = _limits(ON)
    began = time.perf_counter()
    found = _candidates_sql(ON, smallest, window, per_stay)
    elapsed = time.perf_counter() - began
    connection.close()
    return {"seconds": round(elapsed, 2), "over_limit": len(found)}


def main() -> None:
    if sys.argv[1:] == ["detect"]:
        import django

        django.setup()
        detect_in_process()
        return
    pg = None
    database_url = os.environ.get("BENCH_DATABASE_URL")
    if not database_url:
        pg, database_url = pg_start()
    try:
        subprocess.run(
            [PY, "manage.py", "migrate", "-v", "0"],
            cwd=ROOT,
            env=django_env(database_url),
            check=True,
        )
        django_start(database_url)
        results: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "database": "PostgreSQL (fsync=on, synchronous_commit=on), crossings partitioned by month",
        }
        parts = os.environ.get("BENCH_BORDER_PARTS", "ingest,detect").split(",")
        if "ingest" in parts:
            results["ingest"] = bench_ingest(database_url)
            print(json.dumps(results["ingest"], indent=2), file=sys.stderr, flush=True)
        if "detect" not in parts:
            print(json.dumps(results, indent=2))
            return
        from umis.border.services import crossing_points_load_defaults
        from umis.reference.services import reference_load_defaults

        reference_load_defaults()  # countries and stay rules (loaded by the ingest part too)
        crossing_points_load_defaults()
        results["data"] = generate(database_url)
        print(json.dumps(results["data"]), file=sys.stderr, flush=True)
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("TRUNCATE border_overstayfinding, border_detectionrun")
        results["detection_first_run"] = detect(database_url, "first run: findings opened")
        results["detection_rerun"] = detect(database_url, "rerun: findings refreshed")
        results["postgres_set_stage"] = candidates_sql_only(database_url)
        results["duckdb"] = duckdb_baseline(database_url)
        results["ratio_first_run_to_duckdb"] = round(
            results["detection_first_run"]["wall_seconds"]
            / max(results["duckdb"]["seconds"], 1e-3),
            1,
        )
        results["ratio_job_to_duckdb"] = round(
            results["detection_rerun"]["wall_seconds"] / max(results["duckdb"]["seconds"], 1e-3), 1
        )
        results["ratio_set_stage_to_duckdb"] = round(
            results["postgres_set_stage"]["seconds"] / max(results["duckdb"]["seconds"], 1e-3), 1
        )
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "border.json").write_text(json.dumps(results, indent=2))
        print(json.dumps(results, indent=2))
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
