"""The API's certificate of an annulled registration: 410 Gone with the API's JSON error
(a stable code, the message in the caller's language, the day and the legal ground of the
annulment, the verification link), as the web link answers with a page; the verify
endpoints say `annulled` as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from umis.core import clock
from umis.core.testing import World, annul
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code, document_verify_url
from umis.stays.testing import register

pytestmark = pytest.mark.django_db

MESSAGES = {
    "en": "This registration certificate has been annulled",
    "az": "Bu qeydiyyat arayışı ləğv edilib",
    "ru": "Эта справка о регистрации аннулирована",
}
GROUND = {
    "en": ("The foreigner does not live at the address", "Migration Code, art. 21"),
    "az": ("Əcnəbi göstərilən ünvanda yaşamır", "Miqrasiya Məcəlləsi, m. 21"),
    "ru": ("Иностранец не проживает по указанному адресу", "Миграционный кодекс, ст. 21"),
}


def _annulled(world: World) -> Any:
    case = register(world)
    officer = Client()
    officer.force_login(world.alice)
    annul(officer, case, legal_ground="mc-21-not-residing", note="Internal: neighbours say so.")
    case.refresh_from_db()
    assert case.state == "annulled"
    return case


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
def test_the_certificate_of_an_annulled_registration_is_gone(
    world: World, client: Client, lang: str
) -> None:
    case = _annulled(world)
    response = client.get(
        f"/api/v1/stay-registrations/{case.reference}/certificate.pdf",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert (response.status_code, response["Content-Type"]) == (
        410,
        "application/json; charset=utf-8",
    )
    document = IssuedDocument.objects.get(case=case)
    name, article = GROUND[lang]
    assert response.json() == {
        "error": {
            "code": "registration_annulled",
            "message": MESSAGES[lang],
            "field": None,
            "errors": [{"code": "registration_annulled", "message": MESSAGES[lang], "field": None}],
            "annulled_on": clock.today().isoformat(),
            "legal_ground": {"code": "mc-21-not-residing", "name": name, "article": article},
            "verify_url": document_verify_url(document),
        }
    }
    assert "neighbours" not in response.content.decode()  # the reasons stay in the file

    # the verify endpoints are as they were: the document verifies as annulled
    verdict = client.get(f"/api/v1/documents/verify/{document_verify_code(document)}")
    assert (verdict.status_code, verdict.json()["status"]) == (200, "annulled")


def test_another_hosts_annulled_certificate_is_not_found(world: World, client: Client) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    case = _annulled(world)
    _client, other_key = api_client_create(
        actor=None, name="Landlord", user=world.larisa, scopes=[Scope.STAY_REGISTRATIONS]
    )
    response = client.get(
        f"/api/v1/stay-registrations/{case.reference}/certificate.pdf", HTTP_X_API_KEY=other_key
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_the_schema_documents_the_410(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/stay-registrations/{reference}/certificate.pdf"]["get"]
    gone = operation["responses"]["410"]
    ref = gone["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    detail = spec["components"]["schemas"][ref]["properties"]["error"]["$ref"].rsplit("/", 1)[1]
    properties = spec["components"]["schemas"][detail]["properties"]
    assert {"code", "message", "annulled_on", "legal_ground", "verify_url"} <= set(properties)


def test_an_annulled_registration_has_no_certificate_link(world: World, client: Client) -> None:
    case = register(world)
    url = f"/api/v1/stay-registrations/{case.reference}"
    before = client.get(url, HTTP_X_API_KEY=world.hotel_key).json()
    assert before["certificate_url"].endswith(f"/{case.reference}/certificate.pdf")
    officer = Client()
    officer.force_login(world.alice)
    annul(officer, case, legal_ground="mc-21-not-residing", note="Internal: neighbours say so.")
    response = client.get(url, HTTP_X_API_KEY=world.hotel_key)
    assert response.status_code == 200
    after = response.json()
    assert after["certificate_url"] is None
    assert after["annulled_on"] == clock.today().isoformat()
    unchanged = {k: v for k, v in after.items() if k not in {"certificate_url", "annulled_on"}}
    assert unchanged == {
        **{k: v for k, v in before.items() if k not in {"certificate_url", "annulled_on"}},
        "state": "annulled",
    }


def test_the_schema_says_why_the_certificate_link_may_be_null(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    field = spec["components"]["schemas"]["StayRegistrationOut"]["properties"]["certificate_url"]
    assert {"type": "null"} in field["anyOf"]
    assert "annulled" in field["description"]
