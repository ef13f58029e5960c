"""The public verification page: an annulled document is not presented as valid; the type
of document is shown."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.core import clock
from umis.core.testing import World, annul
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def facts(page: str) -> str:
    return page.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "issued_for", "annulled_on", "valid"),
    [
        ("/en", "Issued for", "Annulled on", "<dt>Valid</dt>"),
        ("", "Verilmə müddəti", "Ləğv tarixi", "<dt>Etibarlıdır</dt>"),
        ("/ru", "Выдан на срок", "Дата аннулирования", "<dt>Действителен</dt>"),
    ],
)
def test_an_annulled_document_shows_when_it_was_annulled_not_a_validity(
    world: World, client: Client, lang: str, issued_for: str, annulled_on: str, valid: str
) -> None:
    case = register(world)
    document = IssuedDocument.objects.get(case=case)
    client.force_login(world.alice)
    annul(client, case)
    client.logout()
    page = client.get(f"{lang}/verify/{document_verify_code(document)}").content.decode()
    shown = facts(page)
    period = f"{document.valid_from:%d.%m.%Y} – {document.valid_until:%d.%m.%Y}"
    assert valid not in shown
    assert f"<dt>{issued_for}</dt><dd>{period}</dd>" in shown
    assert f'<dt>{annulled_on}</dt><dd id="annulled-on">{clock.today():%d.%m.%Y}</dd>' in shown


def test_a_valid_document_still_shows_its_validity(world: World, client: Client) -> None:
    case = register(world)
    document = IssuedDocument.objects.get(case=case)
    page = client.get(f"/en/verify/{document_verify_code(document)}").content.decode()
    period = f"{document.valid_from:%d.%m.%Y} – {document.valid_until:%d.%m.%Y}"
    assert f"<dt>Valid</dt><dd>{period}</dd>" in facts(page)
    assert "Annulled on" not in page


def test_a_registration_certificate_shows_its_type_and_no_stay(
    world: World, client: Client
) -> None:
    case = register(world)
    document = IssuedDocument.objects.get(case=case)
    shown = facts(client.get(f"/en/verify/{document_verify_code(document)}").content.decode())
    assert (
        '<dt>Type</dt><dd id="doc-kind" data-kind="stay_registration">'
        "Place-of-stay registration certificate</dd>"
    ) in shown
    assert "Duration of stay" not in shown


@pytest.mark.parametrize("lang", ["/en", "", "/ru"])
def test_an_unknown_code_can_be_corrected_and_verified_again(client: Client, lang: str) -> None:
    typed = client.get(f"{lang}/verify/", {"code": "3QBV3K25XGRS6WCPE47"}, follow=True)
    page = typed.content.decode()
    assert 'data-status="unknown"' in page
    # the code read is in the form again, to be corrected rather than typed anew
    again = page.split('id="verify-again"', 1)[1].split("</form>", 1)[0]
    assert f'action="{lang}/verify/"' in page
    assert 'name="code"' in again and 'value="3QBV3K25XGRS6WCPE47"' in again
