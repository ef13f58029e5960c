"""Every whole-number identifier in the API's paths and queries takes the same range, stated
in the document: one that can never exist (0, negative, past the database's integers) is
422 `invalid` naming the parameter, and no record is looked for nor any read audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.api.schemas import ID_MAX, ID_MIN
from umis.audit.models import AuditEvent
from umis.core.testing import World

pytestmark = pytest.mark.django_db

IDENTIFIERS = [
    ("get", "/people/{person_id}/stay", "person_id"),
    ("get", "/identity/reviews/{match_id}", "match_id"),
    ("post", "/identity/reviews/{match_id}/decision", "match_id"),
    ("post", "/identity/merges/{merge_id}/unmerge", "merge_id"),
]


def _body(path: str) -> str:
    decision = {"decision": "separate"} if "decision" in path else {}
    return json.dumps({**decision, "reason": "x", "version": 1})


def _is_integer(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "integer" or any(
        s.get("type") == "integer" for s in schema.get("anyOf", [])
    )


def test_the_document_states_the_range_of_every_identifier(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    found = {}
    for path, operations in paths.items():
        for method, operation in operations.items():
            for p in operation.get("parameters", []):
                named = p["name"].endswith("_id") or p["name"] == "id"
                if p["in"] in ("path", "query") and named and _is_integer(p["schema"]):
                    found[(method, path.removeprefix("/api/v1"), p["name"])] = p["schema"]
    assert sorted(found) == sorted(IDENTIFIERS)
    for where, schema in found.items():
        assert (schema["minimum"], schema["maximum"]) == (ID_MIN, ID_MAX), where
    assert (ID_MIN, ID_MAX) == (1, 2**63 - 1)  # PostgreSQL's bigint, the tables' keys


@pytest.mark.parametrize(("method", "path", "name"), IDENTIFIERS)
def test_an_identifier_that_can_never_exist_is_422_naming_it(
    world: World, client: Client, method: str, path: str, name: str
) -> None:
    key = api_client_create(
        actor=None,
        name="desk",
        user=world.alice,
        scopes=[Scope.IDENTITY_REVIEW, Scope.PEOPLE_READ],
    )[1]
    for value in (0, -1, -(2**63), ID_MAX + 1, 10**30):
        url = "/api/v1" + path.replace("{" + name + "}", str(value))
        messages = []
        for lang in ("en", "ru"):
            if method == "get":
                response = client.get(url, HTTP_X_API_KEY=key, HTTP_ACCEPT_LANGUAGE=lang)
            else:
                response = client.post(
                    url,
                    _body(path),
                    "application/json",
                    HTTP_X_API_KEY=key,
                    HTTP_ACCEPT_LANGUAGE=lang,
                )
            assert response.status_code == 422, (value, response.content)
            error = response.json()["error"]
            assert (error["code"], error["field"]) == ("invalid", name)
            messages.append(error["message"])
        assert messages == ["Enter a valid identifier.", "Введите правильный идентификатор."]
    assert not AuditEvent.objects.filter(action__endswith="ACCESS_DENIED").exists()


@pytest.mark.parametrize(("method", "path", "name"), IDENTIFIERS)
def test_an_identifier_in_range_of_no_record_is_404(
    world: World, client: Client, method: str, path: str, name: str
) -> None:
    key = api_client_create(
        actor=None,
        name="desk",
        user=world.alice,
        scopes=[Scope.IDENTITY_REVIEW, Scope.PEOPLE_READ],
    )[1]
    for value in (ID_MIN, ID_MAX):
        url = "/api/v1" + path.replace("{" + name + "}", str(value))
        if method == "get":
            response = client.get(url, HTTP_X_API_KEY=key)
        else:
            response = client.post(url, _body(path), "application/json", HTTP_X_API_KEY=key)
        assert response.status_code == 404, (value, response.content)
        assert AuditEvent.objects.filter(
            action__endswith="ACCESS_DENIED", entity_id=str(value)
        ).exists()
