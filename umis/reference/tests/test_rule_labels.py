"""A visa-free regime and a registration rule are named in full words with the number's
plural and the date written as the site writes dates (01.01.2020), never «90/180 дн., с
2020-01-01», in az, en and ru: in the admin's lists and pages and wherever they are shown."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client
from django.utils import translation

from umis.core.testing import World
from umis.reference.models import RegistrationRule, VisaFreeRegime

pytestmark = pytest.mark.django_db

START = dt.date(2020, 1, 1)


def regime(days: int, window: int | None) -> VisaFreeRegime:
    return VisaFreeRegime(nationality_id="TR", days=days, window_days=window, valid_from=START)


@pytest.mark.parametrize(
    ("days", "window", "ru", "az"),
    [
        (1, 2, "не более 1 дня в любом периоде из 2 дней", "istənilən 2 gün ərzində ən çoxu 1 gün"),
        (
            2,
            5,
            "не более 2 дней в любом периоде из 5 дней",
            "istənilən 5 gün ərzində ən çoxu 2 gün",
        ),
        (
            5,
            21,
            "не более 5 дней в любом периоде из 21 дня",
            "istənilən 21 gün ərzində ən çoxu 5 gün",
        ),
        (
            21,
            22,
            "не более 21 дня в любом периоде из 22 дней",
            "istənilən 22 gün ərzində ən çoxu 21 gün",
        ),
        (
            22,
            92,
            "не более 22 дней в любом периоде из 92 дней",
            "istənilən 92 gün ərzində ən çoxu 22 gün",
        ),
        (
            90,
            180,
            "не более 90 дней в любом периоде из 180 дней",
            "istənilən 180 gün ərzində ən çoxu 90 gün",
        ),
        (1, None, "1 день за одно пребывание", "hər səfərdə 1 gün"),
        (2, None, "2 дня за одно пребывание", "hər səfərdə 2 gün"),
        (5, None, "5 дней за одно пребывание", "hər səfərdə 5 gün"),
        (21, None, "21 день за одно пребывание", "hər səfərdə 21 gün"),
        (22, None, "22 дня за одно пребывание", "hər səfərdə 22 gün"),
        (92, None, "92 дня за одно пребывание", "hər səfərdə 92 gün"),
    ],
)
def test_a_regime_is_named_in_words_with_its_plural(
    days: int, window: int | None, ru: str, az: str
) -> None:
    with translation.override("ru"):
        assert str(regime(days, window)) == f"TR: {ru}, с 01.01.2020"
    with translation.override("az"):
        assert str(regime(days, window)) == f"TR: {az}, 01.01.2020 tarixindən"


def test_a_regime_is_named_in_english() -> None:
    with translation.override("en"):
        assert str(regime(21, 92)) == "TR: at most 21 days in any 92 days, from 01.01.2020"
        assert str(regime(1, None)) == "TR: 1 day per stay, from 01.01.2020"


@pytest.mark.parametrize(
    ("n", "ru", "az"),
    [
        (
            1,
            "пребывание дольше 1 дня, регистрация в течение 1 дня",
            "1 gündən uzun qalma, 1 gün ərzində qeydiyyat",
        ),
        (
            2,
            "пребывание дольше 2 дней, регистрация в течение 2 дней",
            "2 gündən uzun qalma, 2 gün ərzində qeydiyyat",
        ),
        (
            5,
            "пребывание дольше 5 дней, регистрация в течение 5 дней",
            "5 gündən uzun qalma, 5 gün ərzində qeydiyyat",
        ),
        (
            21,
            "пребывание дольше 21 дня, регистрация в течение 21 дня",
            "21 gündən uzun qalma, 21 gün ərzində qeydiyyat",
        ),
        (
            22,
            "пребывание дольше 22 дней, регистрация в течение 22 дней",
            "22 gündən uzun qalma, 22 gün ərzində qeydiyyat",
        ),
        (
            92,
            "пребывание дольше 92 дней, регистрация в течение 92 дней",
            "92 gündən uzun qalma, 92 gün ərzində qeydiyyat",
        ),
    ],
)
def test_a_registration_rule_is_named_with_its_plural(n: int, ru: str, az: str) -> None:
    rule = RegistrationRule(threshold_days=n, deadline_days=n, valid_from=START)
    with translation.override("ru"):
        assert str(rule) == f"*: {ru}, с 01.01.2020"
    with translation.override("az"):
        assert str(rule) == f"*: {az}, 01.01.2020 tarixindən"


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("/ru", "TR: не более 21 дня в любом периоде из 92 дней, с 01.01.2020"),
        ("", "TR: istənilən 92 gün ərzində ən çoxu 21 gün, 01.01.2020 tarixindən"),
    ],
)
def test_the_admin_names_a_regime_in_words(world: World, prefix: str, text: str) -> None:
    saved = VisaFreeRegime.objects.create(
        nationality_id="TR", days=21, window_days=92, valid_from=START
    )
    client = Client()
    client.force_login(world.admin)
    page = html.unescape(
        client.get(f"{prefix}/admin/reference/visafreeregime/{saved.pk}/change/").content.decode()
    )
    assert text in page
    assert "дн." not in page
    assert "2020-01-01" not in page.replace('value="2020-01-01"', "")
