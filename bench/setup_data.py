"""Benchmark fixtures, run inside Django: reference data, a host with an API key, an officer
session, and optionally N queue cases inserted in bulk."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from umis.accounts.models import Role, Scope, User  # noqa: E402
from umis.accounts.services import api_client_create  # noqa: E402
from umis.reference.models import Office, Region  # noqa: E402
from umis.reference.services import reference_load_defaults  # noqa: E402
from umis.stays.models import Host  # noqa: E402


def main() -> None:
    queue_cases = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    registry = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    reference_load_defaults()
    if registry and connection.vendor == "postgresql":
        _insert_registry(registry)
    host_user, _ = User.objects.get_or_create(username="bench.hotel", defaults={"role": Role.HOST})
    host, _ = Host.objects.get_or_create(
        tax_id="9999999999",
        defaults={
            "kind": Host.Kind.HOTEL,
            "name": "Bench Hotel",
            "region": Region.objects.get(code="baku"),
            "city": "Baku",
            "street": "Bench 1",
        },
    )
    host.members.add(host_user)
    _client, key = api_client_create(
        actor=None, name="bench", user=host_user, scopes=[Scope.STAY_REGISTRATIONS]
    )
    officer, _ = User.objects.get_or_create(
        username="bench.officer",
        defaults={"role": Role.REGIONAL_OFFICER, "office": Office.objects.get(code="baku")},
    )
    session = SessionStore()
    session[SESSION_KEY] = str(officer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    session.create()
    if queue_cases:
        _insert_cases(queue_cases, Office.objects.get(code="baku").pk)
    print(json.dumps({"api_key": key, "session": session.session_key}))


def _insert_registry(n: int) -> None:
    """A registry of `n` known people already there (names from the same pools as the
    guests, each with a passport and the block keys intake matching reads), written with
    COPY: intake then finds its candidates among them as it would in a national registry."""
    from run import guest  # the benchmark's own name pools

    from umis.people.identity import block_keys
    from umis.people.matchkeys import NameParts, name_key
    from umis.people.names import search_key

    now = timezone.now()
    today = dt.date.today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM people_person")
        first = cursor.fetchone()[0]
        people, documents, keys = [], [], []
        for i in range(n):
            g = guest(900_000_000 + i, today)
            pid = first + i
            birth = dt.date.fromisoformat(g["birth_date"])
            full = f"{g['surname']} {g['given_names']}"
            people.append(
                (pid, now, now, g["surname"], g["given_names"], "", birth, g["sex"],
                 search_key(full), g["nationality"], False,
                 name_key(NameParts(g["surname"], g["given_names"], "").full))
            )  # fmt: skip
            documents.append(
                (
                    now,
                    now,
                    "passport",
                    f"R{i:08d}",
                    today + dt.timedelta(days=900),
                    "",
                    "",
                    "TR",
                    pid,
                )
            )
            keys.extend((pid, k) for k in block_keys(g["surname"], g["given_names"], birth, False))
        raw = cursor.cursor
        with raw.copy(
            "COPY people_person (id, created_at, updated_at, surname, given_names, patronymic,"
            " birth_date, sex, search_name, nationality_id, birth_year_only, match_key) FROM STDIN"
        ) as copy:
            for row in people:
                copy.write_row(row)
        with raw.copy(
            "COPY people_traveldocument (created_at, updated_at, document_type, number,"
            " expiry_date, mrz_surname, mrz_given_names, issuing_state_id, person_id) FROM STDIN"
        ) as copy:
            for row in documents:
                copy.write_row(row)
        with raw.copy("COPY people_personblockkey (person_id, key) FROM STDIN") as copy:
            for row in keys:
                copy.write_row(row)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('people_person', 'id'), %s)", [first + n]
        )
        for table in ("people_person", "people_traveldocument", "people_personblockkey"):
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 (constant names)


def _insert_cases(n: int, office_id: int) -> None:
    """Queue cases straight into the table (the queue page reads them; how they got there does not matter)."""
    now = timezone.now()
    with connection.cursor() as cursor:
        copy = cursor.cursor.copy if connection.vendor == "postgresql" else None
        rows = []
        for i in range(n):
            due = now + dt.timedelta(minutes=i % 10_000 - 2_000)
            rows.append(
                (
                    f"QB-2026-{i:07d}",
                    "stay_registration",
                    None,
                    None,
                    office_id,
                    "registered",
                    True,
                    False,
                    None,
                    due,
                    1,
                    now,
                    now,
                    None,
                )
            )
        if copy is not None:
            with copy(
                "COPY cases_case (reference, service_code, applicant_id, submitted_by_id, office_id, state, is_open, needs_attention, "
                "assignee_id, due_at, version, created_at, updated_at, closed_at) FROM STDIN"
            ) as c:
                for row in rows:
                    c.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO cases_case (reference, service_code, applicant_id, submitted_by_id, office_id, state, is_open, needs_attention, "
                "assignee_id, due_at, version, created_at, updated_at, closed_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                rows,
            )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE cases_case")


if __name__ == "__main__":
    main()
