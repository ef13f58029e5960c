"""Place-of-stay intake of a guest already on file whose names the host types otherwise
(a second given name from the passport): the time of one registration in-process, screening
on intake included, against a watchlist of synthetic entries.

    .venv/bin/python bench/intake_names.py

Environment: INTAKE_BENCH_GUESTS (registrations timed, default 300), INTAKE_BENCH_ENTRIES
(watchlist entries, default 20,000). A fresh SQLite database in a temporary directory: the
watchlist, then each guest registered once under the names he is on file under (not
timed), then each registered again, one registration per call of
`stay_registrations_submit` in its own transaction, with a second given name typed (timed).
Prints JSON: wall and CPU time per registration (median, mean, p90), and the hits raised.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GUESTS = int(os.environ.get("INTAKE_BENCH_GUESTS", "300"))
ENTRIES = int(os.environ.get("INTAKE_BENCH_ENTRIES", "20000"))


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> dict[str, Any]:
    var = tempfile.mkdtemp(prefix="umis-intake-bench-")
    os.environ["UMIS_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ["UMIS_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from faker import Faker

    from umis.core import clock
    from umis.core.testing import guest, make_world
    from umis.screening.models import ScreeningHit
    from umis.screening.services import watchlist_get_or_create, watchlist_import
    from umis.stays.services import stay_registrations_submit

    call_command("migrate", verbosity=0)
    world = make_world()
    rng = random.Random(7)
    fake = Faker("az_AZ")
    fake.seed_instance(7)
    wl = watchlist_get_or_create(actor=None, code="entry-bans", name="Entry bans")
    today = clock.today()
    rows = [
        {
            "category": "entry_ban",
            "external_id": f"B{i}",
            "full_name": f"{fake.last_name_male()} {fake.first_name_male()}",
            "birth_date": (
                dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
            ).isoformat(),
            "nationality": "TR",
            "reason": "Benchmark",
            "source": "Benchmark",
        }
        for i in range(ENTRIES)
    ]
    watchlist_import(actor=None, watchlist=wl, raws=rows)

    guests = []
    for i in range(GUESTS):
        surname, given = fake.last_name_male(), fake.first_name_male()
        born = (dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))).isoformat()
        guests.append(
            guest(
                surname=surname,
                given_names=given,
                birth_date=born,
                document_number=f"U{10_000_000 + i}",
            )
        )
    person_of: dict[str, int] = {}
    for raw in guests:  # on file under the names typed the first time
        with transaction.atomic():
            [result] = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[raw])
        assert not result.errors and result.registration is not None, result.errors
        person_of[raw["document_number"]] = result.registration.person_id
    hits_before = ScreeningHit.objects.count()

    wall: list[float] = []
    cpu: list[float] = []
    refused = linked = 0
    for raw in guests:
        again = {
            **raw,
            "given_names": f"{raw['given_names']} {fake.first_name_male()}",
            "arrival_date": (today - dt.timedelta(days=40)).isoformat(),
            "planned_departure": (today - dt.timedelta(days=30)).isoformat(),
        }
        w0, c0 = time.perf_counter(), time.process_time()
        with transaction.atomic():
            [result] = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[again])
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        if result.registration is None:
            refused += 1  # the typed names too far from the person's: the number is his
        elif result.registration.person_id == person_of[raw["document_number"]]:
            linked += 1

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "median_ms": round(statistics.median(values), 2),
            "mean_ms": round(statistics.fmean(values), 2),
            "p90_ms": round(_quantile(values, 0.9), 2),
        }

    return {
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "code": str(ROOT),
        "guests": GUESTS,
        "entries": ENTRIES,
        "wall": summary(wall),
        "cpu": summary(cpu),
        "linked_to_the_person_on_file": linked,
        "refused": refused,
        "hits_first_registrations": hits_before,
        "hits_registrations_again": ScreeningHit.objects.count() - hits_before,
        "load": os.getloadavg()[0],
    }


if __name__ == "__main__":
    print(json.dumps(main()))
