"""Stored answers to Idempotency-Key retries are kept for the retention period, then pruned."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from umis.api.idempotency import idempotency_records_prune
from umis.core import clock
from umis.core.models import IdempotencyRecord
from umis.core.testing import World, guest
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


def _register(client: Client, world: World, body: dict[str, object]) -> dict[str, object]:
    response = client.post(
        "/api/v1/stay-registrations",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_IDEMPOTENCY_KEY="retry-me",
    )
    return {"status": response.status_code, **response.json()}


def test_answers_are_kept_for_the_retention_then_pruned(
    client: Client, world: World, settings: object
) -> None:
    settings.UMIS_IDEMPOTENCY_DAYS = 7  # type: ignore[attr-defined]
    body = guest()
    first = _register(client, world, body)
    assert first["status"] == 201
    now = dt.datetime.now(dt.UTC)
    with clock.frozen_at(now + dt.timedelta(days=6)):
        assert idempotency_records_prune() == 0
    again = _register(client, world, body)
    assert (again["status"], again["reference"], again["replayed"]) == (
        201,
        first["reference"],
        True,
    )
    with clock.frozen_at(now + dt.timedelta(days=8)):
        assert idempotency_records_prune() == 1
    assert not IdempotencyRecord.objects.exists()
    # a key reused after the retention is a new request; the registration rules still
    # refuse the same guest twice, so nothing is doubled
    late = _register(client, world, body)
    assert late["status"] == 422
    assert StayRegistration.objects.count() == 1
