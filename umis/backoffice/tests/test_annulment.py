"""An officer annuls a registration: the decision cites its own legal ground and reasons."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.backoffice.tests.test_cases import register
from umis.cases.models import Case
from umis.core.testing import World

pytestmark = pytest.mark.django_db


def annul(client: Client, case: Case, lang: str = "en", **data: object) -> str:
    post = {
        "legal_ground": "mc-21-false-information",
        "version": case.version,
        "note": "The guest gave a false address.",
        "confirm": "1",
    }
    post.update(data)
    prefix = "" if lang == "az" else f"/{lang}"  # Azerbaijani is served without a prefix
    response = client.post(f"{prefix}/office/cases/{case.reference}/annul/", post, follow=True)
    assert response.status_code == 200
    return str(response.content.decode())


def history(page: str) -> str:
    return page.split('id="history">', 1)[1].split("</ol>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "title", "article"),
    [
        ("en", "Registration made on false information", "Migration Code, art. 21"),
        ("az", "Qeydiyyat yalan məlumat əsasında aparılıb", "Miqrasiya Məcəlləsi, m. 21"),
        (
            "ru",
            "Регистрация произведена на основании ложных сведений",
            "Миграционный кодекс, ст. 21",
        ),
    ],
)
def test_the_history_names_the_annulments_own_legal_ground(
    world: World, client: Client, lang: str, title: str, article: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    page = annul(client, case, lang)
    assert f"{title} ({article})" in history(page)


def test_grounds_of_the_same_article_are_told_apart_in_the_history(
    world: World, client: Client
) -> None:
    first = register(world)
    second = register(world, document_number="S1234567")
    client.force_login(world.alice)
    annul(client, first, legal_ground="mc-21-false-information")
    page = annul(client, second, legal_ground="mc-21-not-residing")
    assert "The foreigner does not live at the address (Migration Code, art. 21)" in history(page)
    assert "false information" not in history(page)
