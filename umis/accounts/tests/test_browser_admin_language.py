"""In Chromium: the administrator switches the admin's language with the buttons in its
header and stays on the same page, which then reads in that language."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from umis.core.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_the_admin_s_language_buttons_keep_the_page_and_are_remembered(
    page: Any, live_server: Any, world: World
) -> None:
    client = Client()
    client.force_login(world.admin)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    page.goto("/admin/reference/region/")
    assert page.locator("#content h1").inner_text() == "region dəyişmək üçün seç"
    page.click('#header .lang button[value="ru"]')
    page.wait_for_url("**/ru/admin/reference/region/")
    assert page.locator("#content h1").inner_text() == "Выберите регион для изменения"
    # the admin's own address, typed again, keeps the language chosen
    page.goto("/admin/")
    page.wait_for_url("**/ru/admin/")
    assert page.locator("#site-name").count() == 1
    assert page.locator("html").get_attribute("lang") == "ru"


def test_an_admin_list_with_a_long_action_fits_a_window_800_px_wide(
    page: Any, live_server: Any, world: World
) -> None:
    client = Client()
    client.force_login(world.admin)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto("/ru/admin/visas/eligiblenationality/")
    # the list's action ("Удалить выбранные записи (гражданства, дающие право на э-визу)")
    # and its columns stay within the window, as the rest of the admin does
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
