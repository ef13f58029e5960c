"""The head office's page of watchlist entries: every entry can be reached, list by list,
page by page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from umis.core.testing import World
from umis.screening.models import WatchlistEntry
from umis.screening.services import watchlist_get_or_create, watchlist_import
from umis.screening.tests.test_intake import ban

pytestmark = pytest.mark.django_db


def import_bans(world: World, code: str, count: int) -> list[WatchlistEntry]:
    wl = watchlist_get_or_create(actor=world.hannah, code=code, name=code)
    raws = [
        ban(external_id=f"{code}-{i}", full_name=f"Listed {chr(65 + i % 26)}{chr(65 + i // 26)}")
        for i in range(count)
    ]
    assert not watchlist_import(actor=world.hannah, watchlist=wl, raws=raws).errors
    return list(WatchlistEntry.objects.filter(watchlist=wl).order_by("id"))


def ids_on(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/en/office/screening/watchlist/(\d+)/"', page)}


def test_every_entry_of_a_long_list_is_reached_page_by_page(world: World, client: Client) -> None:
    entries = import_bans(world, "entry-bans", 130)
    client.force_login(world.hannah)
    seen: set[int] = set()
    url = "/en/office/screening/watchlist/"
    for _ in range(5):
        page = client.get(url).content.decode()
        assert len(ids_on(page)) <= 50
        seen |= ids_on(page)
        following = re.search(r'<a href="(\?[^"]*)"[^>]*>Next</a>', page)
        if not following:
            break
        url = "/en/office/screening/watchlist/" + following.group(1).replace("&amp;", "&")
    assert seen == {e.pk for e in entries}
    assert "Page 3 of 3" in page
    assert "Entries found: 130" in page


def test_the_page_shows_one_list_when_asked(world: World, client: Client) -> None:
    bans = import_bans(world, "entry-bans", 3)
    import_bans(world, "wanted", 2)
    client.force_login(world.hannah)
    page = client.get("/ru/office/screening/watchlist/?list=entry-bans").content.decode()
    assert {int(i) for i in re.findall(r"/office/screening/watchlist/(\d+)/", page)} == {
        e.pk for e in bans
    }
    # the list is chosen by its name in the reader's language
    assert '<option value="entry-bans" selected>Запреты на въезд</option>' in page
    assert "Найдено записей: 3" in page


def test_an_unknown_list_shows_nothing_rather_than_everything(world: World, client: Client) -> None:
    import_bans(world, "entry-bans", 2)
    client.force_login(world.hannah)
    page = client.get("/en/office/screening/watchlist/?list=nope&page=x").content.decode()
    assert ids_on(page) == set()
    assert "No entries." in page
