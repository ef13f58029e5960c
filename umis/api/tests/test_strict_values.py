"""A value is read as JSON types it: the text "14" or true is no whole number. They were
taken as 14 and 1, so a client whose program wrote the wrong type never learnt it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.api.tests.factories import api_post
from umis.border.models import Crossing
from umis.border.tests.factories import border_key, event
from umis.core.testing import World, guest
from umis.payments.models import PaymentOrder
from umis.stays.models import StayRegistration
from umis.visas.models import VisaApplication
from umis.visas.testing import application, traveller

pytestmark = pytest.mark.django_db


def api_post_keyed(client: Client, path: str, body: Any, key: str, idempotency_key: str) -> Any:
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _errors(response: Any) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.content
    return [(e["code"], e["field"], e["message"]) for e in response.json()["error"]["errors"]]


@pytest.mark.parametrize("days", ["14", " 14 ", True, 14.0])
def test_a_stay_of_days_not_sent_as_a_whole_number_is_refused(
    client: Client, agency_key: str, days: object
) -> None:
    body = application(traveller(), stay_days=days)
    response = api_post(client, "/api/v1/evisa/applications", body, agency_key)
    assert _errors(response) == [("invalid", "stay_days", "Enter a whole number.")]
    assert not VisaApplication.objects.exists()
    assert not PaymentOrder.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"limit": "5"}, "limit", "Enter a whole number."),
        ({"limit": True}, "limit", "Enter a whole number."),
        ({"threshold": "80"}, "threshold", "Enter a number."),
        ({"threshold": False}, "threshold", "Enter a number."),
    ],
)
def test_a_screening_limit_or_threshold_of_another_type_is_refused(
    client: Client, screening_key: str, change: dict[str, Any], field: str, message: str
) -> None:
    body = {"names": ["Cavid Məmmədov"], **change}
    response = api_post(client, "/api/v1/screening/search", body, screening_key)
    assert _errors(response) == [("invalid", field, message)]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"surname": 5}, "surname", "Enter text."),
        ({"surname": {"text": "Hüseynov"}}, "surname", "Enter text."),
        ({"birth_date": 19790101}, "birth_date", "Enter text."),
        ({"mrz": "P<AZEHUSEYNOV<<RAUF"}, "mrz", "Enter a list."),
        ({"mrz": ["P<AZEHUSEYNOV<<RAUF", 2]}, "mrz.1", "Enter text."),
    ],
)
def test_in_a_batch_only_the_item_with_a_value_of_another_type_is_refused(
    client: Client, world: World, change: dict[str, Any], field: str, message: str
) -> None:
    # the whole batch was refused naming `items.3.surname`, the other guests not registered
    items = [guest(document_number=f"K{i:07d}", client_reference=f"r{i}") for i in range(5)]
    items[3] |= change
    body = {"items": items}
    path = "/api/v1/stay-registrations/bulk"
    first = api_post_keyed(client, path, body, world.hotel_key, "types-1")
    assert first.status_code == 200, first.content
    answer = first.json()
    assert (answer["accepted"], answer["refused"]) == (4, 1)
    refused = answer["items"][3]
    assert (refused["index"], refused["status"], refused["client_reference"]) == (
        3,
        "refused",
        "r3",
    )
    # named as the item's other errors are, relative to the item
    assert [(e["code"], e["field"], e["message"]) for e in refused["errors"]] == [
        ("invalid", field, message)
    ]
    stored = ["r0", "r1", "r2", "r4"]
    assert sorted(StayRegistration.objects.values_list("client_reference", flat=True)) == stored
    retry = api_post_keyed(client, path, body, world.hotel_key, "types-1")
    assert retry.status_code == 200
    assert retry.json() == {**answer, "replayed": True}
    assert StayRegistration.objects.count() == 4


def test_in_a_batch_an_item_with_a_value_of_another_type_and_an_unknown_field_says_both(
    client: Client, world: World
) -> None:
    items = [guest(document_number="K0000001"), guest(document_number="K0000002", sex=1)]
    items[1]["patronimic"] = "Əli oğlu"
    response = api_post(
        client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key, "ru"
    )
    assert response.status_code == 200, response.content
    refused = response.json()["items"][1]
    assert [(e["code"], e["field"], e["message"]) for e in refused["errors"]] == [
        ("invalid", "sex", "Введите текст."),
        ("unknown_field", "patronimic", "Неизвестное поле."),
    ]
    assert StayRegistration.objects.count() == 1


@pytest.mark.parametrize("body", [{"items": "all"}, {"items": {"0": {}}}, {}])
def test_a_batch_whose_items_are_no_list_is_refused_whole(
    client: Client, world: World, body: dict[str, Any]
) -> None:
    response = api_post(client, "/api/v1/stay-registrations/bulk", body, world.hotel_key)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "items"
    assert not StayRegistration.objects.exists()


def test_in_a_batch_of_border_events_only_the_event_with_a_value_of_another_type_is_refused(
    client: Client, world: World
) -> None:
    events = [event(document_number=f"B{i:07d}") for i in range(3)]
    events[1]["surname"] = 5
    response = api_post(client, "/api/v1/border/crossings", {"events": events}, border_key())
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stored"], body["refused"]) == (2, 1)
    (refused,) = body["items"]
    assert refused["index"] == 1
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("invalid", "surname")]
    assert Crossing.objects.count() == 2


def test_in_a_batch_an_item_that_is_no_object_is_refused_alone(
    client: Client, world: World
) -> None:
    items: list[Any] = [guest(document_number="K0000001"), 5, None, "guest"]
    response = api_post(
        client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["accepted"], answer["refused"]) == (1, 3)
    for refused in answer["items"][1:]:
        assert (refused["status"], refused["client_reference"]) == ("refused", None)
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("invalid", None)]
    assert StayRegistration.objects.count() == 1
