"""The sender's own reference of a registration or an e-visa application, and the reason a
border post gives for a refusal of entry, are shown to the office and read back by others:
one holding a text-direction control or another character drawn as nothing would read
otherwise there, so it is refused beside its field, naming the character, as every other
text is, and nothing is stored."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.api.tests.factories import api_post
from umis.border.models import Crossing
from umis.border.tests.factories import border_key, event
from umis.core.testing import World, guest
from umis.stays.models import StayRegistration
from umis.visas.models import VisaApplication
from umis.visas.testing import application, traveller

pytestmark = pytest.mark.django_db

CHARS = ["\u202e", "\u2067", "\u200b", "\u034f", "\ufeff", "\u3164"]
REFERENCE = {
    "en": "Your reference contains an invisible character ({code})",
    "az": "İstinadınızda görünməyən simvol var ({code})",
    "ru": "Ваша ссылка содержит невидимый символ ({code})",
}
REASON = {
    "en": "The reason for the refusal contains an invisible character ({code})",
    "az": "İmtinanın səbəbində görünməyən simvol var ({code})",
    "ru": "Причина отказа содержит невидимый символ ({code})",
}


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


@pytest.mark.parametrize("char", CHARS)
@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_a_registration_whose_reference_holds_an_invisible_character_is_refused(
    client: Client, world: World, char: str, lang: str
) -> None:
    body = guest(client_reference=f"INV-{char}2041")
    response = api_post(client, "/api/v1/stay-registrations", body, world.hotel_key, lang)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", "client_reference")
    assert REFERENCE[lang].format(code=_code(char)) in error["message"]
    assert not StayRegistration.objects.exists()


def test_a_batch_refuses_only_the_item_whose_reference_holds_one(
    client: Client, world: World
) -> None:
    items = [
        guest(document_number="N0000001", client_reference="r1\u2066"),
        guest(document_number="N0000002", client_reference="r2"),
    ]
    body = api_post(
        client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key, "ru"
    ).json()
    assert [(i["status"], i["client_reference"]) for i in body["items"]] == [
        ("refused", None),
        ("accepted", "r2"),
    ]
    [error] = body["items"][0]["errors"]
    assert (error["code"], error["field"]) == ("invisible_character", "client_reference")
    assert REFERENCE["ru"].format(code="U+2066") in error["message"]
    assert list(StayRegistration.objects.values_list("client_reference", flat=True)) == ["r2"]


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_an_e_visa_application_whose_reference_holds_one_is_refused(
    client: Client, agency_key: str, lang: str
) -> None:
    body = application(traveller(), client_reference="TRIP\u200b-7")
    response = api_post(client, "/api/v1/evisa/applications", body, agency_key, lang)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", "client_reference")
    assert REFERENCE[lang].format(code="U+200B") in error["message"]
    assert not VisaApplication.objects.exists()


@pytest.mark.parametrize("char", CHARS)
@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_a_refusal_of_entry_whose_reason_holds_one_is_refused_alone(
    client: Client, world: World, char: str, lang: str
) -> None:
    events = [
        event(direction="refused", refusal_reason=f"No visa{char} on arrival"),
        event(direction="refused", refusal_reason="No visa on arrival"),
    ]
    response = api_post(client, "/api/v1/border/crossings", {"events": events}, border_key(), lang)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stored"], body["refused"]) == (1, 1)
    (refused,) = body["items"]
    assert refused["index"] == 0
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("invisible_character", "refusal_reason")
    assert REASON[lang].format(code=_code(char)) in error["message"]
    assert list(Crossing.objects.values_list("event_id", flat=True)) == [events[1]["event_id"]]


def test_a_reference_or_a_reason_in_arabic_script_keeps_its_joiner(
    client: Client, world: World
) -> None:
    reference = "می\u200cخواهم"
    created = api_post(
        client, "/api/v1/stay-registrations", guest(client_reference=reference), world.hotel_key
    )
    assert created.status_code == 201, created.content
    assert StayRegistration.objects.get().client_reference == reference
    reason = "ویزا نمی\u200cخواهد"
    events = [event(direction="refused", refusal_reason=reason)]
    response = api_post(client, "/api/v1/border/crossings", {"events": events}, border_key())
    assert response.json()["stored"] == 1, response.content
    assert Crossing.objects.get().refusal_reason == reason
