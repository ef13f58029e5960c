"""The OpenAPI document as a client developer reads it: which key scope each operation needs
and which values each field takes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.api.urls import api
from umis.core import clock

pytestmark = pytest.mark.django_db


def spec(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_each_operation_names_the_scope_its_key_needs(client: Client) -> None:
    paths = spec(client)["paths"]
    search = paths["/api/v1/screening/search"]["post"]
    assert search["security"] == [{"ApiKeyAuth": ["screening"]}]
    assert search["x-required-scopes"] == ["screening"]
    assert search["description"].endswith("Needs an API key with the scope `screening`.")
    compare = paths["/api/v1/names/compare"]["post"]
    assert compare["x-required-scopes"] == ["screening"]
    end = paths["/api/v1/stay-registrations/{reference}/end"]["post"]
    assert end["security"] == [{"ApiKeyAuth": ["stay_registrations"]}]
    calculate = paths["/api/v1/stay/calculate"]["post"]
    assert "security" not in calculate and "x-required-scopes" not in calculate
    assert calculate["description"].endswith("Open to anyone: no API key needed.")


def test_every_operation_with_a_key_names_its_scope() -> None:
    """The scope in the document is the one the key is checked for."""
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security")
            if security is None:
                continue
            assert security == [{"ApiKeyAuth": operation["x-required-scopes"]}], (method, path)
            assert len(operation["x-required-scopes"]) == 1, (method, path)


def test_the_fields_say_which_values_are_taken(client: Client) -> None:
    schemas = spec(client)["components"]["schemas"]
    limit = schemas["SearchIn"]["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 20)
    threshold = schemas["SearchIn"]["properties"]["threshold"]
    assert (threshold["minimum"], threshold["maximum"]) == (0, 100)
    regime = schemas["CalculateIn"]["properties"]["regime"]
    assert regime["pattern"] == "^[0-9]{1,4}(/[0-9]{1,4})?$"
    assert "at most D days per stay (e.g. 30 or 15)" in regime["description"]
    assert "1 <= D < W <= 3660" in regime["description"]


@pytest.mark.parametrize("regime", ["90/180", "30", "15", "45", "60/120"])
def test_every_regime_the_document_describes_is_taken(
    client: Client, world: Any, regime: str
) -> None:
    body = {"stays": [{"entry": "2026-03-01"}], "on": "2026-03-10", "regime": regime}
    response = client.post("/api/v1/stay/calculate", body, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["regime"] == regime


def test_the_pdf_operations_say_they_answer_a_pdf(client: Client) -> None:
    """The 200 of both said nothing of its content; a generated client read it as JSON."""
    paths = spec(client)["paths"]
    for path in (
        "/api/v1/stay-registrations/{reference}/certificate.pdf",
        "/api/v1/evisa/applications/{reference}/{case_reference}/evisa.pdf",
    ):
        ok = paths[path]["get"]["responses"]["200"]
        assert ok["content"] == {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
        }, path
        # the errors stay JSON
        assert "application/json" in paths[path]["get"]["responses"]["404"]["content"]


def test_the_document_names_each_key_once(client: Client) -> None:
    """A key written twice (the PDF's 200 beside ninja's own) is read by one reader as the
    first and by another as the last; the docs page's reader refuses the document."""

    def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _v in pairs]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=once)


def _operations(client: Client) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in spec(client)["paths"].items()
        for method, operation in operations.items()
    ]


# the operations that can answer 409: a retried Idempotency-Key sent with another request
# (`idempotency_key_reused`), for the identity decisions, a stale `version`, and for a
# watchlist import, the same entries already waiting or being imported (`import_in_progress`)
CONFLICTING = {
    ("POST", "/api/v1/stay-registrations"),
    ("POST", "/api/v1/stay-registrations/bulk"),
    ("POST", "/api/v1/stay-registrations/{reference}/end"),
    ("POST", "/api/v1/evisa/applications"),
    ("POST", "/api/v1/border/crossings"),
    ("POST", "/api/v1/identity/reviews/{match_id}/decision"),
    ("POST", "/api/v1/identity/merges/{merge_id}/unmerge"),
    ("POST", "/api/v1/watchlists/{code}/entries"),
}


def test_a_read_lists_neither_conflict_nor_too_large(client: Client) -> None:
    """A GET reads no body (nothing to be too large) and changes nothing (nothing to
    conflict with): a client told it may get 409 or 413 writes handling for answers that
    never come."""
    reads = [(m, p, o) for m, p, o in _operations(client) if m == "GET"]
    assert reads
    for method, path, operation in reads:
        assert not {"409", "413"} & set(operation["responses"]), (method, path)


def test_only_the_operations_that_can_conflict_list_409(client: Client) -> None:
    listed = {(m, p) for m, p, o in _operations(client) if "409" in o["responses"]}
    assert listed == CONFLICTING


