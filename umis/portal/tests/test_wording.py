"""One name for one thing in each language: the place-of-stay registration in az, the
e-visa in ru."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from umis.core.testing import World

LOCALE = Path(settings.BASE_DIR) / "locale"


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def test_az_calls_the_place_of_stay_olduğu_yer_never_the_place_of_residence() -> None:
    wrong = [
        e.msgid
        for e in catalogue("az")
        if "place of stay" in e.msgid.lower() and "yaşayış yeri" in e.msgstr.lower()
    ]
    assert wrong == []


def test_ru_writes_the_e_visa_one_way() -> None:
    # "электронная виза" in prose, "э-виза" for short; never a Latin "e-" or "е-виза"
    mixed = [e.msgstr for e in catalogue("ru") if re.search(r"\b[eе]-виз", e.msgstr, re.I)]
    assert mixed == []


@pytest.mark.django_db
def test_the_pages_use_those_words(world: World, client: Client) -> None:
    home = client.get("/ru/").content.decode()
    assert "Электронная виза (э-виза)" in home
    result = client.post(
        "/stay-calculator/",
        {"regime": "90/180", "on": "2026-03-10", "entry_0": "2026-03-05", "nationality": "TR"},
    ).content.decode()
    assert "Olduğu yer üzrə qeydiyyat üçün son tarix" in result
    assert "Yaşayış yeri" not in result
