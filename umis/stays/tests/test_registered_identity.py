"""A registration keeps the guest's date of birth, sex and nationality as the host (or the
foreigner filing himself) typed them from the passport, even when the passport is on file
for a person whose record differs a little (a digit of the date, another nationality), to
whom it is linked: the registration's page, the certificate, the API and the foreigner's
own page show what was registered."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from umis.core import clock
from umis.core.testing import World, guest
from umis.people.models import Person
from umis.stays.models import StayRegistration
from umis.stays.testing import post
from umis.stays.tests.test_own_filing import filed

pytestmark = pytest.mark.django_db

API = "/api/v1/stay-registrations"
# the person on file: born 14.03.1985, Turkish; the passport as typed this time
AS_TYPED = {"birth_date": "1985-03-15", "nationality": "DE"}


def _on_file(client: Client, world: World) -> Person:
    """The guest is on file from a stay at the hotel that is over."""
    today = clock.today()
    earlier = guest(
        arrival_date=(today - dt.timedelta(days=80)).isoformat(),
        planned_departure=(today - dt.timedelta(days=60)).isoformat(),
    )
    response = post(client, API, earlier, world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    return Person.objects.get(pk=response.json()["person_id"])


def _registered_as_typed(client: Client, world: World) -> dict[str, Any]:
    person = _on_file(client, world)
    response = post(client, API, guest(**AS_TYPED), world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    body: dict[str, Any] = response.json()
    assert body["person_id"] == person.pk  # linked to the person on file by the passport
    person.refresh_from_db()
    assert (person.birth_date, person.nationality_id) == (dt.date(1985, 3, 14), "TR")
    return body


def test_the_host_s_registration_page_shows_the_birth_and_nationality_registered(
    world: World, client: Client
) -> None:
    reference = _registered_as_typed(client, world)["reference"]
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{reference}/").content.decode()
    assert "<dt>Date of birth</dt><dd>15.03.1985</dd>" in page
    assert "<dt>Nationality</dt><dd>Germany</dd>" in page
    assert "14.03.1985" not in page and "<dt>Nationality</dt><dd>Türkiye" not in page
    current = client.get("/en/host/").content.decode().split('id="recently-ended"')[0]
    assert '<td class="col-nationality">Germany</td>' in current


def test_the_certificate_gives_the_birth_and_nationality_registered(
    world: World, client: Client
) -> None:
    reference = _registered_as_typed(client, world)["reference"]
    pdf = client.get(f"{API}/{reference}/certificate.pdf", HTTP_X_API_KEY=world.hotel_key)
    assert pdf.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "15.03.1985" in text and "Almaniya" in text
    assert "14.03.1985" not in text


def test_the_api_reads_give_the_birth_and_nationality_registered(
    world: World, client: Client
) -> None:
    answer = _registered_as_typed(client, world)
    reference = answer["reference"]
    typed = {"birth_date": "1985-03-15", "sex": "M", "nationality": "DE"}
    assert {k: answer[k] for k in typed} == typed
    one = client.get(f"{API}/{reference}", HTTP_X_API_KEY=world.hotel_key).json()
    assert {k: one[k] for k in typed} == typed
    guests = client.get(API, HTTP_X_API_KEY=world.hotel_key).json()
    assert [(g["reference"], g["nationality"]) for g in guests] == [(reference, "DE")]


def test_the_foreigner_s_own_page_shows_the_birth_and_nationality_he_registered(
    world: World, client: Client
) -> None:
    _on_file(client, world)
    reference = filed(client, **AS_TYPED)
    page = client.get(f"/en/stay/status/{reference}/").content.decode()
    assert '<dd id="birth-date">15.03.1985</dd>' in page
    assert '<dd id="nationality">Germany</dd>' in page
    reg = StayRegistration.objects.select_related("person").get(case__reference=reference)
    assert (reg.person.birth_date, reg.person.nationality_id) == (dt.date(1985, 3, 14), "TR")


def _officer_s_fact(page: str, dd_id: str) -> str:
    return page.split(f'id="{dd_id}">', 1)[1].split("</dd>", 1)[0]


def test_the_officer_sees_the_birth_sex_and_nationality_registered_and_those_on_file(
    world: World, client: Client
) -> None:
    person = _on_file(client, world)
    response = post(client, API, guest(**AS_TYPED), world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    assert response.json()["person_id"] == person.pk
    Person.objects.filter(pk=person.pk).update(sex="X")  # the record on file, since changed
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{response.json()['reference']}/").content.decode()
    assert _officer_s_fact(page, "registered-birth-date") == "15.03.1985 (on file: 14.03.1985)"
    assert _officer_s_fact(page, "registered-sex") == "Male (on file: Unspecified)"
    assert _officer_s_fact(page, "registered-nationality") == "Germany (on file: Türkiye)"
    ru = client.get(f"/ru/office/cases/{response.json()['reference']}/").content.decode()
    assert _officer_s_fact(ru, "registered-birth-date") == "15.03.1985 (в базе: 14.03.1985)"


def test_the_officer_is_not_told_twice_what_was_registered_as_on_file(
    world: World, client: Client
) -> None:
    _on_file(client, world)
    reference = post(client, API, guest(), world.hotel_key).json()["reference"]
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{reference}/").content.decode()
    assert _officer_s_fact(page, "registered-birth-date") == "14.03.1985"
    assert _officer_s_fact(page, "registered-sex") == "Male"
    assert _officer_s_fact(page, "registered-nationality") == "Türkiye"


def test_the_officer_sees_only_the_year_of_a_birth_known_by_its_year(
    world: World, client: Client
) -> None:
    _on_file(client, world)
    reg = StayRegistration.objects.get()
    StayRegistration.objects.filter(pk=reg.pk).update(
        birth_date=dt.date(1985, 1, 1), birth_year_only=True
    )
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{reg.case.reference}/").content.decode()
    assert _officer_s_fact(page, "registered-birth-date") == "1985 (on file: 14.03.1985)"
