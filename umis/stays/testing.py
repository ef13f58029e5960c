"""Helpers for the place-of-stay tests: the API as a host's software calls it, a guest
registered by the hotel, and what is stored."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

from django.test import Client

from umis.cases.models import Case
from umis.core import clock
from umis.core.testing import World, guest
from umis.people.models import Person, TravelDocument
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registrations_submit


def post(
    client: Client, path: str, body: Any, key: str | None, lang: str = "", **headers: str
) -> Any:
    """POST `body` as JSON with the API key, in `lang` if given, with more headers
    (`Idempotency-Key`)."""
    extra: dict[str, Any] = {"HTTP_X_API_KEY": key} if key else {}
    if lang:
        extra["HTTP_ACCEPT_LANGUAGE"] = lang
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def counts() -> tuple[int, int, int, int]:
    """Persons, travel documents, cases and registrations stored."""
    return (
        Person.objects.count(),
        TravelDocument.objects.count(),
        Case.objects.count(),
        StayRegistration.objects.count(),
    )


def register(world: World, on: dt.date | None = None, **overrides: object) -> Case:
    """The hotel registers the guest, today or (`on`) on an earlier day: a stay registered
    after its planned departure is ended at once, one registered in time stays current."""
    with (
        clock.frozen_at(dt.datetime.combine(on, dt.time(8), tzinfo=dt.UTC))
        if on
        else contextlib.nullcontext()
    ):
        result = stay_registrations_submit(
            actor=world.harry, host=world.hotel, raws=[guest(**overrides)]
        )[0]
    assert result.registration is not None, result.errors
    return result.registration.case
