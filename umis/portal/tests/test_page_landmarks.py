"""What a keyboard or screen-reader user meets on every page: a link past the header to the
content, and the language switch saying which language is the page's, each in its own."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "current"), [("/", "az"), ("/en/", "en"), ("/ru/", "ru")])
def test_a_skip_link_and_the_current_language(client: Client, path: str, current: str) -> None:
    html = client.get(path).content.decode()
    body = html.split("<body>", 1)[1]
    assert body.lstrip().startswith('<a class="skip-link" href="#main">')
    skip = {"az": "Əsas məzmuna keç", "en": "Skip to content", "ru": "Перейти к содержанию"}
    assert f'href="#main">{skip[current]}</a>' in body
    assert '<main id="main" tabindex="-1">' in body
    buttons = re.findall(r"<button[^>]*class=\"lang-btn[^>]*>", body)
    assert len(buttons) == 3
    marked = [b for b in buttons if 'aria-current="true"' in b]
    assert len(marked) == 1 and f'value="{current}"' in marked[0]
    names = sorted(re.search(r'aria-label="([^"]+)"', b).group(1) for b in buttons)  # type: ignore[union-attr]
    assert names == ["Azərbaycanca", "English", "Русский"]
