"""E-visa input found by the fuzz tests (umis/api/tests/test_fuzz.py) to fail the server."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.payments.models import PaymentOrder
from umis.visas.models import VisaApplication
from umis.visas.testing import application, traveller
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", [2147483648, 10**9, 3_000_000, -(10**12)])
def test_a_stay_of_more_days_than_a_date_can_hold_is_refused_naming_the_field(
    client: Client, agency: Agency, days: int
) -> None:
    # the last day of the stay was computed from the refused number and overflowed
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(traveller(), stay_days=days),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "stay_days"
    assert error["code"] in {"stay_too_long", "invalid"}
    assert error["message"] == "An e-visa allows a stay of 1 to 30 days."
    assert VisaApplication.objects.count() == 0
    assert PaymentOrder.objects.count() == 0


def test_an_entry_date_at_the_end_of_the_calendar_is_refused_naming_the_field(
    client: Client, agency: Agency
) -> None:
    # the refused entry date plus the stay ran past year 9999
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(traveller(), entry_date="9999-12-31"),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("entry_too_far", "entry_date")
    assert VisaApplication.objects.count() == 0


def test_the_status_lookup_with_a_nul_in_the_reference_finds_nothing(
    client: Client, agency: Agency
) -> None:
    # PostgreSQL refused the NUL in the lookup: a server error instead of "no match"
    from umis.visas.selectors import group_for_applicant

    assert group_for_applicant(reference="EV\x00", passport_number="C01X00T47") == []
    response = client.post("/evisa/status/", {"reference": "EV\x00", "passport_number": "C01"})
    assert response.status_code == 400  # refused before the page, as any NUL in a form
    assert '<p role="alert">' in response.content.decode()


@pytest.mark.parametrize("days", [1.5, "1.5", [14], {"days": 14}, True, "14", " 14 "])
def test_a_stay_that_is_not_a_whole_number_gets_that_one_error(
    client: Client, agency: Agency, days: object
) -> None:
    # the schema's "int or text" answered for each type it tried; text is no number
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(traveller(), stay_days=days),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    errors = [(e["field"], e["code"], e["message"]) for e in response.json()["error"]["errors"]]
    assert errors == [("stay_days", "invalid", "Enter a whole number.")]
    assert VisaApplication.objects.count() == 0
    assert PaymentOrder.objects.count() == 0


def test_a_whole_number_of_days_is_taken(client: Client, agency: Agency) -> None:
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(traveller(), stay_days=14),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": "en"},
    )
    assert response.status_code == 201, response.content
    assert VisaApplication.objects.get().stay_days == 14


@pytest.mark.parametrize(
    ("field", "lang", "message"),
    [
        ("city", "en", "The city contains an invisible character (U+202E)"),
        ("street", "az", "Küçə və binada görünməyən simvol var (U+202E)"),
        ("street", "ru", "Улица и дом содержат невидимый символ (U+202E)"),
    ],
)
def test_an_address_in_azerbaijan_holding_an_invisible_character_is_refused(
    client: Client, agency: Agency, field: str, lang: str, message: str
) -> None:
    # the address is shown to the officer and printed on the e-visa
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(traveller(), **{field: "Nizami\u202e 10"}),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": lang},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", field)
    assert message in error["message"]
    assert VisaApplication.objects.count() == 0
    assert PaymentOrder.objects.count() == 0
