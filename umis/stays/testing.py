"""Helpers for the place-of-stay tests: the API as a host's software calls it, and what is
stored."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from umis.cases.models import Case
from umis.people.models import Person, TravelDocument
from umis.stays.models import StayRegistration


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
