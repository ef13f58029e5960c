"""A request whose body the API cannot see: none at all, or one sent in chunks without a
length (the application reads a body up to its Content-Length, so it saw none)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from umis.core.testing import World, guest
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/stay-registrations", "/api/v1/stay/calculate", "/api/v1/documents/mrz"]
)
def test_a_post_without_a_body_says_the_body_must_be_an_object(
    world: World, client: Client, path: str
) -> None:
    """It said "This field is required." and named no field."""
    response = client.generic(
        "POST",
        path,
        b"",
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "body_not_object",
        None,
        "The request body must be a JSON object.",
    )


def test_a_body_sent_in_chunks_without_a_length_is_refused_with_411(
    world: World, client: Client
) -> None:
    """A valid registration sent chunked was answered "This field is required." (the
    application saw an empty body)."""
    response = client.generic(
        "POST",
        "/api/v1/stay-registrations",
        json.dumps(guest()).encode(),
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 411
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "length_required",
        "Content-Length",
        "Отправьте тело запроса с заголовком Content-Length: тело, переданное частями "
        "(chunked), не читается.",
    )
    assert StayRegistration.objects.count() == 0


def test_the_api_document_lists_the_411_on_every_operation_with_a_body(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    with_body = [op for ops in paths.values() for op in ops.values() if "requestBody" in op]
    assert len(with_body) >= 10
    assert all("411" in op["responses"] for op in with_body)
