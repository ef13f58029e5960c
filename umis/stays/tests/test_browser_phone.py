"""The host's pages on a phone (390 px wide) in a real browser: a label beside its field
breaks between words, never inside one, and nothing widens the page."""

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

# the text of an element, its words, and the lines it takes (distinct tops of its line boxes)
LINES = """(selector) => {
  const el = document.querySelector(selector);
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
    .map((r) => Math.round(r.top)));
  const text = el.innerText.trim();
  return {text: text, words: text.split(/\\s+/).length, lines: tops.size};
}"""
PAGE_WIDTH = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    audit_triggers_restore()
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}
    )
    yield context.new_page()
    context.close()
    audit_triggers_dropped_for_flush()


@pytest.mark.parametrize(
    ("lang", "label"), [("", "Qonaq getdiyi tarix"), ("/ru", "Гость выбыл"), ("/en", None)]
)
def test_the_guest_left_label_breaks_no_word_on_a_phone(
    phone: Any, world: World, lang: str, label: str | None
) -> None:
    case = register(world)
    sign_in(phone, "harry")
    phone.goto(f"{lang}/host/registrations/{case.reference}/")
    found = phone.evaluate(LINES, "label[for=id_left_on]")
    if label:
        assert found["text"] == f"{label} *"  # the field is to be filled in
    assert found["lines"] <= found["words"], found
    # the field and the button are no narrower than their content: the date is whole
    field = phone.locator("#id_left_on").bounding_box()
    assert field["width"] >= 120
    width, visible = phone.evaluate(PAGE_WIDTH)
    assert width <= visible
