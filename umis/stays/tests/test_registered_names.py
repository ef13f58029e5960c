"""A registration keeps the guest's names as the host (or the foreigner filing himself) typed
them from the passport, in any script, even when it is linked to a person on file under
other names: the host's pages, the certificate, the API and the foreigner's own page show
them; the officer sees them beside the names of the person on file."""

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
from umis.stays.services import stay_registration_end
from umis.stays.testing import post
from umis.stays.tests.test_own_filing import filed

pytestmark = pytest.mark.django_db

API = "/api/v1/stay-registrations"
AS_TYPED = {"surname": "Гусейнов", "given_names": "Рашад", "patronymic": "Ильхам оглы"}


def _on_file_in_latin(client: Client, world: World) -> Person:
    """The guest is on file as Hüseynov Rəşad from a stay at the hotel that is over."""
    today = clock.today()
    earlier = guest(
        arrival_date=(today - dt.timedelta(days=80)).isoformat(),
        planned_departure=(today - dt.timedelta(days=60)).isoformat(),
    )
    response = post(client, API, earlier, world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    return Person.objects.get(pk=response.json()["person_id"])


def _registered_in_cyrillic(client: Client, world: World) -> dict[str, Any]:
    """The same passport registered again, the names typed as the guest's passport reads."""
    person = _on_file_in_latin(client, world)
    response = post(client, API, guest(**AS_TYPED), world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    body: dict[str, Any] = response.json()
    assert body["person_id"] == person.pk  # linked to the person on file by the passport
    return body


def test_the_host_s_guest_lists_show_the_names_as_registered(world: World, client: Client) -> None:
    reference = _registered_in_cyrillic(client, world)["reference"]
    client.force_login(world.harry)
    current = client.get("/en/host/").content.decode().split('id="recently-ended"')[0]
    assert "<bdi>Гусейнов Рашад Ильхам оглы</bdi>" in current
    assert "Hüseynov" not in current
    reg = StayRegistration.objects.get(case__reference=reference)
    stay_registration_end(actor=world.harry, registration=reg, left_on=clock.today())
    ended = client.get("/en/host/").content.decode().split('id="recently-ended"')[1]
    assert "<bdi>Гусейнов Рашад Ильхам оглы</bdi>" in ended
    assert "Hüseynov" not in ended


def test_the_host_s_registration_page_shows_the_names_as_registered(
    world: World, client: Client
) -> None:
    reference = _registered_in_cyrillic(client, world)["reference"]
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{reference}/").content.decode()
    assert "<dd><bdi>Гусейнов Рашад Ильхам оглы</bdi></dd>" in page
    assert "Hüseynov" not in page


def test_the_certificate_gives_the_names_as_registered(world: World, client: Client) -> None:
    reference = _registered_in_cyrillic(client, world)["reference"]
    pdf = client.get(f"{API}/{reference}/certificate.pdf", HTTP_X_API_KEY=world.hotel_key)
    assert pdf.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Гусейнов Рашад Ильхам оглы" in text
    assert "Hüseynov" not in text


def test_the_api_reads_give_the_names_as_registered(world: World, client: Client) -> None:
    answer = _registered_in_cyrillic(client, world)
    reference = answer["reference"]
    names = ("surname", "given_names", "patronymic")
    assert {k: answer[k] for k in names} == AS_TYPED
    one = client.get(f"{API}/{reference}", HTTP_X_API_KEY=world.hotel_key).json()
    assert {k: one[k] for k in names} == AS_TYPED
    guests = client.get(API, HTTP_X_API_KEY=world.hotel_key).json()
    assert [{k: g[k] for k in ("reference", *names)} for g in guests] == [
        {"reference": reference, **AS_TYPED}
    ]


def test_the_officer_sees_the_names_as_registered_and_the_person_on_file(
    world: World, client: Client
) -> None:
    reference = _registered_in_cyrillic(client, world)["reference"]
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{reference}/").content.decode()
    registered = page.split('id="registered-names">', 1)[1].split("</dd>", 1)[0]
    assert registered.startswith("<bdi>Гусейнов Рашад Ильхам оглы</bdi>")
    assert "(linked to the person on file: <bdi>Hüseynov Rəşad</bdi>)" in registered


def test_the_officer_is_not_told_twice_a_name_registered_as_on_file(
    world: World, client: Client
) -> None:
    _on_file_in_latin(client, world)
    reference = post(client, API, guest(), world.hotel_key).json()["reference"]
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{reference}/").content.decode()
    registered = page.split('id="registered-names">', 1)[1].split("</dd>", 1)[0]
    assert registered == "<bdi>Hüseynov Rəşad</bdi>"


def test_the_foreigner_s_own_page_shows_the_names_he_registered(
    world: World, client: Client
) -> None:
    _on_file_in_latin(client, world)
    reference = filed(client, **AS_TYPED)
    page = client.get(f"/en/stay/status/{reference}/").content.decode()
    assert "<dd><bdi>Гусейнов Рашад Ильхам оглы</bdi></dd>" in page
    assert "Hüseynov" not in page
    reg = StayRegistration.objects.get(case__reference=reference)
    assert Person.objects.get(pk=reg.person_id).surname == "Hüseynov"
