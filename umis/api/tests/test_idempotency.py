"""Stored answers to Idempotency-Key retries are kept for the retention period, then pruned."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
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


def _post(
    client: Client, path: str, body: dict[str, object], key: str, idempotency_key: str
) -> dict[str, object]:
    response = client.post(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )
    return {"status": response.status_code, **response.json()}


def test_each_client_has_its_own_keys(client: Client, world: World) -> None:
    """Two programs of one hotel (a front desk and a booking engine), each with its own key,
    may happen to use the same Idempotency-Key: each gets its own registration."""
    _other, other_key = api_client_create(
        actor=None, name="Booking engine", user=world.harry, scopes=[Scope.STAY_REGISTRATIONS]
    )
    path = "/api/v1/stay-registrations"
    first = _post(client, path, guest(), world.hotel_key, "k1")
    second = _post(client, path, guest(document_number="C7654321"), other_key, "k1")
    assert (first["status"], second["status"]) == (201, 201)
    assert "replayed" not in second
    assert StayRegistration.objects.count() == 2


def test_a_key_used_on_one_endpoint_is_refused_on_another(client: Client, world: World) -> None:
    """The same body to another endpoint: the end of another guest's stay."""
    path = "/api/v1/stay-registrations"
    first = _post(client, path, guest(), world.hotel_key, "k2a")
    second = _post(client, path, guest(document_number="Z9999999"), world.hotel_key, "k2b")
    body = {"left_on": clock.today().isoformat()}
    ended = _post(client, f"{path}/{first['reference']}/end", body, world.hotel_key, "k2")
    assert ended["status"] == 200
    other = _post(client, f"{path}/{second['reference']}/end", body, world.hotel_key, "k2")
    assert other["status"] == 409
    assert other["error"]["code"] == "idempotency_key_reused"  # type: ignore[index]
    unchanged = StayRegistration.objects.get(case__reference=second["reference"])
    assert unchanged.case.state == second["state"]


def test_a_retried_end_of_stay_gets_the_first_answer(client: Client, world: World) -> None:
    reference = _post(client, "/api/v1/stay-registrations", guest(), world.hotel_key, "k3")
    path = f"/api/v1/stay-registrations/{reference['reference']}/end"
    body = {"left_on": clock.today().isoformat()}
    first = _post(client, path, body, world.hotel_key, "end-1")
    retry = _post(client, path, body, world.hotel_key, "end-1")
    assert (first["status"], retry["status"]) == (200, 200)
    assert retry["replayed"] is True
    assert retry["reference"] == first["reference"]


def _send(client: Client, path: str, raw: str, key: str, idempotency_key: str) -> dict[str, object]:
    response = client.post(
        path,
        raw,
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )
    return {"status": response.status_code, **response.json()}


def _respelt(body: dict[str, object]) -> str:
    """The same content as another client library writes it: keys reversed, other spacing,
    non-ASCII letters escaped."""
    return json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=True)


def test_a_retry_of_the_same_content_written_otherwise_gets_the_first_answer(
    client: Client, world: World
) -> None:
    path = "/api/v1/stay-registrations"
    body = guest(surname="Hüseynov")
    first = _send(client, path, json.dumps(body, ensure_ascii=False), world.hotel_key, "k5")
    retry = _send(client, path, _respelt(body), world.hotel_key, "k5")
    assert (first["status"], retry["status"]) == (201, 201)
    assert (retry["reference"], retry["replayed"]) == (first["reference"], True)
    # another content under the same key is still refused
    other = _send(client, path, json.dumps(guest(surname="Əliyev")), world.hotel_key, "k5")
    assert other["status"] == 409
    assert other["error"]["code"] == "idempotency_key_reused"  # type: ignore[index]
    assert StayRegistration.objects.count() == 1


def test_a_batch_and_an_end_retried_written_otherwise_get_the_first_answer(
    client: Client, world: World
) -> None:
    bulk_path = "/api/v1/stay-registrations/bulk"
    body: dict[str, object] = {"items": [guest()]}
    first = _send(client, bulk_path, json.dumps(body), world.hotel_key, "k6")
    retry = _send(client, bulk_path, json.dumps(body, indent=4), world.hotel_key, "k6")
    assert (first["status"], retry["status"], retry["replayed"]) == (200, 200, True)
    reference = first["items"][0]["reference"]  # type: ignore[index]
    path = f"/api/v1/stay-registrations/{reference}/end"
    end: dict[str, object] = {"left_on": clock.today().isoformat()}
    ended = _send(client, path, json.dumps(end), world.hotel_key, "k7")
    again = _send(client, path, json.dumps(end, separators=(",", ":")), world.hotel_key, "k7")
    assert (ended["status"], again["status"], again["replayed"]) == (200, 200, True)
    assert StayRegistration.objects.count() == 1
