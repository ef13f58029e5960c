"""The admin speaks the language the administrator chose on the site (the language switch,
kept in its cookie), Azerbaijani unless he chose another; its addresses stay as they were."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from umis.core.testing import World

pytestmark = pytest.mark.django_db

HEADINGS = {
    "az": "Sayt administrasiyası",
    "en": "Site administration",
    "ru": "Администрирование сайта",
}


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _heading(page: str) -> str:
    return re.findall(r"<h1[^>]*>(.*?)</h1>", page)[0]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_administrator_who_switched_language_on_the_site_reads_the_admin_in_it(
    world: World, language: str
) -> None:
    client = _admin(world)
    switched = client.post("/language/", {"language": language, "next": "/office/"})
    assert switched.status_code == 302
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, f"/{language}/admin/")
    page = client.get(response["Location"]).content.decode()
    assert f'<html lang="{language}"' in page
    assert _heading(page) == HEADINGS[language]


def test_a_deep_admin_address_keeps_its_page_and_query_in_the_chosen_language(
    world: World,
) -> None:
    client = _admin(world)
    client.post("/language/", {"language": "ru", "next": "/"})
    response = client.get("/admin/reference/region/?o=1")
    assert (response.status_code, response["Location"]) == (302, "/ru/admin/reference/region/?o=1")
    assert client.get(response["Location"]).status_code == 200


def test_the_admin_is_in_azerbaijani_by_default_and_after_switching_back(world: World) -> None:
    client = _admin(world)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert _heading(page.content.decode()) == HEADINGS["az"]
    client.post("/language/", {"language": "en", "next": "/"})
    client.post("/language/", {"language": "az", "next": "/en/admin/"})
    page = client.get("/admin/")
    assert page.status_code == 200
    assert _heading(page.content.decode()) == HEADINGS["az"]


def test_the_switch_on_an_admin_page_keeps_the_administrator_on_that_page(
    world: World,
) -> None:
    client = _admin(world)
    page = client.get("/admin/reference/region/").content.decode()
    switch = page.split('class="lang"', 1)[1].split("</form>", 1)[0]
    assert 'value="/admin/reference/region/"' in switch and 'value="en"' in switch
    moved = client.post("/language/", {"language": "en", "next": "/admin/reference/region/"})
    assert moved["Location"] == "/en/admin/reference/region/"
    assert "Select region to change" in client.get(moved["Location"]).content.decode()


def test_a_posted_admin_form_is_not_redirected_away(world: World) -> None:
    client = _admin(world)
    client.post("/language/", {"language": "en", "next": "/"})
    response = client.post("/admin/reference/region/", {"action": "", "index": "0"})
    assert response.status_code != 302 or not response["Location"].startswith("/en/")


@pytest.mark.parametrize(
    ("language", "title", "border"),
    [
        ("az", "UMIS idarəetməsi", "Sərhəd keçidləri"),
        ("en", "UMIS administration", "Border crossings"),
        ("ru", "Администрирование UMIS", "Пересечения границы"),
    ],
)
def test_the_admin_names_the_system_and_each_of_its_sections_in_the_chosen_language(
    world: World, language: str, title: str, border: str
) -> None:
    prefix = "" if language == "az" else f"/{language}"
    page = _admin(world).get(f"{prefix}/admin/").content.decode()
    assert re.search(r"<title>[^<]*" + re.escape(title) + r"[^<]*</title>", page)
    assert f">{title}</a>" in page  # the header's link
    assert "Django" not in page
    assert f">{border}</a>" in page  # the section of the crossing points, not "Border"


@pytest.mark.parametrize(("language", "site"), [("az", "/"), ("en", "/en/"), ("ru", "/ru/")])
def test_view_site_leads_to_the_site_in_the_administrators_language(
    world: World, language: str, site: str
) -> None:
    client = _admin(world)
    client.post("/language/", {"language": language, "next": "/"})
    prefix = "" if language == "az" else f"/{language}"
    page = client.get(f"{prefix}/admin/").content.decode()
    links = re.findall(r'<a href="([^"]*)">[^<]*</a>', page.split('id="user-tools"', 1)[1])
    assert links[0] == site
    home = client.get(site)
    assert (home.status_code, home.headers["Content-Language"]) == (200, language)


@pytest.mark.parametrize(
    ("language", "search", "filters"),
    [
        (
            "ru",
            "Поиск по имени пользователя или адресу эл. почты",
            ["создан", "последнее использование", "подтверждено"],
        ),
        (
            "en",
            "Search by username or e-mail address",
            ["created at", "last used at", "confirmed"],
        ),
        (
            "az",
            "İstifadəçi adı və ya e-poçt ünvanı ilə axtarış",
            ["yaradılıb", "son istifadə", "təsdiqlənib"],
        ),
    ],
)
def test_the_list_of_second_factor_devices_is_in_the_administrators_language(
    world: World, language: str, search: str, filters: list[str]
) -> None:
    prefix = "" if language == "az" else f"/{language}"
    page = _admin(world).get(f"{prefix}/admin/otp_totp/totpdevice/").content.decode()
    help_text = re.findall(r'<div class="help" id="searchbar_helptext">(.*?)</div>', page, re.S)
    assert [t.strip() for t in help_text] == [search]
    assert re.findall(r'<details data-filter-title="([^"]*)"', page) == filters
