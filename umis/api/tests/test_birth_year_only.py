"""A date of birth known only by its year is said to be so beside the date the API gives
(1 January of that year), so a client does not take 1 January for the birthday."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from umis.core.testing import World, guest
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


def _registration(client: Client, world: World, *, year_only: bool) -> str:
    created = client.post(
        "/api/v1/stay-registrations",
        json.dumps(guest(birth_date="1985-01-01")),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert created.status_code == 201, created.content
    reference: str = created.json()["reference"]
    StayRegistration.objects.filter(case__reference=reference).update(
        birth_date=dt.date(1985, 1, 1), birth_year_only=year_only
    )
    return reference


@pytest.mark.parametrize("year_only", [True, False])
def test_a_registration_says_whether_only_the_year_of_birth_is_known(
    client: Client, world: World, year_only: bool
) -> None:
    reference = _registration(client, world, year_only=year_only)
    response = client.get(f"/api/v1/stay-registrations/{reference}", HTTP_X_API_KEY=world.hotel_key)
    assert response.status_code == 200
    body = response.json()
    assert (body["birth_date"], body["birth_year_only"]) == ("1985-01-01", year_only)


def test_a_new_registration_says_its_full_date_of_birth_is_not_only_a_year(
    client: Client, world: World
) -> None:
    created = client.post(
        "/api/v1/stay-registrations",
        json.dumps(guest(birth_date="1985-03-17")),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert created.status_code == 201, created.content
    assert (created.json()["birth_date"], created.json()["birth_year_only"]) == (
        "1985-03-17",
        False,
    )


def test_the_api_document_describes_the_year_only_flag(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    prop = spec["components"]["schemas"]["StayRegistrationOut"]["properties"]["birth_year_only"]
    assert prop["type"] == "boolean"
    assert "year" in prop["description"]
