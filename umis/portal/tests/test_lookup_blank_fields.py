"""The look-ups of the public pages (an e-visa application, one's own registration, a
document's seal) sent with a field left blank, or holding only spaces (which a browser's
`required` lets through): the page says which field is missing beside it, in the reader's
language, and keeps what was typed, instead of answering that nothing matches."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

REQUIRED = {
    "": "Bu sahə mütləqdir.",
    "/en": "This field is required.",
    "/ru": "Это поле обязательно.",
}


@pytest.mark.parametrize("lang", ["", "/en", "/ru"])
@pytest.mark.parametrize(
    ("path", "number", "document"),
    [
        ("/evisa/status/", "reference", "passport_number"),
        ("/stay/status/", "reference", "document_number"),
    ],
)
def test_a_look_up_with_a_blank_field_names_it(
    client: Client, lang: str, path: str, number: str, document: str
) -> None:
    response = client.post(f"{lang}{path}", {number: "EV-2026-000001", document: "   "})
    assert response.status_code == 422
    page = response.content.decode()
    assert page.count(REQUIRED[lang]) == 1
    assert f'id="error_{document}"' in page
    assert f'aria-describedby="error_{document}"' in page
    assert "No application matches" not in page and "No registration" not in page
    # the number typed is kept
    assert 'value="EV-2026-000001"' in page
    # both blank: both named
    response = client.post(f"{lang}{path}", {number: " ", document: ""})
    assert response.status_code == 422
    assert response.content.decode().count(REQUIRED[lang]) == 2


@pytest.mark.parametrize("lang", ["", "/en", "/ru"])
def test_a_document_check_with_a_blank_code_asks_for_it(client: Client, lang: str) -> None:
    response = client.get(f"{lang}/verify/", {"code": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert {
        "": "Sənəddəki kodu və ya keçidi daxil edin.",
        "/en": "Enter the code or the link printed on the document.",
        "/ru": "Введите код или ссылку, напечатанные на документе.",
    }[lang] in page
    assert 'aria-describedby="error_code"' in page
    # the page opened without a code asks nothing yet
    response = client.get(f"{lang}/verify/")
    assert response.status_code == 200
    assert "error_code" not in response.content.decode()
