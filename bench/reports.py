"""The statistics page over 100,000 cases: place-of-stay registrations of 40 nationalities
in every region over the last 14 months, and e-visa-less cases of the other services
left out (the registrations are most of a real service's cases).

    python bench/reports.py [CASES]   # a fresh database of its own (DATABASE_URL, or SQLite in a temp dir)

Prints the time of the whole page (all tables) as an analyst, as a regional officer and of
one CSV export: the median and the slowest of 10 requests each, the median CPU time of the
process (on SQLite the database works in it: the figure a busy machine inflates least)
and the number of queries. UMIS_VAR_DIR of an earlier run reuses its data.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("UMIS_VAR_DIR", tempfile.mkdtemp(prefix="umis-bench-reports-"))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from umis.accounts.models import Role, User  # noqa: E402
from umis.cases.models import Case  # noqa: E402
from umis.core.bulk import bulk_insert  # noqa: E402
from umis.people.models import Person, TravelDocument  # noqa: E402
from umis.reference.models import Country, Region  # noqa: E402
from umis.reference.services import reference_load_defaults  # noqa: E402
from umis.stays.models import Host, StayRegistration  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CHUNK = 10_000


def load() -> None:
    reference_load_defaults()
    rng = random.Random(2026)
    regions = list(Region.objects.all())
    nationalities = list(Country.objects.filter(kind="state").values_list("code", flat=True))[:40]
    host = Host.objects.create(
        kind="hotel", name="Bench", tax_id="9000000001", region=regions[0], city="B", street="S"
    )
    now = timezone.now()
    states = ["registered", "confirmed", "ended", "annulled"]
    for start in range(0, N, CHUNK):
        people, documents, cases, stays = [], [], [], []
        for i in range(start, min(N, start + CHUNK)):
            at = now - dt.timedelta(minutes=rng.randrange(14 * 30 * 24 * 60))
            region = rng.choice(regions)
            state = rng.choice(states)
            person = Person(
                surname=f"S{i}",
                given_names="G",
                birth_date=dt.date(1980, 1, 1),
                sex="F",
                nationality_id=rng.choice(nationalities),
                search_name=f"s{i} g",
            )
            people.append(person)
            document = TravelDocument(
                person=person,
                document_type="passport",
                number=f"B{i:08d}",
                issuing_state_id="DE",
                expiry_date=dt.date(2035, 1, 1),
            )
            documents.append(document)
            case = Case(
                reference=f"SR-B-{i:07d}",
                service_code="stay_registration",
                applicant=person,
                office_id=region.office_id,
                state=state,
                is_open=state == "registered",
                due_at=at + dt.timedelta(days=3),
                created_at=at,
                updated_at=at,
                closed_at=at + dt.timedelta(days=5) if state in ("ended", "annulled") else None,
            )
            cases.append(case)
            stays.append(
                StayRegistration(
                    case=case,
                    host=host,
                    person=person,
                    travel_document=document,
                    surname=person.surname,
                    given_names=person.given_names,
                    birth_date=person.birth_date,
                    sex=person.sex,
                    nationality_id=person.nationality_id,
                    region=region,
                    city="B",
                    street="S",
                    arrival_date=at.date(),
                    planned_departure=at.date() + dt.timedelta(days=10),
                    active=state in ("registered", "confirmed"),
                    late=rng.random() < 0.08,
                )
            )
        bulk_insert(people)
        bulk_insert(documents)
        bulk_insert(cases)
        bulk_insert(stays)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client: Client, url: str, runs: int = 10) -> str:
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)  # SQLite runs in this process
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return (
        f"p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms, "
        f"CPU p50 {statistics.median(cpu):.0f} ms, {len(queries)} queries"
    )


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Case.objects.exists():  # UMIS_VAR_DIR of an earlier run: its data again
        load()
    print(f"{Case.objects.count():,} cases loaded in {time.perf_counter() - started:.0f} s")
    analyst, _ = User.objects.get_or_create(username="bench.analyst", role=Role.ANALYST)
    officer, _ = User.objects.get_or_create(
        username="bench.officer",
        role=Role.REGIONAL_OFFICER,
        office_id=Region.objects.get(code="baku").office_id,
    )
    for user, url in (
        (analyst, "/en/office/reports/"),
        (officer, "/en/office/reports/"),
        (analyst, "/en/office/reports/stays_by_nationality.csv"),
    ):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get(url)  # warm
        print(f"{user.role:<18} {url:<46} {timed(client, url)}")


if __name__ == "__main__":
    main()
