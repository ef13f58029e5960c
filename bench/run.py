"""`make bench`: place-of-stay registration throughput on PostgreSQL, over HTTP, against
gunicorn with several workers, beside psycopg COPY of the same rows and beside bare
django-ninja endpoints (bench/bare: validation and one INSERT or one bulk_create) served the
same way, in the same run; and the officer queue page with 100,000 cases.

Starts its own PostgreSQL cluster in a temporary folder (Debian's postgresql package)
unless BENCH_DATABASE_URL names one. Results: printed, and written to bench/results/.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import ROOT, free_port  # first: it puts umis on the path

PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT") or free_port())
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
BATCHES = int(os.environ.get("BENCH_BATCHES", "30"))
SINGLES = int(os.environ.get("BENCH_SINGLES", "4000"))
QUEUE_CASES = int(os.environ.get("BENCH_QUEUE_CASES", "100000"))
# known people already in the registry when the guests arrive (intake matches against them)
REGISTRY = int(os.environ.get("BENCH_REGISTRY_PERSONS", "0"))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Postgres:
    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            sys.exit(
                "PostgreSQL is not installed: apt-get install postgresql (or set BENCH_DATABASE_URL)"
            )
        self.bin = bins[-1]
        self.dir = tempfile.mkdtemp(prefix="umis-bench-pg.")
        self.port = int(os.environ.get("BENCH_PG_PORT") or free_port())

    def _as_postgres(self, *args: str) -> None:
        command = " ".join(args)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            subprocess.run(["su", "postgres", "-c", command], check=True, stdout=subprocess.DEVNULL)
        else:
            subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        self._as_postgres(
            f"{self.bin}/initdb",
            "-D",
            self.dir,
            "-A",
            "trust",
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        self._as_postgres(
            f"{self.bin}/pg_ctl",
            "-D",
            self.dir,
            "-o",
            f"'-p {self.port} -k /tmp -c fsync=on -c synchronous_commit=on -c shared_buffers=512MB -c max_connections=200'",
            "-l",
            f"{self.dir}/log",
            "-w",
            "start",
        )
        subprocess.run(
            [
                "psql",
                "-h",
                "/tmp",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE umis_bench",
            ],
            check=True,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/umis_bench"

    def postmaster(self) -> int:
        return int(Path(self.dir, "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        """Stop the cluster and delete its files (a full-size run leaves gigabytes), unless
        BENCH_KEEP_PG=1 keeps them for a look afterwards."""
        self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.dir, "-m", "fast", "stop")
        if os.environ.get("BENCH_KEEP_PG") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by a process and all its descendants, those that have
    exited included (a parent that reaps a child adds the child's time to its own)."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        # utime, stime, cutime, cstime (fields 14–17 of proc(5))
        times[pid] = sum(int(x) for x in fields[11:15]) / _TICK
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


class CpuMeter:
    """Where a phase's CPU went: the web server's processes, PostgreSQL's (when the script
    started the cluster) and the benchmark's own client threads."""

    def __init__(self, server: subprocess.Popen[bytes], pg: Postgres | None) -> None:
        self.server = server.pid
        self.postmaster = pg.postmaster() if pg is not None else None
        self._settle()

    def _settle(self, quiet: float = 0.05, most: float = 60.0) -> None:
        """Wait until the server's workers have booted (imports, the screening index):
        their start is not part of any phase."""
        last, began = tree_cpu_seconds(self.server), time.perf_counter()
        while time.perf_counter() - began < most:
            time.sleep(0.5)
            now = tree_cpu_seconds(self.server)
            if now - last < quiet:
                return
            last = now

    def _now(self) -> dict[str, float]:
        import resource

        own = resource.getrusage(resource.RUSAGE_SELF)
        now = {"server": tree_cpu_seconds(self.server), "clients": own.ru_utime + own.ru_stime}
        if self.postmaster is not None:
            now["postgres"] = tree_cpu_seconds(self.postmaster)
        return now

    def measure(self, phase: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Run a phase (a bench_* function) and add its CPU per stored registration, in ms."""
        before = self._now()
        result: dict[str, Any] = phase(*args, **kwargs)
        after = self._now()
        count = result.get("stored", result.get("requests", 0) - result.get("failures", 0))
        count = max(count, 1)
        result["cpu_ms_per_registration"] = {
            k: round((after[k] - before[k]) * 1000 / count, 2) for k in before
        }
        return result


def gunicorn_command(
    port: int, workers: int, timeout: int = 120, app: str = "config.wsgi:application"
) -> list[str]:
    """The production server (gunicorn, sync workers) on 127.0.0.1:`port`."""
    return [
        PY,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--timeout",
        str(timeout),
        "--no-control-socket",  # one per user by default: servers run side by side here
    ]


def gunicorn(
    port: int,
    workers: int,
    env: dict[str, str],
    timeout: int = 120,
    app: str = "config.wsgi:application",
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(gunicorn_command(port, workers, timeout, app), cwd=ROOT, env=env)


def wait_ready(port: int, tries: int = 150) -> None:
    """Until the server on `port` answers (the OpenAPI document), at most `tries` × 0.2 s."""
    for _ in range(tries):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)


def _name_pools() -> tuple[list[str], list[str]]:
    """Surnames and given names as registrations bring them: several locales and scripts."""
    from faker import Faker

    surnames: list[str] = []
    given: list[str] = []
    for locale in ("az_AZ", "ru_RU", "tr_TR", "en_US", "fa_IR", "ar_AA"):
        fake = Faker(locale)
        fake.seed_instance(2026)
        surnames += list(dict.fromkeys(fake.last_name() for _ in range(400)))
        given += list(dict.fromkeys(fake.first_name() for _ in range(200)))
    return surnames, given


SURNAMES, GIVEN_NAMES = _name_pools()


def guest(n: int, today: dt.date) -> dict[str, Any]:
    rng = random.Random(n)
    return {
        "surname": rng.choice(SURNAMES),
        "given_names": rng.choice(GIVEN_NAMES),
        "birth_date": (dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))).isoformat(),
        "sex": rng.choice("MF"),
        "nationality": rng.choice(["TR", "RU", "US", "IR", "GE"]),
        "document_type": "passport",
        "document_number": f"B{n:08d}",
        "issuing_state": "TR",
        "document_expiry": (today + dt.timedelta(days=1000)).isoformat(),
        "region": "baku",
        "city": "Baku",
        "street": "Nizami 10",
        "arrival_date": (today - dt.timedelta(days=1)).isoformat(),
        "planned_departure": (today + dt.timedelta(days=10)).isoformat(),
    }


def request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, time.perf_counter() - start


def _headers(key: str | None) -> dict[str, str]:
    return {"Content-Type": "application/json", **({"X-API-Key": key} if key else {})}


def bench_bulk(
    key: str | None,
    start_number: int,
    port: int = PORT,
    path: str = "/api/v1/stay-registrations/bulk",
) -> dict[str, Any]:
    today = dt.date.today()
    batches = [
        json.dumps(
            {"items": [guest(start_number + b * 1000 + i, today) for i in range(1000)]}
        ).encode()
        for b in range(BATCHES)
    ]
    latencies: list[float] = []
    stored = 0
    lock = threading.Lock()
    queue = list(enumerate(batches))

    def client() -> None:
        nonlocal stored
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    return
                index, body = queue.pop()
            status, data, took = request(
                conn, "POST", path, body, {**_headers(key), "Idempotency-Key": f"bench-{index}"}
            )
            assert status == 200, data[:500]
            with lock:
                latencies.append(took)
                stored += json.loads(data)["accepted"]

    threads = [threading.Thread(target=client) for _ in range(WORKERS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return {
        "batches": BATCHES,
        "stored": stored,
        "seconds": round(elapsed, 2),
        "per_second": round(stored / elapsed),
        "batch_p50_ms": round(pct(latencies, 50) * 1000),
        "batch_p99_ms": round(pct(latencies, 99) * 1000),
        "clients": WORKERS,
    }


def analyze(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def copy_rows(database_url: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows, flattened to text columns, stored with psycopg COPY into a bare table: the raw
    rate of the database here, the baseline the API figures are compared with."""
    import psycopg

    columns = list(rows[0])
    with psycopg.connect(database_url) as conn:
        conn.execute("CREATE TABLE bench_copy (" + ", ".join(f"{c} text" for c in columns) + ")")
        began = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY bench_copy ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[c] for c in columns])
        conn.commit()
        elapsed = time.perf_counter() - began
        conn.execute("DROP TABLE bench_copy")
    return {
        "rows": len(rows),
        "seconds": round(elapsed, 2),
        "per_second": round(len(rows) / elapsed),
    }


