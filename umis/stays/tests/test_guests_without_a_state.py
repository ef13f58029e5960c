"""A stateless person or a refugee is registered at the place of stay like anyone else: the
nationality is the ICAO code of the status (XXA, XXB, XXC, XXX), and the travel document
is issued by a real state, never by one of those codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from umis.core import clock
from umis.core.testing import World, guest
from umis.people import mrz
from umis.people.models import Person, TravelDocument
from umis.stays.models import StayRegistration
from umis.stays.testing import counts, post

pytestmark = pytest.mark.django_db

ADDRESS = ("region", "city", "street", "arrival_date", "planned_departure")


def stateless(**overrides: Any) -> dict[str, Any]:
    """A stateless person holding the travel document Germany issued under the 1954
    Convention."""
    data = {
        "surname": "Nasser",
        "given_names": "Omar",
        "nationality": "XXA",
        "issuing_state": "DEU",
        "document_type": "travel_document",
        "document_number": "T22000129",
    }
    return guest(**(data | overrides))


def convention_travel_document_mrz(nationality: str = "XXA", issuer: str = "DEU") -> list[str]:
    return list(
        mrz.compose_td3(
            issuing_state=issuer,
            surname="NASSER",
            given_names="OMAR",
            document_number="T22000129",
            nationality=nationality,
            birth_date=dt.date(1985, 3, 14),
            sex="M",
            expiry_date=clock.today() + dt.timedelta(days=700),
        )
    )


@pytest.mark.parametrize(
    ("given", "stored"), [("XXA", "XA"), ("XXB", "XB"), ("XXC", "XC"), ("XXX", "XX"), ("XA", "XA")]
)
def test_the_api_registers_a_guest_without_a_state(
    world: World, client: Client, given: str, stored: str
) -> None:
    response = post(
        client,
        "/api/v1/stay-registrations",
        stateless(nationality=given),
        world.hotel_key,
        lang="en",
    )
    assert response.status_code == 201, response.content
    document = TravelDocument.objects.select_related("person").get()
    assert document.person.nationality_id == stored
    assert (document.issuing_state_id, document.document_type, document.number) == (
        "DE",
        "travel_document",
        "T22000129",
    )


def test_the_api_reads_the_nationality_from_the_mrz(world: World, client: Client) -> None:
    data = {k: v for k, v in stateless().items() if k in ADDRESS}
    data["mrz"] = convention_travel_document_mrz()
    response = post(client, "/api/v1/stay-registrations", data, world.hotel_key, lang="en")
    assert response.status_code == 201, response.content
    document = TravelDocument.objects.select_related("person").get()
    assert (document.person.surname, document.person.nationality_id) == ("Nasser", "XA")
    assert (document.issuing_state_id, document.document_type) == ("DE", "travel_document")


@pytest.mark.parametrize(
    ("nationality", "stored"),
    [
        ("XXA", "travel_document"),
        ("XB", "travel_document"),
        ("XXC", "travel_document"),
        ("XXX", "passport"),  # unspecified nationality: no convention says otherwise
    ],
)
def test_a_passport_sent_for_a_stateless_person_or_refugee_is_their_travel_document(
    world: World, client: Client, nationality: str, stored: str
) -> None:
    # clients that call every booklet a passport are not refused
    response = post(
        client,
        "/api/v1/stay-registrations",
        stateless(nationality=nationality, document_type="passport"),
        world.hotel_key,
        lang="en",
    )
    assert response.status_code == 201, response.content
    assert TravelDocument.objects.get().document_type == stored


def test_a_stateless_persons_id_card_stays_an_id_card(world: World, client: Client) -> None:
    response = post(
        client,
        "/api/v1/stay-registrations",
        stateless(document_type="id_card"),
        world.hotel_key,
        lang="en",
    )
    assert response.status_code == 201, response.content
    assert TravelDocument.objects.get().document_type == "id_card"


def test_a_batch_registers_stateless_persons_and_refugees(world: World, client: Client) -> None:
    items = [
        stateless(nationality=code, document_number=f"T{i:08d}")
        for i, code in enumerate(("XXA", "XXB", "XXC", "XXX"))
    ]
    response = post(
        client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key, lang="en"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["refused"]) == (4, 0)
    assert sorted(Person.objects.values_list("nationality_id", flat=True)) == [
        "XA",
        "XB",
        "XC",
        "XX",
    ]


@pytest.mark.parametrize("code", ["XXA", "XXB", "XX"])
def test_a_status_is_refused_as_the_issuing_state(world: World, client: Client, code: str) -> None:
    before = counts()
    response = post(
        client,
        "/api/v1/stay-registrations",
        stateless(issuing_state=code),
        world.hotel_key,
        lang="en",
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("not_an_issuing_state", "issuing_state")
    assert error["message"] == (
        f"“{code}” is not a state: enter the state that issued the travel document."
    )
    assert counts() == before


def test_a_zone_that_names_a_status_as_issuer_is_refused(world: World, client: Client) -> None:
    data = {k: v for k, v in stateless().items() if k in ADDRESS}
    data["mrz"] = convention_travel_document_mrz(issuer="XXA")
    response = post(client, "/api/v1/stay-registrations", data, world.hotel_key, lang="ru")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("not_an_issuing_state", "issuing_state")
    assert error["message"] == (
        "«XXA» — не государство: укажите государство, выдавшее проездной документ."
    )
    assert counts() == (0, 0, 0, 0)


def test_the_form_offers_the_statuses_as_nationalities_only(world: World, client: Client) -> None:
    client.force_login(world.harry)
    page = client.get("/en/host/register/").content.decode()
    nationality, issuing_state = (
        page.split(f'<select id="id_{name}"', 1)[1].split("</select>", 1)[0]
        for name in ("nationality", "issuing_state")
    )
    for code, name in [("XXA", "Stateless person"), ("XXB", "Refugee (1951 Convention)")]:
        assert f'<option value="{code}">{name}</option>' in nationality
        assert f'value="{code}"' not in issuing_state
    assert '<option value="D" data-alpha3="DEU">Germany</option>' in issuing_state


def test_the_form_registers_a_stateless_guest(world: World, client: Client) -> None:
    client.force_login(world.harry)
    response = client.post("/en/host/register/", stateless())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.get().nationality_id == "XA"


def test_the_form_stores_a_refugees_passport_as_a_travel_document_and_shows_it(
    world: World, client: Client
) -> None:
    # the form's default type is passport: a refugee's booklet is their travel document
    client.force_login(world.harry)
    response = client.post(
        "/en/host/register/", stateless(nationality="XXB", document_type="passport")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = TravelDocument.objects.get()
    assert document.document_type == "travel_document"
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{StayRegistration.objects.get().case.reference}/")
    assert "Travel document (refugee, stateless) T22000129 (Germany)" in page.content.decode()


def test_the_form_registers_a_stateless_guest_from_the_pasted_zone(
    world: World, client: Client
) -> None:
    client.force_login(world.harry)
    form = {k: v for k, v in stateless().items() if k in ADDRESS}
    form["mrz"] = "\n".join(convention_travel_document_mrz())
    response = client.post("/en/host/register/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = TravelDocument.objects.select_related("person").get()
    assert (document.person.nationality_id, document.issuing_state_id) == ("XA", "DE")
    assert document.document_type == "travel_document"
