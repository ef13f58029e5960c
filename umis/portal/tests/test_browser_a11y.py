"""The public portal's and the office's key pages against WCAG 2.1 AA, in a real browser and
in az, en and ru (umis/portal/tests/a11y.py): every field labelled and, when it must be
filled in, saying so; an error tied to its field and announced; the page's language, one h1,
headings in order, landmarks and a skip link; text contrast; header cells with a scope;
and the main flows done with the keyboard alone, with a visible focus and no trap."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from umis.accounts.models import User
from umis.backoffice.tests.test_cases import register
from umis.core.testing import World, audit_triggers_dropped_for_flush, audit_triggers_restore
from umis.portal.tests.a11y import audit, tab_walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PREFIX = {"az": "", "en": "/en", "ru": "/ru"}

# The controls a blank form marks as wrong: each must have said beforehand that it is
# to be filled in.
REQUIRED = """() => [...document.querySelectorAll("main input, main select, main textarea")]
  .filter((c) => c.required || c.getAttribute("aria-required") === "true").map((c) => c.id)"""
INVALID = """() => [...document.querySelectorAll(
  "main [aria-invalid=true], main .has-error :is(input, select, textarea)")].map((c) => c.id)"""


@pytest.fixture
def context(browser: Any, live_server: Any) -> Iterator[Any]:
    audit_triggers_restore()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    yield context
    context.close()
    audit_triggers_dropped_for_flush()


def signed_in(context: Any, live_server: Any, username: str) -> Any:
    client = Client()
    client.force_login(User.objects.get(username=username))
    name = settings.SESSION_COOKIE_NAME
    context.clear_cookies()
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    return context.new_page()


def blank_sent(page: Any, button: str) -> list[str]:
    """Send the form empty: the problems of the page with its errors, and any field refused
    that had not said it must be filled in."""
    marked = set(page.evaluate(REQUIRED))
    page.click(button)
    page.wait_for_load_state()
    refused = page.evaluate(INVALID)
    assert refused, "the blank form was not refused"
    unmarked = [f for f in dict.fromkeys(refused) if f not in marked]
    problems = audit(page, page.evaluate("document.documentElement.lang"))
    return problems + [f"{page.url}: refused blank, not marked required: {unmarked}"] * bool(
        unmarked
    )


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_public_pages_and_their_errors(context: Any, world: World, lang: str) -> None:
    page = context.new_page()
    problems: list[str] = []
    for path in ["/", "/services/evisa/", "/verify/", "/stay-calculator/", "/accounts/login/"]:
        page.goto(PREFIX[lang] + path)
        problems += audit(page, lang)
    page.goto(PREFIX[lang] + "/evisa/apply/")
    problems += audit(page, lang)
    problems += blank_sent(page, "#submit-application")
    assert page.locator("#form-errors[role=alert]").count() == 1
    page.goto(PREFIX[lang] + "/entry-ban-check/")
    problems += audit(page, lang)
    problems += blank_sent(page, "#ban-check")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_hosts_and_the_officers_pages(
    context: Any, live_server: Any, world: World, lang: str
) -> None:
    case = register(world)
    page = signed_in(context, live_server, "harry")
    problems: list[str] = []
    page.goto(PREFIX[lang] + "/host/")
    problems += audit(page, lang)
    page.goto(PREFIX[lang] + "/host/register/")
    problems += audit(page, lang)
    problems += blank_sent(page, "#submit-registration")
    page = signed_in(context, live_server, "alice")
    assert case.applicant is not None
    for path in [
        "/office/queue/",
        f"/office/cases/{case.reference}/",
        f"/office/people/{case.applicant.pk}/?purpose=case&ref={case.reference}",
        "/office/screening/hits/",
        "/office/overstays/",
        "/office/reports/",
        "/office/people/",
    ]:
        page.goto(PREFIX[lang] + path)
        problems += audit(page, lang)
    page.fill("#people-search input[name=name]", "Hüseynov")
    page.click("#people-search button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#people-results tbody a").count() == 1
    problems += audit(page, lang)
    assert not problems, "\n".join(problems)


def test_the_main_flows_by_keyboard_alone(context: Any, live_server: Any, world: World) -> None:
    case = register(world)
    page = context.new_page()
    problems: list[str] = []

    def reaches(path: str, *ids: str) -> None:
        page.goto(path)
        reached, found = tab_walk(page)
        problems.extend(found)
        missing = set(ids) - {r["id"] for r in reached}
        if missing:
            problems.append(f"{path}: Tab never reaches {sorted(missing)}")

    reaches("/en/evisa/apply/", "id_surname", "id_photo", "id_speed", "submit-application")
    # the skip link is the first stop, and leads past the header to the content
    page.keyboard.press("Shift+Tab")
    page.goto("/en/evisa/apply/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")

    page = signed_in(context, live_server, "harry")
    reaches("/en/host/register/", "id_mrz", "id_surname", "id_planned_departure")
    reaches("/en/host/register/", "submit-registration")
    page = signed_in(context, live_server, "alice")
    reaches(f"/en/office/cases/{case.reference}/", "confirm-button", "id_legal_ground")
    reaches(f"/en/office/cases/{case.reference}/", "id_note", "id_confirm", "annul-button")
    assert not problems, "\n".join(problems)

    # the checks see what they look for: a focus drawn as nothing, text too faint to read
    page.goto(f"/en/office/cases/{case.reference}/")
    page.evaluate("document.getElementById('annul-button').style.outline = 'none'")
    page.evaluate("document.querySelector('main h1').style.color = '#aaa'")
    _reached, found = tab_walk(page)
    assert [p for p in found if "annul-button" in p]
    assert [p for p in audit(page, "en") if "contrast" in p and "h1" in p]


def test_the_focus_ring_stands_out_from_every_background(
    context: Any, live_server: Any, world: World
) -> None:
    """WCAG 2.1 SC 1.4.11: the ring that shows where the keyboard is contrasts at least 3:1
    with what is beside it: the header, the page, buttons, rows marked overdue, fields and
    summaries of errors."""
    case = register(world)
    page = context.new_page()
    problems: list[str] = []

    def walked(path: str | None = None) -> list[dict[str, Any]]:
        if path is not None:
            page.goto(path)
        reached, found = tab_walk(page)
        problems.extend(found)
        return reached

    tags = {r["tag"] for r in walked("/en/")}
    walked("/en/accounts/login/")
    page.goto("/en/evisa/apply/")
    page.click("#submit-application")
    page.wait_for_load_state()
    assert page.locator("#form-errors").count() == 1
    walked()
    page = signed_in(context, live_server, "harry")
    walked("/en/host/register/")
    page = signed_in(context, live_server, "alice")
    for path in ["/en/office/queue/", f"/en/office/cases/{case.reference}/", "/en/office/evisa/"]:
        tags |= {r["tag"] for r in walked(path)}
    assert {"a", "button", "select", "textarea"} <= tags
    assert not problems, "\n".join(problems)

    # the check sees a ring too faint: white on the page, the page's blue in the header
    page.goto(f"/en/office/cases/{case.reference}/")
    page.evaluate("document.getElementById('annul-button').style.outlineColor = '#f0f0f0'")
    page.evaluate(
        "document.querySelectorAll('header a').forEach((a) => a.style.outlineColor = '#0b4f8a')"
    )
    _reached, found = tab_walk(page)
    assert [p for p in found if "annul-button" in p and "contrast" in p]
    assert [p for p in found if "'Case queue'" in p and "contrast" in p]
