"""A list the client must fill is refused empty, naming it, in the reader's language: a
batch of no registrations, no border events or no watchlist entries did nothing and said
it had succeeded."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.core.models import IdempotencyRecord
from umis.core.testing import World
from umis.screening.models import Watchlist

pytestmark = pytest.mark.django_db

MESSAGES = {
    "en": "Send at least one item.",
    "az": "Ən azı bir element göndərin.",
    "ru": "Отправьте хотя бы один элемент.",
}


def _post(client: Client, path: str, body: object, key: str, lang: str) -> tuple[int, dict]:
    response = client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_IDEMPOTENCY_KEY=f"empty-{path}-{lang}",
    )
    return response.status_code, response.json()


def _key(world: World, scope: str) -> str:
    return api_client_create(actor=None, name="Agency", user=world.hannah, scopes=[scope])[1]


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_an_empty_batch_of_registrations_is_refused_naming_items(
    client: Client, world: World, lang: str
) -> None:
    status, body = _post(
        client, "/api/v1/stay-registrations/bulk", {"items": []}, world.hotel_key, lang
    )
    assert status == 422
    assert (body["error"]["code"], body["error"]["field"]) == ("required", "items")
    assert body["error"]["message"] == MESSAGES[lang]
    assert not IdempotencyRecord.objects.exists()


def test_an_empty_batch_of_border_events_is_refused_naming_events(
    client: Client, world: World
) -> None:
    key = _key(world, Scope.BORDER_CROSSINGS)
    status, body = _post(client, "/api/v1/border/crossings", {"events": []}, key, "ru")
    assert status == 422
    assert (body["error"]["code"], body["error"]["field"]) == ("required", "events")
    assert body["error"]["message"] == MESSAGES["ru"]
    assert not AuditEvent.objects.filter(action="BORDER_CROSSINGS_RECEIVED").exists()
    assert not IdempotencyRecord.objects.exists()


def test_an_empty_watchlist_import_is_refused_naming_entries(client: Client, world: World) -> None:
    code = Watchlist.objects.values_list("code", flat=True).first()
    assert code is not None
    key = _key(world, Scope.WATCHLISTS_MANAGE)
    status, body = _post(client, f"/api/v1/watchlists/{code}/entries", {"entries": []}, key, "az")
    assert status == 422
    assert (body["error"]["code"], body["error"]["field"]) == ("required", "entries")
    assert body["error"]["message"] == MESSAGES["az"]
