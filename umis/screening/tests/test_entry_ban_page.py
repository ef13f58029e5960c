"""The public entry-ban check as a visitor sees it: every mistake named beside its field,
never a reassuring answer to a question that cannot be a passport's."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.screening.tests.test_intake import listed

pytestmark = pytest.mark.django_db

PASSPORT = {
    "document_number": "U12345678",
    "issuing_state": "TR",
    "surname": "Hüseynov",
    "birth_date": "1985-03-14",
}


def check(client: Client, lang: str = "en", **overrides: str) -> tuple[int, str]:
    response = client.post(f"/{lang}/entry-ban-check/", {**PASSPORT, **overrides})
    return response.status_code, response.content.decode()


def error_of(page: str, field: str) -> str:
    """The error shown beside one field."""
    start = page.index(f'id="id_{field}"')
    return page[start : page.index("</div>", start)]


def test_an_empty_issuing_state_is_required(world: World, client: Client) -> None:
    status, page = check(client, issuing_state="")
    assert status == 422
    assert "This field is required." in error_of(page, "issuing_state")
    assert "Unknown country code" not in page
    assert 'id="ban-answer"' not in page


def test_a_surname_longer_than_any_passport_holds_is_refused(world: World, client: Client) -> None:
    status, page = check(client, surname="S" * 300)
    assert status == 422
    assert "At most 100 characters." in error_of(page, "surname")
    assert 'id="ban-answer"' not in page
    assert not AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED").exists()


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("2999-01-01", "The date of birth is in the future."),
        ("1899-12-31", "The date of birth cannot be before 1900."),
    ],
)
def test_an_impossible_date_of_birth_is_refused(
    world: World, client: Client, birth_date: str, message: str
) -> None:
    status, page = check(client, birth_date=birth_date)
    assert status == 422
    assert message in error_of(page, "birth_date")
    assert 'id="ban-answer"' not in page


@pytest.mark.parametrize("field", ["document_number", "surname", "birth_date"])
def test_a_control_character_is_shown_beside_its_field_with_the_form_kept(
    world: World, client: Client, field: str
) -> None:
    value = PASSPORT[field][:2] + "\x00\x07" + PASSPORT[field][2:]
    status, page = check(client, "ru", **{field: value})
    assert status == 422
    assert "Текст содержит управляющие символы." in error_of(page, field)
    assert 'id="ban-form"' in page
    assert 'value="Hüseynov"' in page or field == "surname"
    assert not AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED").exists()


def test_the_issuing_state_is_a_list_of_countries_in_the_page_language(
    world: World, client: Client
) -> None:
    page = client.get("/ru/entry-ban-check/").content.decode()
    assert '<select id="id_issuing_state" name="issuing_state">' in page
    assert '<option value="TR">Турция</option>' in page
    # a code typed by a script, two or three letters, is still read
    for code in ("TR", "TUR"):
        assert 'data-banned="no"' in check(client, issuing_state=code)[1]


def test_a_recorded_ban_stands_out(world: World, client: Client) -> None:
    listed(world, document_number="U12345678", issuing_state="TR")
    status, page = check(client)
    assert status == 200
    assert 'class="alert danger" role="alert" id="ban-answer" data-banned="yes"' in page
    listed_none = check(client, document_number="X0000000")[1]
    assert 'class="alert ok" role="status" id="ban-answer" data-banned="no"' in listed_none
