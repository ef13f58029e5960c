"""The public document services: MRZ reading, signer certificates, verification, and the
API's own description, as hotels' software and border readers use them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

from umis.core.testing import World, guest, passport_mrz
from umis.documents.models import SignerKey
from umis.documents.services import signer_key_rotate
from umis.people import mrz

pytestmark = pytest.mark.django_db


def test_the_mrz_service_returns_fields_and_every_check_digit(client: Client) -> None:
    line1, line2 = passport_mrz(surname="YILMAZ", given_names="AYSE", number="U0123456")
    response = client.post(
        "/api/v1/documents/mrz",
        data=json.dumps({"lines": [line1, line2]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["format"], body["document_type"]) == ("TD3", "passport")
    assert (body["surname"], body["given_names"], body["document_number"]) == (
        "YILMAZ",
        "AYSE",
        "U0123456",
    )
    assert body["valid"] is True
    assert len(body["checks"]) == 5
    assert all(check["valid"] for check in body["checks"])


def test_a_zone_sent_as_one_line_is_read_by_the_service_and_a_registration(
    client: Client, world: World
) -> None:
    line1, line2 = passport_mrz(surname="YILMAZ", given_names="AYSE", number="U0123456")
    response = client.post(
        "/api/v1/documents/mrz",
        data=json.dumps({"lines": [line1 + line2]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["format"], response.json()["document_number"]) == ("TD3", "U0123456")
    zone_fields = ("surname", "given_names", "birth_date", "sex", "nationality")
    zone_fields += ("document_type", "document_number", "issuing_state", "document_expiry")
    body = {k: v for k, v in guest().items() if k not in zone_fields}
    body["mrz"] = [line1 + line2]
    registered = client.post(
        "/api/v1/stay-registrations",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-API-Key": world.hotel_key},
    )
    assert registered.status_code == 201, registered.content


def test_the_mrz_service_reports_a_stateless_holders_nationality(client: Client) -> None:
    line1, line2 = mrz.compose_td3(
        issuing_state="DEU",
        surname="NASSER",
        given_names="OMAR",
        document_number="T22000129",
        nationality="XXA",
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date(2031, 5, 1),
    )
    body = client.post(
        "/api/v1/documents/mrz",
        data=json.dumps({"lines": [line1, line2]}),
        content_type="application/json",
    ).json()
    assert (body["issuing_state"], body["nationality"], body["valid"]) == ("DEU", "XXA", True)
    # a P document of a stateless holder: the travel document of the 1954 Convention
    assert (body["document_code"], body["document_type"]) == ("P", "travel_document")


def test_the_mrz_service_and_command_say_a_visa_is_a_visa(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = mrz.compose_mrv_a(
        issuing_state="AZE",
        surname="HUSEYNOV",
        given_names="RASAD",
        document_number="VA0012345",
        nationality="TUR",
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date(2031, 5, 1),
    )
    response = client.post(
        "/api/v1/documents/mrz",
        data=json.dumps({"lines": list(lines)}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["format"], body["document_type"], body["document_number"]) == (
        "MRVA",
        "visa",
        "VA0012345",
    )
    call_command("mrz", *lines)
    assert json.loads(capsys.readouterr().out)["document_type"] == "visa"


def test_a_wrong_check_digit_is_reported_not_hidden(client: Client) -> None:
    line1, line2 = passport_mrz()
    broken = line2[:9] + str((int(line2[9]) + 1) % 10) + line2[10:]
    body = client.post(
        "/api/v1/documents/mrz",
        data=json.dumps({"lines": [line1, broken]}),
        content_type="application/json",
    ).json()
    assert body["valid"] is False
    assert [c["name"] for c in body["checks"] if not c["valid"]][0] == "document_number"


def test_unreadable_lines_get_a_coded_error_in_the_language_asked(client: Client) -> None:
    messages = {}
    for lang in ("en", "ru"):
        response = client.post(
            "/api/v1/documents/mrz",
            data=json.dumps({"lines": ["P<UTOERIKSSON"]}),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=lang,
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("mrz_line_count", "lines")
        messages[lang] = error["message"]
    assert messages["en"] != messages["ru"]
    too_long = client.post(
        "/api/v1/documents/mrz",
        data=json.dumps({"lines": ["P" * 5000, "X" * 5000]}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert too_long.status_code == 422
    error = too_long.json()["error"]
    assert (error["code"], error["field"]) == ("mrz_line_length", "lines")
    assert error["message"] == "Строка машиночитаемой зоны содержит не более 44 символов."


def test_the_mrz_command_prints_the_same_json(capsys: pytest.CaptureFixture[str]) -> None:
    line1, line2 = passport_mrz(number="C01X00T47")
    call_command("mrz", line1, line2)
    body = json.loads(capsys.readouterr().out)
    assert body["document_number"] == "C01X00T47"
    assert body["valid"] is True


def test_signer_keys_stay_published_after_rotation(world: World, client: Client) -> None:
    registered = client.post(
        "/api/v1/stay-registrations",
        data=json.dumps(guest()),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    ).json()
    first = SignerKey.objects.get(active=True)
    signer_key_rotate()
    keys = client.get("/api/v1/documents/signer-keys").json()
    assert len(keys) == 2
    assert [k["active"] for k in keys] == [True, False]
    assert keys[1]["certificate_reference"] == first.certificate_reference
    assert keys[1]["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----")
    code = registered["verify_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/documents/verify/{code}").json()["status"] == "genuine"


def test_an_unknown_or_forged_code_is_unknown_never_an_error(client: Client) -> None:
    for code in ("AAAA", "not-a-seal", "x" * 5000):
        response = client.get(f"/api/v1/documents/verify/{code}")
        assert response.status_code == 200
        assert response.json()["status"] == "unknown"
        assert response.json()["holder_name"] is None


def test_the_api_describes_itself_and_its_docs_need_no_network(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/stay-registrations/bulk" in spec["paths"]
    assert "/api/v1/documents/mrz" in spec["paths"]
    page = client.get("/api/v1/docs").content.decode()
    external = [
        src
        for src in re.findall(r'(?:src|href)="([^"]+)"', page)
        if src.startswith(("http://", "https://", "//"))
    ]
    assert external == []


def test_the_openapi_document_lists_the_errors_each_endpoint_gives(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert "429" in codes, where  # the rate limit
            if method == "post":
                # unreadable JSON, the size limit, invalid fields
                assert {"400", "413", "422"} <= codes, where
            public = not operation.get("security")
            assert ("401" in codes) is not public, where
