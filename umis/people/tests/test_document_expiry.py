"""A travel document's expiry date further ahead than any passport is valid (9999-12-31, a
year typed as 2205) is refused naming the field, by the place-of-stay registration, the
e-visa and the border crossings alike, in az, en and ru; nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from umis.border.models import Crossing
from umis.border.tests.factories import border_key, event, send
from umis.core import clock
from umis.core.testing import World, guest
from umis.stays.models import StayRegistration
from umis.visas.testing import application, traveller
from umis.visas.validation import application_parse

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
AT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
LATEST = "2037-03-10"  # ten years from an issue today, and a year more carried over
TOO_FAR = ["2037-03-11", "2040-01-01", "9999-12-31"]


def _register(client: Client, world: World, lang: str, **fields: Any) -> Any:
    return client.post(
        "/api/v1/stay-registrations",
        json.dumps(guest(**fields)),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "The expiry date cannot be after 10.03.2037"),
        ("az", "Etibarlılıq müddətinin bitmə tarixi 10.03.2037 tarixindən sonra ola bilməz"),
        ("ru", "Дата окончания срока действия не может быть позже 10.03.2037"),
    ],
)
def test_a_registration_with_a_document_valid_too_long_is_refused(
    client: Client, world: World, lang: str, message: str
) -> None:
    with clock.frozen_at(AT):
        response = _register(client, world, lang, document_expiry="9999-12-31")
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("document_expiry_too_far", "document_expiry")
    assert message in error["message"]
    assert not StayRegistration.objects.exists()


@pytest.mark.parametrize("expiry", TOO_FAR)
def test_every_day_past_the_latest_is_refused_and_the_latest_taken(
    client: Client, world: World, expiry: str
) -> None:
    with clock.frozen_at(AT):
        refused = _register(client, world, "en", document_expiry=expiry)
        assert refused.json()["error"]["code"] == "document_expiry_too_far"
        taken = _register(client, world, "en", document_expiry=LATEST)
    assert taken.status_code == 201, taken.content


@pytest.mark.parametrize("expiry", TOO_FAR)
def test_an_e_visa_traveller_with_a_passport_valid_too_long_is_refused(
    world: World, expiry: str
) -> None:
    with clock.frozen_at(AT):
        raw = application(traveller(document_expiry=expiry))
        errors = application_parse(raw, today=TODAY)
        accepted = application_parse(application(traveller(document_expiry=LATEST)), today=TODAY)
    assert isinstance(errors, list)
    assert [(e.code, e.field) for e in errors] == [
        ("document_expiry_too_far", "applicants.0.document_expiry")
    ]
    assert not isinstance(accepted, list), accepted


def test_a_crossing_with_a_document_valid_too_long_is_refused(client: Client, world: World) -> None:
    key = border_key()
    with clock.frozen_at(AT):
        body = send(
            client,
            key,
            [
                event(event_id="far", document_expiry="9999-12-31"),
                event(event_id="latest", document_expiry=LATEST),
            ],
        ).json()
    assert (body["stored"], body["refused"]) == (1, 1)
    item = body["items"][0]
    assert item["event_id"] == "far"
    assert [(e["code"], e["field"]) for e in item["errors"]] == [
        ("document_expiry_too_far", "document_expiry")
    ]
    assert list(Crossing.objects.values_list("event_id", flat=True)) == ["latest"]


def test_a_crossing_is_judged_by_its_own_day(client: Client, world: World) -> None:
    """An entry recorded years later: the passport was valid at most 11 years from then."""
    key = border_key()
    with clock.frozen_at(AT):
        body = send(
            client,
            key,
            [
                event(
                    event_id="old",
                    timestamp="2020-01-10T10:00:00+04:00",
                    document_expiry="2033-01-01",
                )
            ],
        ).json()
    assert body["refused"] == 1
    assert body["items"][0]["errors"][0]["code"] == "document_expiry_too_far"
