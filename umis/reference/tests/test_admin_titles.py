"""The admin's headings name the model as Russian declines it where the model is what the
heading's verb acts on ("Выберите страну", not "Выберите страна"), in az and en as before."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from umis.core.testing import World
from umis.reference.models import Country

pytestmark = pytest.mark.django_db


def _h1(page: str) -> str:
    return re.findall(r"<h1[^>]*>(.*?)</h1>", page)[0]


def _title(page: str) -> str:
    return re.findall(r"<title>(.*?) \|", page)[0]


@pytest.mark.parametrize(
    ("language", "select", "add", "change", "delete"),
    [
        (
            "ru",
            "Выберите страну для изменения",
            "Добавить страну",
            "Изменить страну",
            "Вы уверены, что хотите удалить страну",
        ),
        (
            "en",
            "Select country to change",
            "Add country",
            "Change country",
            "Are you sure you want to delete the country",
        ),
        ("az", "ölkə dəyişmək üçün seç", "ölkə əlavə et", "ölkə obyektini dəyiş", "ölkə"),
    ],
)
def test_the_country_pages_name_the_country_as_the_language_declines_it(
    world: World, language: str, select: str, add: str, change: str, delete: str
) -> None:
    client = Client()
    client.force_login(world.admin)
    prefix = "" if language == "az" else f"/{language}"
    base = f"{prefix}/admin/reference/country/"
    page = client.get(base).content.decode()
    assert (_h1(page), _title(page)) == (select, select)
    tools = page.split('class="object-tools">', 1)[1].split("</ul>", 1)[0]
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", tools)).strip() == add
    page = client.get(f"{base}add/").content.decode()
    assert (_h1(page), _title(page)) == (add, add)
    crumbs = page.split('class="breadcrumbs"', 1)[1].split("</div>", 1)[0]
    assert crumbs.rstrip().endswith(f"&rsaquo; {add}")
    country = Country.objects.get(code="NZ")
    page = client.get(f"{base}{country.pk}/change/").content.decode()
    assert _h1(page) == change
    page = client.get(f"{base}{country.pk}/delete/").content.decode()
    question = page.split('id="content"', 1)[1].split("<p>", 1)[1].split("</p>", 1)[0]
    assert delete in question


@pytest.mark.parametrize(
    ("path", "select", "add"),
    [
        ("accounts/user", "Выберите пользователя для изменения", "Добавить пользователя"),
        (
            "stays/host",
            "Выберите принимающую сторону для изменения",
            "Добавить принимающую сторону",
        ),
        ("reference/region", "Выберите регион для изменения", "Добавить регион"),
    ],
)
def test_each_model_s_russian_headings_decline_its_name(
    world: World, path: str, select: str, add: str
) -> None:
    client = Client()
    client.force_login(world.admin)
    assert _h1(client.get(f"/ru/admin/{path}/").content.decode()) == select
    assert _h1(client.get(f"/ru/admin/{path}/add/").content.decode()) == add


def test_the_api_keys_list_declines_its_name_too(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    page = client.get("/ru/admin/accounts/apiclient/").content.decode()
    assert _h1(page) == "Выберите API-клиента для изменения"
