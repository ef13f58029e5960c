from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from umis.core.testing import (
    World,
    audit_triggers_dropped_for_flush,
    audit_triggers_restore,
    make_world,
)

# Property tests check what is computed, not how fast: on a shared two-core machine an
# example that meets a cold cache can take longer than hypothesis's 200 ms default, and
# a failure for that alone would be noise (speed is measured by the benchmarks).
hypothesis_settings.register_profile("umis", deadline=None)
hypothesis_settings.load_profile("umis")


@pytest.fixture(autouse=True)
def _fast_hashing(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    # what the application writes to its own directory (photos kept between a form's
    # sendings) stays out of the checkout
    settings.VAR_DIR = tmp_path_factory.mktemp("var")  # type: ignore[attr-defined]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    # each test builds its own reference data: no snapshot shared between tests
    settings.UMIS_REFERENCE_CACHE_SECONDS = 0  # type: ignore[attr-defined]
    # no background index build unless a test asks for one
    settings.UMIS_SCREENING_WARM = False  # type: ignore[attr-defined]
    settings.UMIS_SCREENING_FOLLOW_SECONDS = 0  # type: ignore[attr-defined]
    # property tests send thousands of requests from one address in a minute: the rate
    # limits are off unless a test sets them (umis/core/tests/test_ratelimit.py)
    settings.UMIS_RATE_LIMITS = {}  # type: ignore[attr-defined]


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def _fresh_screening_index() -> None:
    """Each test's watchlists live in its own transaction: start from an empty index."""
    from umis.screening.engine import index_reset

    index_reset()


CHROMIUM = os.environ.get("UMIS_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, for the browser tests."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("UMIS_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (CI installs it; apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A desktop browser page (1280 px, English) on the live server; a test module may
    define its own."""
    audit_triggers_restore()
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()
    audit_triggers_dropped_for_flush()