def test_a_read_with_a_body_too_large_is_not_refused_as_too_large(
    client: Client, world: Any, settings: Any
) -> None:
    """What the document says of a GET holds: its body is not read, whatever its size."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.generic(
        "GET", "/api/v1/documents/signer-keys", b"x" * 1000, "application/json"
    )
    assert response.status_code == 200


def test_every_429_describes_the_retry_after_header(client: Client) -> None:
    """A client reads from the document how long to wait when the rate limit is reached."""
    for method, path, operation in _operations(client):
        refused = operation["responses"]["429"]
        header = refused.get("headers", {}).get("Retry-After")
        assert header is not None, (method, path)
        assert header["required"] is True, (method, path)
        assert header["schema"] == {"type": "integer", "minimum": 1, "maximum": 60}, (method, path)


def test_every_operation_over_the_limit_sends_retry_after_as_described(
    client: Client, world: Any, settings: Any
) -> None:
    """What the document says of the header holds for each operation, with a key or without."""
    operations = _operations(client)
    settings.UMIS_RATE_LIMITS = {"api_client": 1, "api_anonymous": 1}
    with clock.frozen_at(clock.now()):  # one minute's counters, however slow the run
        client.get("/api/v1/documents/signer-keys")  # the caller's one request of the minute
        client.get("/api/v1/stay-registrations", HTTP_X_API_KEY=world.hotel_key)
        for method, path, operation in operations:
            url = path.replace("{", "").replace("}", "")  # any value: refused before it is read
            for headers in ({}, {"HTTP_X_API_KEY": world.hotel_key}):
                response = client.generic(method, url, b"{}", "application/json", **headers)
                assert response.status_code == 429, (method, path)
                described = operation["responses"]["429"]["headers"]["Retry-After"]["schema"]
                seconds = int(response["Retry-After"])
                assert described["minimum"] <= seconds <= described["maximum"], (method, path)
                assert response.json()["error"]["code"] == "rate_limited"
    assert operations


# the operations that name no object (no reference or id in the path or the body): nothing
# they are asked for can be missing, so they never answer 404
NAMING_NO_OBJECT = {
    ("GET", "/api/v1/stay-registrations"),
    ("POST", "/api/v1/names/compare"),
    ("POST", "/api/v1/screening/search"),
}


def test_an_operation_naming_no_object_does_not_list_404(client: Client) -> None:
    listed = {(m, p) for m, p, o in _operations(client) if "404" in o["responses"]}
    assert listed
    assert not NAMING_NO_OBJECT & listed


def test_an_operation_taking_no_input_does_not_list_422(client: Client, world: Any) -> None:
    """Nothing sent can be wrong: the published keys answer whatever the query says."""
    bare = [
        (m, p, o)
        for m, p, o in _operations(client)
        if not o.get("parameters") and "requestBody" not in o
    ]
    assert [(m, p) for m, p, _o in bare] == [("GET", "/api/v1/documents/signer-keys")]
    for method, path, operation in bare:
        assert "422" not in operation["responses"], (method, path)
    response = client.get("/api/v1/documents/signer-keys?offset=x&limit=-1")
    assert response.status_code == 200


# the keywords of a schema object in OpenAPI 3.1 (JSON Schema 2020-12 and OpenAPI's own) and
# 3.0 (`nullable`, `example`): a tool reading the document understands these, and skips an
# extension (`x-…`); another word it would reject, or take as a mistake
SCHEMA_KEYWORDS = {
    *("$ref", "$defs", "$schema", "$id", "$comment", "$anchor", "$dynamicRef"),
    *("type", "format", "title", "description", "default", "examples", "example", "enum"),
    *("const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    *("minLength", "maxLength", "pattern", "contentEncoding", "contentMediaType"),
    *("items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems"),
    *("properties", "required", "additionalProperties", "patternProperties"),
    *("propertyNames", "minProperties", "maxProperties", "dependentRequired"),
    *("anyOf", "allOf", "oneOf", "not", "if", "then", "else"),
    *("nullable", "discriminator", "xml", "externalDocs", "deprecated", "readOnly", "writeOnly"),
}


def _schemas(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every schema object of the document, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(schema: Any, where: str) -> None:
        if not isinstance(schema, dict):
            return
        found.append((where, schema))
        for key in ("items", "not", "additionalProperties", "if", "then", "else", "contains"):
            walk(schema.get(key), f"{where}.{key}")
        for key in ("anyOf", "allOf", "oneOf", "prefixItems"):
            for i, s in enumerate(schema.get(key, [])):
                walk(s, f"{where}.{key}.{i}")
        for key in ("properties", "$defs", "patternProperties"):
            for name, s in schema.get(key, {}).items():
                walk(s, f"{where}.{key}.{name}")

    for name, schema in document["components"]["schemas"].items():
        walk(schema, name)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            at = f"{method} {path}"
            for p in operation.get("parameters", []):
                walk(p.get("schema"), f"{at} {p['name']}")
            for kind, content in operation.get("requestBody", {}).get("content", {}).items():
                walk(content.get("schema"), f"{at} body {kind}")
            for status, answer in operation.get("responses", {}).items():
                for kind, content in answer.get("content", {}).items():
                    walk(content.get("schema"), f"{at} {status} {kind}")
                for header, h in answer.get("headers", {}).items():
                    walk(h.get("schema"), f"{at} {status} {header}")
    return found


def test_every_schema_uses_only_keywords_openapi_tools_understand(client: Client) -> None:
    schemas = _schemas(spec(client))
    assert len(schemas) > 200  # the walk reaches the parameters, bodies and answers
    unknown = {
        (where, key)
        for where, schema in schemas
        for key in schema
        if key not in SCHEMA_KEYWORDS and not key.startswith("x-")
    }
    assert unknown == set()
