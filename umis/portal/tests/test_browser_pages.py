"""Each page template of the product, loaded once in a real browser (Debian's Chromium) as a
role that may see it: no console error, no Content-Security-Policy violation (an inline
script or style the policy blocks), no static file that fails to load. The pages are the
ones the crawl reaches (umis/portal/tests/crawl.py), one per template."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from umis.accounts.models import User
from umis.core.testing import World, audit_triggers_dropped_for_flush, audit_triggers_restore
from umis.portal.tests.crawl import ROLES, Role, crawl, make_crawl_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Collects the policy's refusals as the page meets them (an init script is not itself
# subject to the page's policy).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
    + ":" + e.lineNumber);
});
"""


def expect_soon(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll from the test (the page's policy forbids evaluating strings in the page)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.05)


@pytest.fixture
def triggers(live_server: Any) -> Iterator[None]:
    audit_triggers_restore()
    yield
    audit_triggers_dropped_for_flush()


def _signed_in(role: Role) -> Client:
    client = Client()
    if role.username is not None:
        client.force_login(User.objects.get(username=role.username))
    return client


def pages_by_template() -> dict[str, tuple[Role, str]]:
    """One page (as the first role that reaches it) for each template that renders one."""
    chosen: dict[str, tuple[Role, str]] = {}
    for role in ROLES:
        result = crawl(_signed_in(role), dict.fromkeys(["/", role.home]), limit=300)
        for page in result.html_pages():
            if page.templates and page.templates[0] not in chosen:
                chosen[page.templates[0]] = (role, page.url)
    return chosen


def _watch(page: Any, role: str, current: dict[str, str], problems: list[str]) -> None:
    def where() -> str:
        return f"{role} {current['url']}"

    def console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"{where()}: console error: {message.text}")

    def response(r: Any) -> None:
        if "/static/" in r.url and r.status >= 400:
            problems.append(f"{where()}: {r.url} {r.status}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"{where()}: script error: {e}"))

    def failed(r: Any) -> None:
        # a request the next navigation cut short (the API docs page's schema) is not a failure
        if r.failure != "net::ERR_ABORTED":
            problems.append(f"{where()}: {r.url} failed: {r.failure}")

    page.on("requestfailed", failed)
    page.on("response", response)


def test_every_page_template_loads_cleanly_in_a_browser(
    browser: Any, live_server: Any, triggers: None, world: World
) -> None:
    make_crawl_world(world, Client())
    chosen = pages_by_template()
    # the portal's, the back-office's, the host's and the admin's pages are all there
    templates = set(chosen)
    for expected in (
        "portal/home.html",
        "backoffice/queue.html",
        "backoffice/case.html",
        "stays/guests.html",
        "screening/hit.html",
        "people/match.html",
        "visas/office_case.html",
        "border/findings.html",
        "admin/index.html",
    ):
        assert expected in templates, (expected, sorted(templates))

    problems: list[str] = []
    for role in ROLES:
        urls = [url for r, url in chosen.values() if r == role]
        if not urls:
            continue
        context = browser.new_context(base_url=live_server.url, locale="az-AZ")
        client = _signed_in(role)
        if role.username is not None:
            name = settings.SESSION_COOKIE_NAME
            context.add_cookies(
                [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
            )
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        current = {"url": ""}
        _watch(page, role.name, current, problems)
        for url in urls:
            current["url"] = url
            response = page.goto(url, wait_until="load")
            assert response is not None and response.status == 200, (role.name, url)
            if url.rstrip("/").endswith("/api/v1/docs"):
                # the docs page reads the schema after its load; cut short by the next
                # page, its parser reports the half-read schema on that page's console
                page.wait_for_load_state("networkidle")
            for violation in page.evaluate("window.__csp"):
                problems.append(f"{role.name} {url}: CSP refused {violation}")
        context.close()
    # the watch sees what it looks for: an inline style the policy refuses
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.goto("/en/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    expect_soon(lambda: page.evaluate("window.__csp.length") > 0)
    assert page.evaluate("window.__csp")[0].startswith("style-src")
    context.close()
    assert not problems, "\n".join(problems)


def test_a_wrong_mrz_check_digit_is_named_in_the_page_language(
    browser: Any, live_server: Any, triggers: None, world: World
) -> None:
    from umis.core.testing import passport_mrz

    client = _signed_in(Role("host", "harry", "/host/"))
    name = settings.SESSION_COOKIE_NAME
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto("/host/register/")  # Azerbaijani
    line1, line2 = passport_mrz(number="U0123456", nationality="TUR")
    wrong = line2[:9] + str((int(line2[9]) + 1) % 10) + line2[10:]  # the number's digit
    page.fill("#id_mrz", f"{line1}\n{wrong}")
    page.click("#mrz-read")
    expect(page.locator("#mrz-status")).not_to_have_text("")
    status = page.inner_text("#mrz-status")
    assert "sənədin nömrəsi" in status and "document_number" not in status, status
    context.close()
