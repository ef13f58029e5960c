"""A watchlist is shown by its title in the reader's language, never by its code alone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from umis.core.testing import World
from umis.screening.models import Watchlist
from umis.screening.services import watchlist_get_or_create, watchlist_import
from umis.visas.demo import _watchlists as demo_watchlists

pytestmark = pytest.mark.django_db


def row_of(page: str, text: str) -> str:
    rows = [r for r in page.split("<tr>")[1:] if text in r]
    assert len(rows) == 1, text
    return rows[0].split("</tr>", 1)[0]


def stolen(code: str, **names: str) -> None:
    watchlist_import(
        actor=None,
        watchlist=watchlist_get_or_create(actor=None, code=code, **names),
        raws=[
            {
                "category": "stolen",
                "external_id": "T-1",
                "document_number": "YA7654321",
                "issuing_state": "IT",
                "reason": "reported stolen",
                "source": "test",
            }
        ],
    )


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("", "İtirilmiş, oğurlanmış və etibarsız səyahət sənədləri"),
        ("/ru", "Утерянные, похищенные и недействительные проездные документы"),
        ("/en", "Lost, stolen and invalid travel documents"),
    ],
)
def test_the_demo_stolen_passport_is_on_the_named_documents_list(
    world: World, client: Client, lang: str, title: str
) -> None:
    demo_watchlists()
    client.force_login(world.hannah)
    page = client.get(f"{lang}/office/screening/watchlist/").content.decode()
    assert f"<td>{title} <code>documents</code></td>" in row_of(page, "YA1234567")
    assert "lost-stolen-documents" not in page


@pytest.mark.parametrize(
    ("lang", "title"),
    [("", "Milli giriş qadağaları"), ("/ru", "Национальные запреты"), ("/en", "National bans")],
)
def test_a_list_given_names_in_each_language_is_shown_by_them(
    world: World, client: Client, lang: str, title: str
) -> None:
    stolen(
        "national-bans",
        name="National bans",
        name_az="Milli giriş qadağaları",
        name_ru="Национальные запреты",
    )
    client.force_login(world.hannah)
    page = client.get(f"{lang}/office/screening/watchlist/").content.decode()
    assert f"<td>{title} <code>national-bans</code></td>" in row_of(page, "YA7654321")


def test_a_list_named_in_english_only_is_shown_by_that_name_in_every_language(
    world: World,
) -> None:
    stolen("interpol-sltd", name="Interpol stolen documents")
    wl = Watchlist.objects.get(code="interpol-sltd")
    for lang in ("az", "ru", "en"):
        with translation.override(lang):
            assert wl.title == "Interpol stolen documents"


def test_a_list_made_by_an_earlier_demo_is_given_its_titles(world: World) -> None:
    Watchlist.objects.create(code="lost-stolen-documents", name="lost-stolen-documents")
    migration = importlib.import_module("umis.screening.migrations.0005_watchlist_names")
    migration.name_the_demo_list(apps, None)
    wl = Watchlist.objects.get(code="lost-stolen-documents")
    with translation.override("az"):
        assert wl.title == "İtirilmiş və oğurlanmış sənədlər (demo)"
    with translation.override("ru"):
        assert wl.title == "Утерянные и похищенные документы (демо)"
    with translation.override("en"):
        assert wl.title == "Lost and stolen documents (demo)"
