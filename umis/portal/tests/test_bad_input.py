"""Form input found by the fuzz tests (test_forms_fuzz.py) to break pages, kept as
regression tests."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_language_switch_goes_home_when_next_is_not_a_path(client: Client) -> None:
    # "0" was taken for a view name and failed with a server error
    for next_url in ("0", "home", "javascript:alert(1)", "//evil.example/"):
        response = client.post("/language/", {"language": "ru", "next": next_url})
        assert response.status_code == 302, next_url
        assert response["Location"] == "/ru/"
        response = client.post("/language/", {"language": "xx", "next": next_url})
        assert response["Location"] == "/"


def test_the_language_switch_keeps_a_path_of_this_site(client: Client) -> None:
    response = client.post("/language/", {"language": "ru", "next": "/evisa/apply/"})
    assert response["Location"] == "/ru/evisa/apply/"


@pytest.mark.parametrize("next_url", ["/en//evil.example/", "/ru/\\evil.example/", "/en///evil"])
def test_the_language_switch_never_sends_the_reader_to_another_site(
    client: Client, next_url: str
) -> None:
    # the page /en//evil.example/ is this site's own 404 page, whose language form
    # carries its path as `next`; without the prefix it must not become //evil.example/
    for language in ("az", "ru", "en"):
        location = client.post("/language/", {"language": language, "next": next_url})["Location"]
        assert location.startswith("/"), location
        assert location[1:2] not in ("/", "\\"), location


def test_verifying_a_code_with_a_slash_says_unknown(client: Client) -> None:
    response = client.get("/verify/", {"code": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert response.context["result"].status == "unknown"
    assert b"<script>alert(1)</script>" not in response.content


def test_an_overlong_user_name_is_refused_before_sign_in_is_tried(client: Client) -> None:
    """The failed-attempt log holds 255 characters: PostgreSQL refused a longer name."""
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/", {"username": "A" * 5000, "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert AccessAttempt.objects.count() == 0


def test_the_entry_ban_check_refuses_a_country_code_of_another_form(
    world: object, client: Client
) -> None:
    """A country code is 1-3 letters; anything else is unknown without a query (a NUL in
    it failed on PostgreSQL; a NUL anywhere is now refused before the page, below)."""
    base = {"surname": "Hüseynov", "birth_date": "1985-03-14"}
    for code in ("T1", "TÜRK", "١٢٣"):
        response = client.post(
            "/entry-ban-check/", {**base, "document_number": "U123", "issuing_state": code}
        )
        assert response.status_code == 422, code
        assert set(response.context["errors"]) == {"issuing_state"}
    response = client.post(
        "/entry-ban-check/", {**base, "document_number": "U1\x0723", "issuing_state": "TUR"}
    )
    assert response.status_code == 422
    assert set(response.context["errors"]) == {"document_number"}


def test_a_nul_in_a_form_or_a_query_gets_a_400_page_saying_so(
    world: object, client: Client
) -> None:
    """A NUL reached queries unchecked on several back-office pages (PostgreSQL refuses it)."""
    from umis.core.testing import World

    assert isinstance(world, World)
    client.force_login(world.hannah)
    response = client.get("/office/overstays/", {"nationality": "\x00"})
    assert response.status_code == 400
    assert '<p role="alert">' in response.content.decode()
    # the people search (posted) refuses it itself, beside the field; a name in its address
    # is not searched at all
    response = client.post("/office/people/", {"name": "a\x00b"})
    assert response.status_code == 422
    assert 'id="error_name"' in response.content.decode()
    response = client.get("/office/people/", {"name": "a\x00b"})
    assert response.status_code == 200
    assert 'id="people-results"' not in response.content.decode()
    # the entry-ban check refuses it itself, beside the field, with the form kept
    response = client.post("/ru/entry-ban-check/", {"surname": "a\x00", "issuing_state": "TR"})
    assert response.status_code == 422
    assert response.context["errors"]["surname"] == "Текст содержит управляющие символы."
    assert 'id="ban-form"' in response.content.decode()