def bench_copy(database_url: str, start_number: int) -> dict[str, Any]:
    """The same registrations as the bulk run, through COPY."""
    today = dt.date.today()
    return copy_rows(database_url, [guest(start_number + i, today) for i in range(BATCHES * 1000)])


def bench_single(
    key: str | None,
    start_number: int,
    clients: int = 8,
    port: int = PORT,
    path: str = "/api/v1/stay-registrations",
) -> dict[str, Any]:
    today = dt.date.today()
    bodies = [json.dumps(guest(start_number + i, today)).encode() for i in range(SINGLES)]
    latencies: list[float] = []
    lock = threading.Lock()
    failures = 0

    def client(part: list[bytes]) -> None:
        nonlocal failures
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for body in part:
            status, _data, took = request(conn, "POST", path, body, _headers(key))
            mine.append(took)
            if status != 201:
                with lock:
                    failures += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(bodies[i::clients],)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return {
        "requests": SINGLES,
        "failures": failures,
        "clients": clients,
        "seconds": round(elapsed, 2),
        "per_second": round(SINGLES / elapsed),
        "p50_ms": round(pct(latencies, 50) * 1000, 1),
        "p99_ms": round(pct(latencies, 99) * 1000, 1),
    }


def bench_queue(session: str, rounds: int = 30) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    timings = []
    for i in range(rounds):
        path = (
            "/en/office/queue/" if i % 3 else "/en/office/queue/?page=50&service=stay_registration"
        )
        status, data, took = request(conn, "GET", path, None, {"Cookie": f"sessionid={session}"})
        assert status == 200, (status, data[:300])
        timings.append(took)
    return {
        "requests": rounds,
        "p50_ms": round(pct(timings, 50) * 1000, 1),
        "p99_ms": round(pct(timings, 99) * 1000, 1),
        "max_ms": round(max(timings) * 1000, 1),
    }


