"""A traveller's field is named the same way in every error of the e-visa API, and the way
the other endpoints name an item's field: `applicants.0.photo`, as `items.3.surname`,
`entries.1.reason` and `stays.0.entry`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.visas.models import VisaApplication
from umis.visas.testing import application, traveller
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


def _fields(client: Client, agency: Agency, body: dict[str, Any]) -> list[tuple[str, str]]:
    response = client.post(
        "/api/v1/evisa/applications",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    return [(e["code"], e["field"]) for e in response.json()["error"]["errors"]]


def test_a_photo_of_the_wrong_type_and_a_photo_that_is_no_image_name_one_field(
    client: Client, agency: Agency
) -> None:
    typed = _fields(client, agency, application(traveller(photo=5)))
    read = _fields(client, agency, application(traveller(photo="not base64")))
    assert typed == [("invalid", "applicants.0.photo")]
    assert read[0][1] == "applicants.0.photo"
    assert not VisaApplication.objects.exists()


def test_a_second_traveller_s_errors_name_his_index_as_a_batch_item_s_do(
    client: Client, agency: Agency
) -> None:
    same_passport = traveller()
    errors = _fields(
        client, agency, application(traveller(), same_passport, traveller(given_names="<b>x</b>"))
    )
    assert ("duplicate_traveller", "applicants.1.document_number") in errors
    assert ("name_character", "applicants.2.given_names") in errors
    assert not VisaApplication.objects.exists()
