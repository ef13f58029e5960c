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


def test_the_entry_ban_check_refuses_a_nul_in_the_country_or_the_number(
    world: object, client: Client
) -> None:
    """PostgreSQL failed on the NUL: the country is unknown, the number refused."""
    base = {"surname": "Hüseynov", "birth_date": "1985-03-14"}
    response = client.post(
        "/entry-ban-check/", {**base, "document_number": "U123", "issuing_state": "a\x00b"}
    )
    assert response.status_code == 422
    assert set(response.context["errors"]) == {"issuing_state"}
    response = client.post(
        "/entry-ban-check/", {**base, "document_number": "U1\x0023", "issuing_state": "TUR"}
    )
    assert response.status_code == 422
    assert set(response.context["errors"]) == {"document_number"}
