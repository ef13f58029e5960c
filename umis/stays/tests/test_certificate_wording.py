"""The certificate and the host's page read alike whatever the guest's sex: no Russian
participle that agrees with a man or a woman."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from umis.core import clock
from umis.core.testing import World, guest
from umis.stays.testing import post

pytestmark = pytest.mark.django_db


def _certificate(client: Client, world: World, reference: str, lang: str) -> str:
    pdf = client.get(
        f"/api/v1/stay-registrations/{reference}/certificate.pdf",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)


@pytest.mark.parametrize(
    ("lang", "valid_until", "issued"),
    [
        ("ru", "Регистрация действительна до", "Дата выдачи"),
        ("az", "Qeydiyyatın etibarlılıq müddəti", "Verilmə tarixi"),
        ("en", "Registration valid until", "Date of issue"),
    ],
)
def test_the_certificate_of_a_woman_says_until_when_the_registration_is_valid(
    world: World, client: Client, lang: str, valid_until: str, issued: str
) -> None:
    data = guest(surname="Иванова", given_names="Анна", sex="F", nationality="RU")
    reg = post(client, "/api/v1/stay-registrations", data, world.hotel_key).json()
    text = _certificate(client, world, reg["reference"], lang)
    departure = f"{reg['planned_departure'][8:10]}.{reg['planned_departure'][5:7]}."
    assert f"{valid_until}\n{departure}" in text
    assert f"\n{issued}\n" in text
    assert "Зарегистрирован" not in text


def test_a_late_registration_is_noted_alike_for_every_guest(world: World, client: Client) -> None:
    today = clock.today()
    data = guest(
        sex="F",
        arrival_date=(today - dt.timedelta(days=20)).isoformat(),
        planned_departure=(today + dt.timedelta(days=20)).isoformat(),
    )
    reg = post(client, "/api/v1/stay-registrations", data, world.hotel_key).json()
    assert reg["late"] is True
    client.force_login(world.harry)
    page = client.get(f"/ru/host/registrations/{reg['reference']}/").content.decode()
    assert "<dd>Регистрация оформлена после установленного законом срока.</dd>" in page


@pytest.mark.parametrize(
    ("lang", "document"),
    [
        ("ru", "Паспорт U12345678 (Турция)"),
        ("az", "Pasport U12345678 (Türkiyə)"),
        ("en", "Passport U12345678 (Türkiye)"),
    ],
)
def test_the_certificate_names_the_state_that_issued_the_travel_document(
    world: World, client: Client, lang: str, document: str
) -> None:
    reg = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()
    text = _certificate(client, world, reg["reference"], lang)
    assert document in text
    assert "(TR)" not in text