def bench_bare(database_url: str, pg: Postgres | None) -> dict[str, Any]:
    """The same bulk and single runs against the bare endpoints of bench/bare (validation and
    one INSERT or one bulk_create, nothing else), served the same way: the floor of this
    stack here."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bare.settings",
        "PYTHONPATH": str(ROOT / "bench"),
    }
    subprocess.run(
        [PY, "-m", "django", "migrate", "--run-syncdb", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = gunicorn(port, WORKERS, env, app="bare.wsgi:application")
    try:
        wait_ready(port)
        path = "/bare/stay-registrations"
        meter = CpuMeter(server, pg)
        return {
            "bulk": meter.measure(bench_bulk, None, 60_000_000, port=port, path=f"{path}/bulk"),
            "single": meter.measure(bench_single, None, 70_000_000, port=port, path=path),
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


def server_env(database_url: str, port: int, log_level: str = "WARNING") -> dict[str, str]:
    """The environment of the benchmark's server and setup commands."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "UMIS_LOG_LEVEL": log_level,
        "UMIS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "UMIS_AXES_ENABLED": "false",
    }


def prepare_database(env: dict[str, str], queue_cases: int, registry: int) -> dict[str, Any]:
    """Migrate, then the fixtures of bench/setup_data.py: the host's API key, an officer's
    session, `queue_cases` queue cases and `registry` known people."""
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [PY, "bench/setup_data.py", str(queue_cases), str(registry)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    pg = None
    database_url = os.environ.get("BENCH_DATABASE_URL")
    if not database_url:
        pg = Postgres()
        database_url = pg.start()
    env = server_env(database_url, PORT)
    server = None
    try:
        fixtures = prepare_database(env, QUEUE_CASES, REGISTRY)
        server = gunicorn(PORT, WORKERS, env, timeout=120)
        wait_ready(PORT)
        results: dict[str, Any] = {
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "database": "PostgreSQL (fsync=on, synchronous_commit=on)",
            "server": f"gunicorn, {WORKERS} sync workers",
            "known_people_in_registry": REGISTRY,
        }
        meter = CpuMeter(server, pg)
        results["bulk"] = meter.measure(bench_bulk, fixtures["api_key"], 0)
        results["copy"] = bench_copy(database_url, 50_000_000)
        results["bulk_to_copy_ratio"] = round(
            results["bulk"]["per_second"] / results["copy"]["per_second"], 3
        )
        # Statistics as a running system has them: tables that were empty before the bulk
        # phase would otherwise be planned as empty until autovacuum's next analyze
        # (up to a minute later), and the single registrations would pay for that.
        analyze(database_url)
        results["single"] = meter.measure(bench_single, fixtures["api_key"], 10_000_000)
        results["queue_page"] = bench_queue(fixtures["session"])
        results["queue_page"]["cases_in_database"] = QUEUE_CASES + BATCHES * 1000 + SINGLES
        server.terminate()
        server.wait(timeout=20)
        server = None
        results["bare"] = bench_bare(database_url, pg)
        results["bulk_to_bare_ratio"] = round(
            results["bulk"]["per_second"] / results["bare"]["bulk"]["per_second"], 3
        )
        results["single_to_bare_ratio"] = round(
            results["single"]["per_second"] / results["bare"]["single"]["per_second"], 3
        )
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "latest.json").write_text(json.dumps(results, indent=2))
        print(json.dumps(results, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
