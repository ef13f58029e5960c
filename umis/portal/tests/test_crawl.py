"""Every page a user can reach works, in every language, for every role: a crawl from each
role's home page in az, en and ru follows every same-site link and GET form, and finds no
server error, no broken link the product rendered, no page whose <html lang> is not its
language, no form field without a label, and no English left on an az or ru page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from umis.accounts.models import User
from umis.core.testing import World
from umis.portal.tests.crawl import (
    PREFIX,
    ROLES,
    Crawl,
    Role,
    crawl,
    english_vocabulary,
    language_of,
    make_crawl_world,
    shape,
    unprefixed,
    untranslated,
)

pytestmark = pytest.mark.django_db


def crawl_as(client: Client, role: Role) -> Crawl:
    if role.username is not None:
        client.force_login(User.objects.get(username=role.username))
    starts = []
    for lang in ("az", "en", "ru"):
        starts += [PREFIX[lang] + "/", PREFIX[lang] + role.home]
    return crawl(client, dict.fromkeys(starts), limit=700)


# Text that is the same in English and in az or ru and is not a miss: words the languages
# share, and the test world's own data (a hotel's name, a watchlist entry's source).
SAME_IN_EVERY_LANGUAGE: set[str] = set()
SAME_IN = {"az": {"Region", "Status"}, "ru": set()}
# the month of May is "May" in Azerbaijani too (the statistics by month)
SAME_PATTERN = {"az": re.compile(r"May \d{4}"), "ru": None}
DATA = ("Hotel Baku Test",)
DATA_ON = {"/office/screening/": {"State Migration Service", "test"}}
# The admin's own pages are Django's and its add-ons' (axes, django-otp, django-tasks have
# no az catalogue) and name our models by their field names: they are not checked for
# English here (see docs/architecture.md, "Languages").
NOT_CHECKED_FOR_ENGLISH = ("/admin/",)


def _allowed(lang: str, url: str, text: str, usernames: set[str]) -> bool:
    if text in SAME_IN_EVERY_LANGUAGE or text in SAME_IN[lang]:
        return True
    pattern = SAME_PATTERN[lang]
    if pattern is not None and pattern.fullmatch(text):
        return True
    if text.strip("· ") in usernames:  # who did it, in a case's history
        return True
    if any(d in text for d in DATA):
        return True
    return any(url.startswith(p) and text in allowed for p, allowed in DATA_ON.items())


def problems_of(result: Crawl, usernames: set[str] | None = None) -> list[str]:
    problems = []
    usernames = usernames or set()
    for page in result.pages.values():
        if page.status >= 500:
            problems.append(f"{page.url}: {page.status} (from {page.referrer or 'start'})")
        elif page.status == 404:
            problems.append(f"{page.url}: 404 (linked from {page.referrer or 'start'})")
    vocabulary = english_vocabulary()
    english = {unprefixed(p.url): p for p in result.html_pages() if language_of(p.url) == "en"}
    for page in result.html_pages():
        lang = language_of(page.url)
        if lang is not None and page.lang != lang:
            problems.append(f"{page.url}: <html lang={page.lang!r}>, expected {lang}")
        elif not page.lang:  # outside the language prefixes (the API docs): declared
            problems.append(f"{page.url}: <html> without lang")
        for code in sorted(set(page.inline)):
            problems.append(f"{page.url}: {code} (refused by the Content-Security-Policy)")
        for f in page.unlabelled():
            problems.append(f"{page.url}: <{f.tag} name={f.name!r} id={f.id!r}> has no label")
        url = unprefixed(page.url)
        if not url.startswith(NOT_CHECKED_FOR_ENGLISH):  # the admin's tables are Django's
            problems.extend(f"{page.url}: {h}" for h in sorted(set(page.bad_headers)))
        if lang in ("az", "ru") and url in english and not url.startswith(NOT_CHECKED_FOR_ENGLISH):
            for text in untranslated(page, english[url], vocabulary):
                if not _allowed(lang, url, text, usernames):
                    problems.append(f"{page.url}: English on a {lang} page: {text!r}")
    return problems


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_every_page_works_in_every_language(world: World, client: Client, role: Role) -> None:
    make_crawl_world(world, client)
    client.logout()
    result = crawl_as(client, role)
    assert not result.truncated, "the crawl hit its page limit: raise it or sample more"
    html = result.html_pages()
    # the crawl reached the role's pages in the three languages
    assert {language_of(p.url) for p in html} >= {"az", "en", "ru"}
    assert len(html) >= 20, [p.url for p in html]
    problems = problems_of(result, set(User.objects.values_list("username", flat=True)))
    assert not problems, "\n".join(problems)


def switch_problems(client: Client, result: Crawl) -> tuple[list[str], int]:
    """The language buttons of one page of each kind lead to that page in each language
    (the problems, and how many kinds of page were tried)."""
    problems = []
    done: set[str] = set()
    for page in result.html_pages():
        kind = shape(unprefixed(page.url))
        if kind in done or page.url.startswith(NOT_SWITCHED):
            continue
        done.add(kind)
        for lang in ("az", "en", "ru"):
            switched = client.post("/language/", {"language": lang, "next": page.url})
            target = switched["Location"]
            landed = client.get(target)
            if landed.status_code >= 400 or language_of(target.split("?")[0]) not in (lang, None):
                problems.append(f"{page.url}: switching to {lang} leads to {target}")
    return problems, len(done)


# the admin and the API docs have no language buttons
NOT_SWITCHED = ("/admin/", "/en/admin/", "/ru/admin/", "/api/")


@pytest.mark.parametrize("role", ROLES[:5], ids=[r.name for r in ROLES[:5]])
def test_the_language_buttons_keep_the_page(world: World, client: Client, role: Role) -> None:
    make_crawl_world(world, client)
    client.logout()
    result = crawl_as(client, role)
    problems, kinds = switch_problems(client, result)
    assert kinds >= 8, kinds
    assert not problems, "\n".join(problems)


def test_the_crawl_reaches_every_role_page(world: World, client: Client) -> None:
    """The crawl is not vacuous: signed in as the head-office officer it reaches a case, a
    person, a possible duplicate, a hit, a watchlist entry, an e-visa and the overstays."""
    make_crawl_world(world, client)
    client.force_login(User.objects.get(username="hannah"))
    result = crawl(client, ["/en/office/"], limit=400)
    reached = {unprefixed(p.url).split("?")[0] for p in result.html_pages()}
    for page in (
        "/office/queue/",
        "/office/people/",
        "/office/duplicates/",
        "/office/screening/hits/",
        "/office/screening/watchlist/",
        "/office/evisa/",
        "/office/evisa/dashboard/",
        "/office/overstays/",
    ):
        assert page in reached, page
    for kind in (
        r"/office/cases/SR-",
        r"/office/people/\d+/",
        r"/office/duplicates/\d+/",
        r"/office/evisa/EV-",
        r"/office/screening/hits/\d+/",
        r"/office/screening/watchlist/\d+/",
    ):
        assert any(re.match(kind, r) for r in reached), kind


def test_the_checks_catch_what_they_look_for() -> None:
    """A wrong <html lang>, inline code, an unlabelled field, a table's header cell without
    a scope or a text and English text on an az page are found."""
    from umis.portal.tests.crawl import Page, parse

    en = Page(url="/en/x/", status=200, referrer="", content_type="text/html")
    parse(en, '<html lang="en"><body><p>Save the application</p><p>Hüseynov</p></body></html>')
    az = Page(url="/x/", status=200, referrer="", content_type="text/html")
    parse(
        az,
        '<html lang="en"><body><p>Save the application</p><p>Hüseynov</p>'
        '<label>Ad <input name="a"></label><label for="b">Soyad</label><input id="b" name="b">'
        '<input name="c" aria-label="C"><input name="d"><input type="hidden" name="e">'
        '<p style="color: red" onclick="go()">x</p><script>go()</script>'
        "<select name=f></select>"
        '<table><tr><th scope="col">A</th><th>B</th><th scope="col"> </th></tr></table>'
        "</body></html>",
    )
    result = Crawl(pages={en.url: en, az.url: az})
    assert problems_of(result) == [
        "/x/: <html lang='en'>, expected az",
        "/x/: <p onclick=...> (refused by the Content-Security-Policy)",
        "/x/: <p style=...> (refused by the Content-Security-Policy)",
        "/x/: <script> without src (refused by the Content-Security-Policy)",
        "/x/: <input name='d' id=''> has no label",
        "/x/: <select name='f' id=''> has no label",
        "/x/: <th> without scope",
        "/x/: <th> without text",
        "/x/: English on a az page: 'Save the application'",
    ]
