"""The fewest and the most items the document allows in each list of a request are those
the service takes: an empty list and one item over the most are refused naming the list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.core.testing import World
from umis.screening.models import Watchlist

pytestmark = pytest.mark.django_db

# schema, list, operation, scope of the key (None: the hotel's), one item of the list
LISTS: list[tuple[str, str, str, str | None, Any]] = [
    ("BulkIn", "items", "/stay-registrations/bulk", None, {}),
    ("CrossingsIn", "events", "/border/crossings", Scope.BORDER_CROSSINGS, {}),
    ("CalculateIn", "stays", "/stay/calculate", None, {"entry": "2026-01-01"}),
    ("SearchIn", "names", "/screening/search", Scope.SCREENING, "Ali"),
    ("ImportIn", "entries", "/watchlists/{code}/entries", Scope.WATCHLISTS_MANAGE, {}),
    ("EvisaApplicationIn", "applicants", "/evisa/applications", Scope.EVISA, {}),
]


def _bounds(client: Client, schema: str, field: str) -> tuple[int, int]:
    document = client.get("/api/v1/openapi.json").json()
    prop = document["components"]["schemas"][schema]["properties"][field]
    return prop["minItems"], prop["maxItems"]


@pytest.mark.parametrize(("schema", "field", "path", "scope", "item"), LISTS)
def test_a_list_empty_or_one_over_the_documented_count_is_refused_naming_it(
    world: World, client: Client, schema: str, field: str, path: str, scope: str | None, item: Any
) -> None:
    fewest, most = _bounds(client, schema, field)
    assert fewest == 1
    key = (
        world.hotel_key
        if scope is None
        else api_client_create(actor=None, name="Agency", user=world.hannah, scopes=[scope])[1]
    )
    code = Watchlist.objects.values_list("code", flat=True).first()
    url = "/api/v1" + path.replace("{code}", str(code))
    extra = {"on": "2026-02-01"} if field == "stays" else {}
    for count in (fewest - 1, most + 1):
        response = client.post(
            url,
            data=json.dumps({field: [item] * count, **extra}),
            content_type="application/json",
            HTTP_X_API_KEY=key,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 422, (count, response.content[:300])
        fields = {e["field"] for e in response.json()["error"]["errors"]}
        assert field in fields, (count, fields)
