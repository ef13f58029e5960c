"""A body is read as JSON only when it is sent as JSON: a form, text or a body in another
encoding is refused with 415, whatever it holds, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from umis.core.testing import World, guest
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "",
        "application/json; charset=utf-16",
        "application/json; charset=latin-1",
    ],
)
def test_a_body_not_sent_as_json_is_refused_and_nothing_is_stored(
    world: World, client: Client, content_type: str
) -> None:
    response = client.generic(
        "POST",
        "/api/v1/stay-registrations",
        json.dumps(guest()).encode(),
        content_type=content_type,
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 415, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "unsupported_media_type",
        "Content-Type",
        "Отправьте тело запроса как JSON в кодировке UTF-8 с заголовком "
        "Content-Type: application/json.",
    )
    assert StayRegistration.objects.count() == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "Application/JSON; charset=UTF-8", "application/vnd.umis+json"],
)
def test_json_is_taken_with_or_without_its_charset(
    world: World, client: Client, content_type: str
) -> None:
    response = client.generic(
        "POST",
        "/api/v1/stay-registrations",
        json.dumps(guest()).encode(),
        content_type=content_type,
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert response.status_code == 201, response.content
    assert StayRegistration.objects.count() == 1


def test_the_api_document_says_a_body_not_sent_as_json_gets_415(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    with_body = [
        (method, path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 10
    for method, path in with_body:
        answers = paths[path][method]["responses"]
        assert answers["415"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }, (method, path)
