"""One 10,000-event crossing batch in-process: where its time goes.

    DATABASE_URL=postgres://… .venv/bin/python bench/border_profile.py

Posts BENCH_BORDER_BATCHES (default 2) batches of new travellers and then the same
travellers' exits (known travellers) to `POST /api/v1/border/crossings` through Django's
test client (no HTTP server, one process), and prints for each batch the wall time, the
process's CPU time and the time of each step of `crossings_receive`. BENCH_PROFILE=1 adds
a cProfile of the first known-traveller batch. Use a database of its own: it adds
persons and crossings.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("UMIS_LOG_LEVEL", "WARNING")
os.environ.setdefault("UMIS_AXES_ENABLED", "false")
os.environ.setdefault("BENCH_BORDER_BATCHES", "2")

import django  # noqa: E402

django.setup()

import border  # noqa: E402  (bench/border.py: the same events as the benchmark)
from django.test import Client  # noqa: E402

from umis.accounts.models import Role, Scope, User  # noqa: E402
from umis.accounts.services import api_client_create  # noqa: E402
from umis.border import services, validation  # noqa: E402
from umis.border.services import crossing_points_load_defaults  # noqa: E402
from umis.reference.services import reference_load_defaults  # noqa: E402

STEPS: dict[str, float] = {}


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            STEPS[name] = STEPS.get(name, 0.0) + time.perf_counter() - began

    return wrapper


def main() -> None:
    reference_load_defaults()
    crossing_points_load_defaults()
    user, _ = User.objects.get_or_create(username="profile.border", defaults={"role": Role.AGENCY})
    _client, key = api_client_create(
        actor=None, name=f"profile {time.time()}", user=user, scopes=[Scope.BORDER_CROSSINGS]
    )
    for name in (
        "_stored_times",
        "_link_persons",
        "person_resolve_many",
        "_insert",
        "_presence_update",
        "audit_record_many",
    ):
        setattr(services, name, timed(name, getattr(services, name)))
    validation.CrossingReader.parse = timed("parse", validation.CrossingReader.parse)  # type: ignore[method-assign]
    client = Client(HTTP_HOST="127.0.0.1")
    profile = os.environ.get("BENCH_PROFILE") == "1"
    for phase, label in ((0, "new"), (1, "known")):
        for index, body in enumerate(border.batches_for(phase)):
            STEPS.clear()
            profiler = cProfile.Profile() if profile and phase == 1 and index == 0 else None
            cpu, began = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.post(
                "/api/v1/border/crossings",
                data=body,
                content_type="application/json",
                HTTP_X_API_KEY=key,
                HTTP_IDEMPOTENCY_KEY=f"profile-{border.RUN}-{phase}-{index}",
            )
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            assert response.status_code == 200, response.content[:300]
            stored = json.loads(response.content)["stored"]
            print(
                json.dumps(
                    {
                        "travellers": label,
                        "stored": stored,
                        "wall_s": round(wall, 3),
                        "cpu_s": round(cpu, 3),
                        "per_second": round(stored / wall),
                        "steps_s": {k: round(v, 3) for k, v in STEPS.items()},
                        "load_average": [round(x, 2) for x in os.getloadavg()],
                    }
                ),
                flush=True,
            )
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
