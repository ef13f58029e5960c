"""A value is read as JSON types it: the text "14" or true is no whole number. They were
taken as 14 and 1, so a client whose program wrote the wrong type never learnt it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Role, Scope
from umis.accounts.services import api_client_create
from umis.core.testing import World, make_user
from umis.payments.models import PaymentOrder
from umis.visas.models import VisaApplication
from umis.visas.reference import visa_reference_load_defaults
from umis.visas.testing import application, traveller

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: Any, key: str, lang: str = "en") -> Any:
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def _errors(response: Any) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.content
    return [(e["code"], e["field"], e["message"]) for e in response.json()["error"]["errors"]]


@pytest.mark.parametrize("days", ["14", " 14 ", True, 14.0])
def test_a_stay_of_days_not_sent_as_a_whole_number_is_refused(
    client: Client, world: World, days: object
) -> None:
    visa_reference_load_defaults()
    user = make_user("agnes", Role.AGENCY)
    key = api_client_create(actor=None, name="Agency", user=user, scopes=[Scope.EVISA])[1]
    body = application(traveller(), stay_days=days)
    response = _post(client, "/api/v1/evisa/applications", body, key)
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
    client: Client, world: World, change: dict[str, Any], field: str, message: str
) -> None:
    key = api_client_create(actor=None, name="Agency", user=world.hannah, scopes=[Scope.SCREENING])[
        1
    ]
    body = {"names": ["Cavid Məmmədov"], **change}
    response = _post(client, "/api/v1/screening/search", body, key)
    assert _errors(response) == [("invalid", field, message)]
