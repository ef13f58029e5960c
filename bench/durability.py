"""`make bench-durability`: nothing acknowledged is lost, nothing is done twice, while
PostgreSQL or the web server's workers are killed with SIGKILL again and again under load.

Starts its own PostgreSQL cluster (port 55434) and gunicorn, then several clients submit
place-of-stay registrations one by one through the API, each with its own
`Idempotency-Key`, and retry the same request (same key, same body) after any failure —
a refused or reset connection, a 500 while the database is down — until it is
acknowledged (201, or the stored answer replayed). At the end every acknowledged
registration must be stored exactly once, and no registration may be stored twice.

Runs (`BENCH_DURABILITY_RUNS`, all three by default):
- `postgres`: the postmaster and every backend are killed every few seconds and the
  cluster is started again (crash recovery);
- `postgres-async`: the same with `synchronous_commit=off`, the probe's own check: there
  PostgreSQL acknowledges commits before their WAL is on disk, so killing it must lose
  some of them, or the probe could not see a loss;
- `workers`: a gunicorn worker, possibly in the middle of a request, is killed every
  second and a half (gunicorn starts another).

Sizes: BENCH_DURABILITY_SUBMISSIONS (2,000 per run), BENCH_DURABILITY_CLIENTS (6),
BENCH_DURABILITY_KILLS (5 PostgreSQL kills, twice as many worker kills, per run).
Results: printed and written to bench/results/durability-<time>.json; the script fails
when a run with synchronous commit loses or doubles a registration.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # noqa: E402
    ROOT,
    Postgres,
    guest,
    gunicorn_command,
    prepare_database,
    server_env,
    wait_ready,
)

PORT = int(os.environ.get("BENCH_DURABILITY_HTTP_PORT", "8767"))
PG_PORT = 55434
SUBMISSIONS = int(os.environ.get("BENCH_DURABILITY_SUBMISSIONS", "2000"))
CLIENTS = int(os.environ.get("BENCH_DURABILITY_CLIENTS", "6"))
KILLS = int(os.environ.get("BENCH_DURABILITY_KILLS", "5"))
# what is killed, and PostgreSQL's synchronous_commit in that run
RUNS = {
    "postgres": ("postgres", "on"),
    "postgres-async": ("postgres", "off"),  # the probe's own check: here it must see a loss
    "workers": ("workers", "on"),
}
MODES = os.environ.get("BENCH_DURABILITY_RUNS", ",".join(RUNS)).split(",")
GIVE_UP_SECONDS = 120


class Cluster(Postgres):
    """The benchmark's cluster, started with a chosen `synchronous_commit`, and killable."""

    def __init__(self, synchronous_commit: str) -> None:
        super().__init__()
        self.port = PG_PORT
        self.synchronous_commit = synchronous_commit

    def options(self) -> str:
        return (
            f"'-p {self.port} -k /tmp -c fsync=on -c synchronous_commit={self.synchronous_commit}"
            " -c max_connections=100'"
        )

    def start(self) -> str:
        url = super().start()
        self.restart()  # with this run's options
        return url

    def restart(self) -> None:
        self._as_postgres(
            f"{self.bin}/pg_ctl",
            "-D",
            self.dir,
            "-o",
            self.options(),
            "-l",
            f"{self.dir}/log",
            "-w",
            "-t",
            "120",
            "restart" if self._running() else "start",
        )

    def _running(self) -> bool:
        return Path(self.dir, "postmaster.pid").exists()

    def kill(self) -> None:
        """SIGKILL to the postmaster and all its children at once: a crash, not a shutdown."""
        pid = int(Path(self.dir, "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
        for p in [pid, *map(int, children)]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode:
                break
            time.sleep(0.05)


def submit_all(key: str, start_number: int, stop: threading.Event) -> dict[str, Any]:
    today = dt.date.today()
    todo = list(range(SUBMISSIONS))
    lock = threading.Lock()
    acknowledged: dict[str, str] = {}  # client reference -> registration number
    counts = {"attempts": 0, "retried": 0, "replayed": 0, "given_up": 0, "refused": 0}
    refusals: list[str] = []
    statuses: dict[str, int] = {}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while True:
            with lock:
                if not todo:
                    return
                n = todo.pop()
            body_dict = guest(start_number + n, today)
            reference = f"D{start_number + n}"
            body_dict["client_reference"] = reference
            body = json.dumps(body_dict).encode()
            headers = {
                "Content-Type": "application/json",
                "X-API-Key": key,
                "Idempotency-Key": f"durability-{start_number + n}",
            }
            began = time.monotonic()
            tries = 0
            while True:
                tries += 1
                try:
                    conn.request("POST", "/api/v1/stay-registrations", body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                    status, data = 0, b""
                with lock:
                    counts["attempts"] += 1
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == 201 or (status == 200 and b'"replayed"' in data):
                    answer = json.loads(data)
                    with lock:
                        acknowledged[reference] = answer["reference"]
                        counts["replayed"] += bool(answer.get("replayed"))
                        counts["retried"] += tries > 1
                    break
                if 400 <= status < 500 and status != 429:
                    with lock:
                        counts["refused"] += 1
                        refusals.append(f"{reference}: {status} {data[:200]!r}")
                    break
                if time.monotonic() - began > GIVE_UP_SECONDS:
                    with lock:
                        counts["given_up"] += 1
                    break
                time.sleep(0.2)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    return {
        "acknowledged": acknowledged,
        "seconds": round(time.perf_counter() - began, 1),
        "statuses": statuses,
        **counts,
        "examples_refused": refusals[:5],
    }


def kill_postgres(cluster: Cluster, stop: threading.Event, kills: list[float]) -> None:
    """Kill PostgreSQL every few seconds while the clients submit, then start it again."""
    time.sleep(3)
    while len(kills) < KILLS and not stop.is_set():
        cluster.kill()
        kills.append(time.monotonic())
        time.sleep(0.5)
        cluster.restart()
        stop.wait(3)


def kill_workers(
    server: subprocess.Popen[bytes], stop: threading.Event, kills: list[float]
) -> None:
    """SIGKILL one of the web server's worker processes (the one a request may be in the
    middle of) every second and a half; gunicorn starts a new one."""
    time.sleep(3)
    rng = random.Random(7)
    while len(kills) < 2 * KILLS and not stop.is_set():
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        if workers:
            try:
                os.kill(int(rng.choice(workers)), signal.SIGKILL)
                kills.append(time.monotonic())
            except ProcessLookupError:
                pass
        stop.wait(1.5)


def stored(database_url: str) -> dict[str, list[str]]:
    """Client reference -> the registration numbers stored under it."""
    import psycopg

    out: dict[str, list[str]] = {}
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT r.client_reference, c.reference FROM stays_stayregistration r"
            " JOIN cases_case c ON c.id = r.case_id WHERE r.client_reference LIKE 'D%%'"
        ).fetchall()
    for client_reference, number in rows:
        out.setdefault(client_reference, []).append(number)
    return out


def run_mode(target: str, mode: str) -> dict[str, Any]:
    cluster = Cluster(mode)
    database_url = cluster.start()
    env = server_env(database_url, PORT, log_level="CRITICAL")
    server = None
    try:
        fixtures = prepare_database(env, 0, 0)
        # the server's error log (every request that met the database down) goes to a file
        log = open(Path(cluster.dir, "server.log"), "wb")  # noqa: SIM115 (open while serving)
        server = subprocess.Popen(gunicorn_command(PORT, 3, 60), cwd=ROOT, env=env, stderr=log)
        wait_ready(PORT)
        start_number = 70_000_000
        stop = threading.Event()
        kills: list[float] = []
        chaos = (
            threading.Thread(target=kill_workers, args=(server, stop, kills))
            if target == "workers"
            else threading.Thread(target=kill_postgres, args=(cluster, stop, kills))
        )
        chaos.start()
        outcome = submit_all(fixtures["api_key"], start_number, stop)
        chaos.join()
        if not cluster._running():
            cluster.restart()
        on_disk = stored(database_url)
        acknowledged: dict[str, str] = outcome.pop("acknowledged")
        lost = sorted(r for r in acknowledged if r not in on_disk)
        twice = sorted(r for r, numbers in on_disk.items() if len(numbers) > 1)
        changed = sorted(
            r for r, number in acknowledged.items() if r in on_disk and on_disk[r] != [number]
        )
        return {
            "killed": target,
            "synchronous_commit": mode,
            "submissions": SUBMISSIONS,
            "clients": CLIENTS,
            "kills": len(kills),
            **outcome,
            "acknowledged": len(acknowledged),
            "stored": len(on_disk),
            "lost": len(lost),
            "stored_twice": len(twice),
            "number_differs": len(changed),
            "examples_lost": lost[:5],
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        cluster.stop()


def main() -> None:
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": [],
    }
    for name in MODES:
        target, mode = RUNS[name]
        print(f"{name}: {SUBMISSIONS} submissions, killing {target} ...", flush=True)
        result = run_mode(target, mode)
        print(json.dumps(result, indent=2), flush=True)
        results["runs"].append(result)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"durability-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"written to {path}")
    on = [r for r in results["runs"] if r["synchronous_commit"] == "on"]
    if any(
        r["lost"] or r["stored_twice"] or r["number_differs"] or r["given_up"] or r["refused"]
        for r in on
    ):
        sys.exit("acknowledged registrations were lost or stored twice")


if __name__ == "__main__":
    main()
