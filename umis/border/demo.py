"""Demo crossings: the registered guests' entries, a few who left, overstayers, and for each
office with a regional officer someone overstaying whom its officers see (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from umis.accounts.models import Role, Scope, User
from umis.accounts.services import api_client_create, api_client_live_exists
from umis.border.models import Crossing, CrossingPoint, OverstayFinding
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
    if not Crossing.objects.exists():
        _crossings(user, seed)
    border_demo_findings_ensure()


def border_demo_findings_ensure() -> None:
    """Each office with a regional officer has overstay findings for its officers to see,
    also in a demo loaded before it had (idempotent)."""
    user = User.objects.filter(username=BORDER_USER[0]).first()
    if user is not None and _office_overstayers(user):
        overstays_detect(on=clock.today())


def _document_of(reg: StayRegistration) -> dict[str, Any]:
    """The traveller of a registration as the border service sends them."""
    p, d = reg.person, reg.travel_document
    return {
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


BACK_AFTER = 10  # days after leaving that the guest came back
OVER_BY = 100  # ... at least so many days ago, and never left: past any visa-free stay


def _office_overstayers(user: User) -> int:
    """For each office with a regional officer and no overstay finding, a guest of one of
    its registrations who left, came back BACK_AFTER days later (at least OVER_BY days ago)
    and never left nor registered again: the finding goes to the office of their latest
    registration. The guest and the day follow from the registration, so a rerun sends the
    same event, which the border service's idempotency keeps once. Returns the events sent."""
    from umis.reference.models import VisaFreeRegime

    offices = set(
        User.objects.filter(role=Role.REGIONAL_OFFICER, is_active=True, office__isnull=False)
        .values_list("office_id", flat=True)
        .distinct()
    ) - set(OverstayFinding.objects.values_list("office_id", flat=True).distinct())
    if not offices:
        return 0
    today = clock.today()
    visa_free = set(VisaFreeRegime.objects.values_list("nationality_id", flat=True))
    latest: dict[int, StayRegistration] = {}  # each guest's latest registration
    for reg in (
        StayRegistration.objects.exclude(case__state="annulled")
        .select_related("person", "travel_document", "region")
        .order_by("arrival_date", "id")
    ):
        latest[reg.person_id] = reg
    points = dict(CrossingPoint.objects.values_list("region__office_id", "code"))
    tz = ZoneInfo(settings.TIME_ZONE)
    events = []
    for office in sorted(offices):
        chosen = next(
            (
                r
                for r in sorted(latest.values(), key=lambda r: r.pk)
                if r.region.office_id == office
                and r.ended_on is not None
                and r.ended_on + dt.timedelta(days=BACK_AFTER + OVER_BY) <= today
                and r.person.nationality_id in visa_free
            ),
            None,
        )
        if chosen is None or chosen.ended_on is None:
            continue
        back = chosen.ended_on + dt.timedelta(days=BACK_AFTER)
        events.append(
            _document_of(chosen)
            | {
                "event_id": f"DEMO-BACK-{chosen.pk:06d}",
                "direction": "entry",
                "timestamp": dt.datetime.combine(back, dt.time(10, 30), tz).isoformat(),
                "crossing_point": points.get(office, "gyd"),
            }
        )
    if events:
        crossings_receive(actor=user, source="demo", raws=events)
    return len(events)


def _crossings(user: User, seed: int) -> None:
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
        person = _document_of(reg)
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
