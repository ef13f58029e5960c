"""The address of a place of stay is shown to the office and printed on the certificate: a
city or a street holding a text-direction control or another character drawn as nothing
would read otherwise there, so it is refused beside its field, in the API (one registration
or a batch) and the host's form, and nothing is stored."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.core.testing import World, guest
from umis.stays.models import StayRegistration
from umis.stays.testing import counts, post

pytestmark = pytest.mark.django_db

HIDDEN = {
    "city": {
        "en": "The city contains an invisible character ({code})",
        "az": "Şəhərdə görünməyən simvol var ({code})",
        "ru": "Город содержит невидимый символ ({code})",
    },
    "street": {
        "en": "The street and building contain an invisible character ({code})",
        "az": "Küçə və binada görünməyən simvol var ({code})",
        "ru": "Улица и дом содержат невидимый символ ({code})",
    },
}


@pytest.mark.parametrize("field", ["city", "street"])
@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u200b", "\u200c", "\u034f", "\ufeff"])
def test_the_api_refuses_an_address_holding_an_invisible_character(
    world: World, client: Client, field: str, char: str
) -> None:
    before = counts()
    value = {"city": f"Ba{char}kı", "street": f"Nizami küçəsi {char}10"}[field]
    response = post(
        client, "/api/v1/stay-registrations", guest(**{field: value}), world.hotel_key, "en"
    )
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", field)
    assert HIDDEN[field]["en"].format(code=f"U+{ord(char):04X}") in error["message"]
    assert counts() == before


def test_a_batch_refuses_only_the_item_whose_street_holds_one(world: World, client: Client) -> None:
    items = [
        guest(document_number="N0000001", street="Nizami küçəsi 10\u202e"),
        guest(document_number="N0000002"),
    ]
    body = post(
        client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key, "ru"
    ).json()
    assert [i["status"] for i in body["items"]] == ["refused", "accepted"]
    [error] = body["items"][0]["errors"]
    assert (error["code"], error["field"]) == ("invisible_character", "street")
    assert HIDDEN["street"]["ru"].format(code="U+202E") in error["message"]
    assert StayRegistration.objects.count() == 1


@pytest.mark.parametrize(("lang", "language"), [("", "az"), ("/en", "en"), ("/ru", "ru")])
def test_the_host_s_form_shows_the_refusal_beside_the_city(
    world: World, client: Client, lang: str, language: str
) -> None:
    client.force_login(world.harry)
    response = client.post(f"{lang}/host/register/", guest(city="Bakı\u2066"))
    assert response.status_code == 422
    error = response.content.decode().split('id="error_city"', 1)[1].split("</p>", 1)[0]
    assert HIDDEN["city"][language].format(code="U+2066") in error
    assert counts() == (0, 0, 0, 0)


def test_an_address_in_arabic_script_keeps_its_joiner(world: World, client: Client) -> None:
    street = "خیابان می\u200cخواهم 10"
    response = post(client, "/api/v1/stay-registrations", guest(street=street), world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    assert StayRegistration.objects.get().street == street
