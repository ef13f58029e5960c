"""A 10,000-event crossing batch that is refused whole, beside one that is stored: where the
time of a refused event goes, in-process.

    DATABASE_URL=postgres://… .venv/bin/python bench/border_refused.py [ROUNDS]

Posts, ROUNDS times (default 3), a batch of 10,000 events every one of which is refused
(half an unknown nationality, half a document number that is not letters and digits), and
a batch of 10,000 crossings of known travellers (stored), to `POST /api/v1/border/crossings`
through Django's test client (no HTTP server, one process). Prints one JSON line per batch:
wall and CPU seconds, queries, the load average. BENCH_PROFILE=1 adds a cProfile of the
first refused batch. The database must be migrated; the run adds its travellers and
crossings to it.

To compare two versions of the code, run it from each checkout in turn, alternating
(`bench/border_refused.py 1` from one, then from the other, and again).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("UMIS_LOG_LEVEL", "WARNING")
os.environ.setdefault("UMIS_AXES_ENABLED", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from umis.accounts.models import Role, Scope, User  # noqa: E402
from umis.accounts.services import api_client_create  # noqa: E402
from umis.border.services import crossing_points_load_defaults  # noqa: E402
from umis.reference.services import reference_load_defaults  # noqa: E402

BATCH = 10_000
RUN = int(time.time())


def _letters(number: int) -> str:
    return "".join("bcdfghklmn"[int(d)] for d in str(number)).capitalize()


def event(n: int, trip: int, **overrides: Any) -> dict[str, Any]:
    """Traveller n's crossing on day `trip`: a name of its own in each run, so that the first
    crossing makes a new person without matching the travellers of an earlier run."""
    at = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC) + dt.timedelta(days=trip, seconds=n)
    return {
        "event_id": f"R{RUN}-{n}-{trip}",
        "crossing_point": "gyd",
        "direction": "entry" if trip % 2 == 0 else "exit",
        "timestamp": at.isoformat(),
        "document_type": "passport",
        "document_number": f"R{RUN % 1_000_000:06d}{n:07d}",
        "issuing_state": "TUR",
        "document_expiry": "2031-01-01",
        "surname": _letters(RUN % 100_000),
        "given_names": _letters(n),
        "birth_date": (dt.date(1960, 1, 1) + dt.timedelta(days=n % 15000)).isoformat(),
        "sex": "M",
        "nationality": "TR",
        **overrides,
    }


def refused(trip: int) -> bytes:
    events = [
        event(n, trip, **({"nationality": "QQ"} if n % 2 else {"document_number": "№ 12/34"}))
        for n in range(BATCH)
    ]
    return json.dumps({"events": events}).encode()


def accepted(trip: int) -> bytes:
    return json.dumps({"events": [event(n, trip) for n in range(BATCH)]}).encode()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    reference_load_defaults()
    crossing_points_load_defaults()
    user, _ = User.objects.get_or_create(username="bench.refused", defaults={"role": Role.AGENCY})
    _client, key = api_client_create(
        actor=None, name=f"bench {time.time()}", user=user, scopes=[Scope.BORDER_CROSSINGS]
    )
    client = Client(HTTP_HOST="127.0.0.1")
    profile = os.environ.get("BENCH_PROFILE") == "1"

    def post(kind: str, body: bytes, profiled: bool) -> None:
        profiler = cProfile.Profile() if profiled else None
        with CaptureQueriesContext(connection) as queries:
            cpu, began = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.post(
                "/api/v1/border/crossings",
                data=body,
                content_type="application/json",
                HTTP_X_API_KEY=key,
                HTTP_ACCEPT_LANGUAGE="ru",
            )
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        assert response.status_code == 200, response.content[:300]
        answer = json.loads(response.content)
        print(
            json.dumps(
                {
                    "batch": kind,
                    "stored": answer["stored"],
                    "refused": answer["refused"],
                    "wall_s": round(wall, 3),
                    "cpu_s": round(cpu, 3),
                    "queries": len(queries),
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                }
            ),
            flush=True,
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    # the travellers first cross once, so the stored batches are of known travellers
    post("first crossing (not counted)", accepted(0), False)
    for r in range(rounds):
        post("refused", refused(2 * r + 1), profile and r == 0)
        post("stored", accepted(2 * r + 1), False)


if __name__ == "__main__":
    main()
