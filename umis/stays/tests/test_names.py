"""A guest's name holds letters of any script, spaces, hyphens, apostrophes and full stops:
a digit or markup is refused beside its field, and never reaches the certificate."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.test import Client

from umis.core.testing import World, guest, passport_mrz
from umis.people.models import Person
from umis.stays.models import StayRegistration
from umis.stays.testing import counts, post

pytestmark = pytest.mark.django_db

ADDRESS = ("region", "city", "street", "arrival_date", "planned_departure")


@pytest.mark.parametrize(
    ("change", "field", "char"),
    [
        ({"surname": "<b>Bold</b>"}, "surname", "<"),
        ({"surname": "Smith2"}, "surname", "2"),
        ({"given_names": "Jan (Piet)"}, "given_names", "("),
        ({"patronymic": "Ali_ogly"}, "patronymic", "_"),
        ({"surname": "١٢٣ علي"}, "surname", "١"),  # Arabic-Indic digits are digits too
        ({"given_names": "Ⅻ"}, "given_names", "Ⅻ"),
    ],
)
def test_a_name_with_a_digit_or_a_symbol_is_refused_naming_the_field(
    world: World, client: Client, change: dict[str, Any], field: str, char: str
) -> None:
    before = counts()
    response = post(client, "/api/v1/stay-registrations", guest(**change), world.hotel_key, "en")
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("name_character", field)
    assert error["message"] == (
        f"“{char}” cannot be part of a name: use letters, spaces, hyphens, apostrophes and "
        "full stops only."
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "az",
            "Adda “2” simvolu ola bilməz: yalnız hərflərdən, boşluqdan, defisdən, apostrofdan "
            "və nöqtədən istifadə edin.",
        ),
        (
            "ru",
            "В имени не может быть символа «2»: допускаются только буквы, пробелы, дефисы, "
            "апострофы и точки.",
        ),
    ],
)
def test_the_refusal_is_in_the_requests_language(
    world: World, client: Client, lang: str, message: str
) -> None:
    response = post(
        client, "/api/v1/stay-registrations", guest(surname="Smith2"), world.hotel_key, lang
    )
    assert response.json()["error"]["message"] == message


@pytest.mark.parametrize(
    "name",
    [
        "O'Brien",
        "D’Artagnan",
        "Oʼbrien",
        "St. John",
        "Anna-Maria",
        "Nguyễn Văn",
        "Mu\u0308ller",  # the accent typed as a combining mark
        "محمد\u200cرضا",  # the joiner inside an Arabic-script name
        "Иванов",
        "李小龍",
        "देवनागरी",
        "Łukasz Żółć",
    ],
)
def test_names_of_every_script_with_their_punctuation_are_accepted(
    world: World, client: Client, name: str
) -> None:
    response = post(client, "/api/v1/stay-registrations", guest(surname=name), world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    assert Person.objects.get().surname == unicodedata.normalize("NFC", name)  # as typed


def test_each_item_of_a_batch_with_a_bad_name_is_refused_on_its_own(
    world: World, client: Client
) -> None:
    items = [
        guest(document_number="N0000001", surname="<b>Bold</b>"),
        guest(document_number="N0000002"),
        guest(document_number="N0000003", given_names="Jan2"),
    ]
    body = post(client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key).json()
    assert [i["status"] for i in body["items"]] == ["refused", "accepted", "refused"]
    assert [(e["code"], e["field"]) for e in body["items"][0]["errors"]] == [
        ("name_character", "surname")
    ]
    assert [(e["code"], e["field"]) for e in body["items"][2]["errors"]] == [
        ("name_character", "given_names")
    ]
    assert StayRegistration.objects.count() == 1


def test_a_zone_whose_name_holds_a_digit_is_refused(world: World, client: Client) -> None:
    line1, line2 = passport_mrz()
    data = {k: v for k, v in guest().items() if k in ADDRESS}
    data["mrz"] = [line1.replace("ERIKSSON", "ERIKSS0N"), line2]  # no check digit covers it
    response = post(client, "/api/v1/stay-registrations", data, world.hotel_key, "en")
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("mrz_name_characters", "mrz")
    assert error["message"] == (
        "The names in the machine-readable zone may contain only the letters A–Z and the filler <."
    )
    assert counts() == (0, 0, 0, 0)


def test_the_form_shows_the_refusal_beside_the_name(world: World, client: Client) -> None:
    client.force_login(world.harry)
    form = guest(surname="<b>Bold</b>")
    response = client.post("/ru/host/register/", form)
    assert response.status_code == 422
    page = response.content.decode()
    error = page.split('id="error_surname"', 1)[1].split("</p>", 1)[0]
    assert "В имени не может быть символа «&lt;»" in error
    assert 'value="&lt;b&gt;Bold&lt;/b&gt;"' in page  # kept as typed, to correct
    assert counts() == (0, 0, 0, 0)
