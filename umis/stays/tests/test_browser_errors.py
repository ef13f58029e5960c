"""A host's form refused in a real browser: the focus goes to the first field to correct,
whose error is read with it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from umis.core.testing import (
    World,
    audit_triggers_dropped_for_flush,
    audit_triggers_restore,
    sign_in,
)
from umis.stays.testing import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FOCUSED = """() => {
  const el = document.activeElement;
  const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  return {id: el.id, description: ids.map((i) => document.getElementById(i).innerText)};
}"""


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    audit_triggers_restore()
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    yield context.new_page()
    context.close()
    audit_triggers_dropped_for_flush()


def test_a_refused_registration_puts_the_focus_on_the_first_field_to_correct(
    page: Any, world: World
) -> None:
    sign_in(page, "harry")
    page.goto("/en/host/register/")
    page.fill("#id_surname", "Smith2")
    page.click("#submit-registration")
    page.wait_for_load_state()
    assert page.evaluate(FOCUSED) == {
        "id": "id_surname",
        "description": [
            "“2” cannot be part of a name: use letters, spaces, hyphens, apostrophes and full "
            "stops only."
        ],
    }


def test_a_refused_departure_date_puts_the_focus_on_it(page: Any, world: World) -> None:
    case = register(world)
    sign_in(page, "harry")
    page.goto(f"/ru/host/registrations/{case.reference}/")
    page.fill("#id_left_on", "2000-01-01")
    page.click("#end-form button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate(FOCUSED) == {
        "id": "id_left_on",
        "description": ["Дата выезда должна быть между датой прибытия и сегодняшним днём."],
    }
    assert page.input_value("#id_left_on") == "2000-01-01"
