"""CPU time of place-of-stay intake through the API, in-process, on PostgreSQL: the
Python CPU of the process per registration and the CPU of its PostgreSQL backend (read from
/proc, so the server must run on this machine), for single registrations and batches.

    INTAKE_CPU_DATABASE=postgres://umis:umis@127.0.0.1:55432/umis_intake_cpu \\
        .venv/bin/python bench/intake_cpu.py

The database named is dropped and created again from a template holding the migrated
schema (`<name>_template`, made on first use). Requests go through Django's test client
with the full middleware (the API key, the rate limit, the idempotency store). A
watchlist of synthetic entries is loaded, then a warm-up of singles and one batch (not
counted), then INTAKE_CPU_SINGLES registrations one per request (default 300) and
INTAKE_CPU_BATCHES batches of 1,000 (default 3), all of guests new to the registry.
INTAKE_CPU_CODE names another checkout whose code to measure (the code before a change),
with this script. Prints JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CODE = Path(os.environ.get("INTAKE_CPU_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(CODE))

DATABASE = os.environ.get(
    "INTAKE_CPU_DATABASE", "postgres://umis:umis@127.0.0.1:55432/umis_intake_cpu"
)
SINGLES = int(os.environ.get("INTAKE_CPU_SINGLES", "300"))
BATCHES = int(os.environ.get("INTAKE_CPU_BATCHES", "3"))
ENTRIES = int(os.environ.get("INTAKE_CPU_ENTRIES", "5000"))
_TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _fresh_database() -> None:
    """The database again, copied from the migrated template."""
    import psycopg

    url = urlparse(DATABASE)
    name = url.path.lstrip("/")
    admin = DATABASE.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [f"{name}_template"]
        ).fetchone()
        if exists is None:
            conn.execute(f'CREATE DATABASE "{name}_template"')
            import subprocess

            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v", "0"],
                cwd=CODE,
                env={**os.environ, "DATABASE_URL": f"{DATABASE}_template"},
                check=True,
            )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_template"')


def main() -> dict[str, Any]:
    _fresh_database()
    os.environ["DATABASE_URL"] = DATABASE
    os.environ["UMIS_LOG_LEVEL"] = "WARNING"
    os.environ["UMIS_ALLOWED_HOSTS"] = "testserver"
    os.environ["UMIS_RATE_LIMIT_API_CLIENT"] = "1000000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from faker import Faker

    from umis.core.testing import guest, make_world
    from umis.screening.services import watchlist_get_or_create, watchlist_import

    world = make_world()
    rng = random.Random(11)
    fakers = [Faker(loc) for loc in ("az_AZ", "ru_RU", "tr_TR", "en_US")]
    for n, f in enumerate(fakers):
        f.seed_instance(n)

    def born() -> str:
        return (dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))).isoformat()

    wl = watchlist_get_or_create(actor=None, code="entry-bans", name="Entry bans")
    watchlist_import(
        actor=None,
        watchlist=wl,
        raws=[
            {
                "category": "entry_ban",
                "external_id": f"B{i}",
                "full_name": f"{f.last_name_male()} {f.first_name_male()}",
                "birth_date": born(),
                "nationality": "TR",
                "reason": "Benchmark",
                "source": "Benchmark",
            }
            for i, f in ((i, fakers[i % len(fakers)]) for i in range(ENTRIES))
        ],
    )
    numbers = iter(range(10_000_000, 99_999_999))

    def guests(n: int) -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            f = rng.choice(fakers)
            out.append(
                guest(
                    surname=f.last_name_male(),
                    given_names=f.first_name_male(),
                    birth_date=born(),
                    document_number=f"U{next(numbers)}",
                )
            )
        return out

    client = Client()
    headers = {"HTTP_X_API_KEY": world.hotel_key}

    def post(path: str, body: Any) -> None:
        response = client.post(
            path, data=json.dumps(body), content_type="application/json", **headers
        )
        assert response.status_code in (200, 201), response.content[:500]

    single_path = "/api/v1/stay-registrations"
    bulk_path = f"{single_path}/bulk"
    for raw in guests(20):
        post(single_path, raw)
    post(bulk_path, {"items": guests(200)})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])

    single_cpu: list[float] = []
    pg0, py0 = _backend_cpu(backend), time.process_time()
    for raw in guests(SINGLES):
        c0 = time.process_time()
        post(single_path, raw)
        single_cpu.append((time.process_time() - c0) * 1000)
    single_py = (time.process_time() - py0) * 1000 / SINGLES
    single_pg = (_backend_cpu(backend) - pg0) * 1000 / SINGLES

    batches = [guests(1000) for _ in range(BATCHES)]
    pg0, py0 = _backend_cpu(backend), time.process_time()
    for batch in batches:
        post(bulk_path, {"items": batch})
    bulk_py = (time.process_time() - py0) * 1000 / (1000 * BATCHES)
    bulk_pg = (_backend_cpu(backend) - pg0) * 1000 / (1000 * BATCHES)
    return {
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "code": str(CODE),
        "load": round(os.getloadavg()[0], 1),
        "single_python_ms": round(single_py, 3),
        "single_python_median_ms": round(statistics.median(single_cpu), 3),
        "single_postgres_ms": round(single_pg, 3),
        "bulk_python_ms": round(bulk_py, 4),
        "bulk_postgres_ms": round(bulk_pg, 4),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
