"""A visa's machine-readable zone (MRV-A, MRV-B) is not a travel document: a host who
pastes it instead of the passport's is told so, and nothing is registered under the
visa's number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from umis.core import clock
from umis.core.testing import World, guest
from umis.people import mrz
from umis.people.models import TravelDocument
from umis.stays.models import StayRegistration
from umis.stays.testing import counts, post

pytestmark = pytest.mark.django_db

ADDRESS = ("region", "city", "street", "arrival_date", "planned_departure")
MESSAGES = {
    "en": (
        "This is the machine-readable zone of a visa, not of a travel document: "
        "paste the lines of the passport or ID card."
    ),
    "az": (
        "Bu, səyahət sənədinin deyil, vizanın maşınla oxunan zonasıdır: pasportun və ya "
        "şəxsiyyət vəsiqəsinin sətirlərini yapışdırın."
    ),
    "ru": (
        "Это машиносчитываемая зона визы, а не проездного документа: вставьте строки "
        "паспорта или удостоверения личности."
    ),
}


def visa_mrz(compose: Any = mrz.compose_mrv_a) -> list[str]:
    """The zone of the Azerbaijani visa in a Turkish guest's passport."""
    return list(
        compose(
            issuing_state="AZE",
            surname="HUSEYNOV",
            given_names="RASAD",
            document_number="VA0012345",
            nationality="TUR",
            birth_date=dt.date(1985, 3, 14),
            sex="M",
            expiry_date=clock.today() + dt.timedelta(days=60),
        )
    )


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
@pytest.mark.parametrize("compose", [mrz.compose_mrv_a, mrz.compose_mrv_b], ids=["MRVA", "MRVB"])
def test_the_api_refuses_a_visas_zone_naming_the_field(
    world: World, client: Client, compose: Any, lang: str
) -> None:
    data = {k: v for k, v in guest().items() if k in ADDRESS}
    data["mrz"] = visa_mrz(compose)
    response = post(client, "/api/v1/stay-registrations", data, world.hotel_key, lang=lang)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == ("mrz_visa", "mrz", MESSAGES[lang])
    assert counts() == (0, 0, 0, 0)


def test_a_visas_zone_is_refused_beside_fields_typed_in_full(world: World, client: Client) -> None:
    data = guest(document_number="VA0012345")
    data["mrz"] = visa_mrz()
    response = post(client, "/api/v1/stay-registrations", data, world.hotel_key, lang="en")
    assert response.status_code == 422, response.content
    assert [(e["code"], e["field"]) for e in response.json()["error"]["errors"]] == [
        ("mrz_visa", "mrz")
    ]
    assert counts() == (0, 0, 0, 0)


def test_a_batch_refuses_the_visa_and_registers_the_rest(world: World, client: Client) -> None:
    items = [guest(document_number=f"P{i:07d}") for i in range(3)]
    items[1] = {k: v for k, v in items[1].items() if k in ADDRESS} | {"mrz": visa_mrz()}
    response = post(
        client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key, lang="en"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["refused"]) == (2, 1)
    # the zone first; the fields it would have filled are missing too
    assert [(e["code"], e["field"]) for e in body["items"][1]["errors"]][0] == ("mrz_visa", "mrz")
    assert not TravelDocument.objects.filter(number="VA0012345").exists()
    assert StayRegistration.objects.count() == 2


def test_the_form_shows_the_refusal_under_the_pasted_lines(world: World, client: Client) -> None:
    client.force_login(world.harry)
    form = {k: v for k, v in guest().items() if k in ADDRESS}
    form["mrz"] = "\n".join(visa_mrz())
    response = client.post("/host/register/", form)  # Azerbaijani, the default
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="error" id="error_mrz" role="alert">{MESSAGES["az"]}</p>' in page
    assert counts() == (0, 0, 0, 0)


def test_the_form_tells_its_script_what_to_say_about_a_visa(world: World, client: Client) -> None:
    """The paste-to-fill script reads the zone through the API; on a visa it shows this
    text, in the page's language, instead of filling in the fields."""
    client.force_login(world.harry)
    page = client.get("/ru/host/register/").content.decode()
    assert f'data-visa="{MESSAGES["ru"]}"' in page
