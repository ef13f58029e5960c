"""A name holding a character that is drawn as nothing (a grapheme joiner, a variation
selector, a Hangul filler...) looks like another name and would not be found by it: it is
refused beside its field, in the API and the forms, and nothing is stored."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.core.testing import World, guest
from umis.people.names import name_check
from umis.stays.testing import counts, post

pytestmark = pytest.mark.django_db

INVISIBLE = [
    "\u034f",  # combining grapheme joiner
    "\ufe00",  # variation selector 1
    "\ufe0f",  # variation selector 16
    "\U000e0100",  # variation selector 17
    "\U000e01ef",  # variation selector 256
    "\u17b4",  # Khmer vowel inherent aq
    "\u17b5",  # Khmer vowel inherent aa
    "\u180b",  # Mongolian free variation selector one
    "\u3164",  # Hangul filler
    "\uffa0",  # halfwidth Hangul filler
    "\u115f",  # Hangul choseong filler
]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_name_check_refuses_an_invisible_character(char: str) -> None:
    # the first error is the one shown (a Hangul filler is also a letter of another alphabet)
    assert name_check(f"Hüs{char}eynov", field="surname")[0].code == "invisible_character"
    assert name_check(f"Hüseynov{char}", field="surname")[0].code == "invisible_character"
    assert name_check(f"{char}", field="surname")[0].code == "invisible_character"


def test_the_arabic_joiner_is_still_allowed() -> None:
    assert name_check("محمد\u200cرضا", field="surname") == []


@pytest.mark.parametrize(
    ("field", "lang", "message"),
    [
        ("surname", "en", "The name contains invisible characters (U+034F)."),
        ("given_names", "az", "Adda görünməyən simvollar var (U+034F)."),
        ("patronymic", "ru", "Имя содержит невидимые символы (U+034F)."),
    ],
)
def test_the_api_refuses_it_naming_the_field(
    world: World, client: Client, field: str, lang: str, message: str
) -> None:
    before = counts()
    response = post(
        client,
        "/api/v1/stay-registrations",
        guest(**{field: "Hüs\u034feynov"}),
        world.hotel_key,
        lang,
    )
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "invisible_character",
        field,
        message,
    )
    assert counts() == before


def test_the_form_shows_the_refusal_beside_the_name(world: World, client: Client) -> None:
    client.force_login(world.harry)
    response = client.post("/en/host/register/", guest(surname="Hüs\ufe0feynov"))
    assert response.status_code == 422
    error = response.content.decode().split('id="error_surname"', 1)[1].split("</p>", 1)[0]
    assert "The name contains invisible characters (U+FE0F)." in error
    assert counts() == (0, 0, 0, 0)
