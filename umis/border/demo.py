"""Demo crossings: the registered guests' entries, a few who left, overstayers (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from umis.accounts.models import Role, Scope, User
from umis.accounts.services import api_client_create, api_client_live_exists
from umis.border.models import Crossing
from umis.border.overstays import overstays_detect
from umis.border.services import crossing_points_load_defaults, crossings_receive
from umis.core import clock
from umis.stays.models import StayRegistration

# The border service's account and API client, as the demo makes them.
BORDER_USER = ("border.service", Role.AGENCY, "Border service")
BORDER_KEY_NAME = "State Border Service"

POINTS = ["gyd", "gyd", "gyd", "samur", "red-bridge", "astara", "baku-port"]
VISITORS = [
    # surname, given names, nationality, ISO3, document, days ago entered
    ("Smirnov", "Aleksei", "RU", "RUS", "75 1234567", 130),
    ("Yıldız", "Elif", "TR", "TUR", "U98765432", 97),
    ("Abenov", "Nurlan", "KZ", "KAZ", "N11223344", 40),
    ("Beridze", "Nino", "GE", "GEO", "13AB45678", 22),
]


def border_demo_load(creds: dict[str, Any], seed: int = 2026) -> None:
    crossing_points_load_defaults()
    username, role, first_name = BORDER_USER
    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "first_name": first_name}
    )
    if not api_client_live_exists(user=user, name=BORDER_KEY_NAME):
        _client, key = api_client_create(
            actor=None,
            name=BORDER_KEY_NAME,
            user=user,
            scopes=[Scope.BORDER_CROSSINGS, Scope.PEOPLE_READ],
        )
        creds.setdefault("api_keys", {})[username] = key
    if Crossing.objects.exists():
        return
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = clock.today()
    events: list[dict[str, Any]] = []

    def add(person: dict[str, Any], direction: str, day: dt.date, point: str) -> None:
        at = dt.datetime.combine(day, dt.time(rng.randint(0, 23), rng.randint(0, 59)), tz)
        if at > clock.now():
            return
        events.append(
            person
            | {
                "event_id": f"DEMO-{len(events) + 1:06d}",
                "direction": direction,
                "timestamp": at.isoformat(),
                "crossing_point": point,
            }
        )

    regs = StayRegistration.objects.select_related(
        "person", "travel_document", "travel_document__issuing_state"
    ).order_by("id")[:150]
    for reg in regs:
        p, d = reg.person, reg.travel_document
        person = {
            "document_type": d.document_type,
            "document_number": d.number,
            "issuing_state": d.issuing_state_id,
            "document_expiry": d.expiry_date.isoformat(),
            "surname": p.surname,
            "given_names": p.given_names,
            "birth_date": p.birth_date.isoformat(),
            "sex": p.sex,
            "nationality": p.nationality_id,
        }
        point = rng.choice(POINTS)
        add(person, "entry", reg.arrival_date - dt.timedelta(days=rng.randint(0, 1)), point)
        if reg.ended_on:
            add(person, "exit", reg.ended_on, point)
    for surname, given, nationality, iso3, number, days in VISITORS:
        person = {
            "document_type": "passport",
            "document_number": number.replace(" ", ""),
            "issuing_state": iso3,
            "document_expiry": (today + dt.timedelta(days=1500)).isoformat(),
            "surname": surname,
            "given_names": given,
            "birth_date": "1988-04-12",
            "sex": "M",
            "nationality": nationality,
        }
        add(person, "entry", today - dt.timedelta(days=days + 200), "gyd")
        add(person, "exit", today - dt.timedelta(days=days + 190), "gyd")
        add(person, "entry", today - dt.timedelta(days=days), rng.choice(POINTS))
    add(
        events[0] | {"surname": "Refused", "document_number": "R0000001"},
        "refused",
        today - dt.timedelta(days=3),
        "samur",
    )
    events[-1]["refusal_reason"] = "entry ban"
    for start in range(0, len(events), 5000):
        crossings_receive(actor=user, source="demo", raws=events[start : start + 5000])
    overstays_detect(on=today)
