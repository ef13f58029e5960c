"""A value is read as JSON types it: the text "14" or true is no whole number. They were
taken as 14 and 1, so a client whose program wrote the wrong type never learnt it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from umis.api.tests.factories import api_post
from umis.payments.models import PaymentOrder
from umis.visas.models import VisaApplication
from umis.visas.testing import application, traveller

pytestmark = pytest.mark.django_db


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
