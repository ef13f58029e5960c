"""Every page a user can reach works, in every language, for every role: a crawl from each
role's home page in az, en and ru follows every same-site link and GET form, and finds no
server error, no broken link the product rendered, no page whose <html lang> is not its
language, no form field without a label, and no English left on an az or ru page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from umis.accounts.models import User
from umis.border.overstays import overstays_detect
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.testing import World
from umis.portal.tests.crawl import (
    PREFIX,
    Crawl,
    crawl,
    english_vocabulary,
    language_of,
    unprefixed,
    untranslated,
)
from umis.portal.tests.scene import Scene, make_scene

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Role:
    name: str
    username: str | None  # None: anonymous
    home: str  # where signing in lands (az address)


ROLES = [
    Role("anonymous", None, "/"),
    Role("host", "harry", "/host/"),
    Role("regional_officer", "alice", "/office/"),
    Role("head_officer", "hannah", "/office/"),
    Role("analyst", "ana", "/office/"),
    Role("administrator", "root", "/office/"),
]


def make_crawl_world(world: World, client: Client) -> Scene:
    """The test world with one of everything a list shows: a stay registration, an issued
    e-visa, a watchlist entry and its hit, a possible duplicate and a merge (the scene of
    the access tests), and an overstay finding of the Baku office."""
    scene = make_scene(world, client)
    today = clock.today()
    send(
        client,
        border_key(),
        [event(document_number="OVER1", timestamp=at_day(today - dt.timedelta(days=94)))],
    )
    overstays_detect(on=today)
    return scene


def crawl_as(client: Client, role: Role) -> Crawl:
    if role.username is not None:
        client.force_login(User.objects.get(username=role.username))
    starts = []
    for lang in ("az", "en", "ru"):
        starts += [PREFIX[lang] + "/", PREFIX[lang] + role.home]
    return crawl(client, dict.fromkeys(starts), limit=700)


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_every_page_works(world: World, client: Client, role: Role) -> None:
    make_crawl_world(world, client)
    client.logout()
    result = crawl_as(client, role)
    problems = []
    for page in result.pages.values():
        if page.status >= 500:
            problems.append(f"{page.url}: {page.status} (from {page.referrer or 'start'})")
        elif page.status == 404:
            problems.append(f"{page.url}: 404 (linked from {page.referrer or 'start'})")
        if page.is_html and page.status == 200:
            expected = language_of(page.url.split("?")[0])
            if expected is not None and page.lang != expected:
                problems.append(f"{page.url}: <html lang={page.lang!r}>, expected {expected}")
            for f in page.unlabelled():
                problems.append(f"{page.url}: <{f.tag} name={f.name!r} id={f.id!r}> has no label")
    print("PAGES", role.name, len(result.pages), result.truncated)
    vocabulary = english_vocabulary()
    english = {unprefixed(p.url): p for p in result.html_pages() if language_of(p.url) == "en"}
    for page in result.html_pages():
        lang = language_of(page.url)
        if lang in ("az", "ru") and unprefixed(page.url) in english:
            for text in untranslated(page, english[unprefixed(page.url)], vocabulary):
                print("ENGLISH", lang, unprefixed(page.url), "|", text)
    for line in problems:
        print("PROBLEM", role.name, line)
    assert problems == []
