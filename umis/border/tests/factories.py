from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from umis.accounts.models import Role, Scope
from umis.accounts.services import api_client_create
from umis.core import clock
from umis.core.testing import make_user


def border_key() -> str:
    user = make_user("border.service", Role.AGENCY)
    _client, key = api_client_create(
        actor=None,
        name="Border service",
        user=user,
        scopes=[Scope.BORDER_CROSSINGS, Scope.PEOPLE_READ],
    )
    return key


_counter = [0]


def event(**overrides: Any) -> dict[str, Any]:
    """A valid entry of a Turkish citizen at the airport an hour ago."""
    _counter[0] += 1
    at = clock.now() - dt.timedelta(hours=1)
    data: dict[str, Any] = {
        "event_id": f"EV-{_counter[0]:08d}",
        "crossing_point": "gyd",
        "direction": "entry",
        "timestamp": at.isoformat(),
        "document_type": "passport",
        "document_number": "U12345678",
        "issuing_state": "TUR",
        "document_expiry": (clock.today() + dt.timedelta(days=900)).isoformat(),
        "surname": "Öztürk",
        "given_names": "Mehmet",
        "birth_date": "1980-05-01",
        "sex": "M",
        "nationality": "TR",
    }
    data.update(overrides)
    return data


def at_day(day: dt.date, hour: int = 10) -> str:
    return dt.datetime.combine(day, dt.time(hour), ZoneInfo("Asia/Baku")).isoformat()


def send(client: Client, key: str, events: list[dict[str, Any]], **headers: str) -> Any:
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.post(
        "/api/v1/border/crossings",
        data=json.dumps({"events": events}),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        **extra,
    )
