"""A field the API does not know is refused, named with its path, in the reader's language:
a misspelt `patronimic` was dropped without a word and the registration stored without the
patronymic (ADR 20)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.api.tests.factories import api_post
from umis.border.models import Crossing
from umis.border.tests.factories import border_key, event
from umis.core import clock
from umis.core.testing import World, guest
from umis.stays.models import StayRegistration
from umis.visas.models import VisaApplication
from umis.visas.testing import application, traveller

pytestmark = pytest.mark.django_db


MESSAGES = {"en": "Unknown field.", "az": "Naməlum sahə.", "ru": "Неизвестное поле."}


def _refusal(response: Any) -> tuple[int, str, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["field"], error["message"]


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_a_misspelt_field_of_a_registration_is_refused(
    client: Client, world: World, lang: str
) -> None:
    body = guest(patronimic="Əli oğlu")
    response = api_post(client, "/api/v1/stay-registrations", body, world.hotel_key, lang)
    assert _refusal(response) == (422, "unknown_field", "patronimic", MESSAGES[lang])
    assert not StayRegistration.objects.exists()


def test_in_a_batch_only_the_item_with_an_unknown_field_is_refused(
    client: Client, world: World
) -> None:
    items = [guest(document_number=f"K{i:07d}", client_reference=f"r{i}") for i in range(5)]
    items[3]["patronimic"] = "Əli oğlu"
    items[1]["nationality"] = "QQQ"
    response = api_post(
        client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["refused"]) == (3, 2)
    assert [(i["index"], i["status"]) for i in body["items"]] == [
        (0, "accepted"),
        (1, "refused"),
        (2, "accepted"),
        (3, "refused"),
        (4, "accepted"),
    ]
    refused = body["items"][3]
    assert refused["client_reference"] == "r3"
    # an item's errors name its fields alone, whatever the mistake: its index is beside them
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("unknown_field", "patronimic")]
    assert [(e["code"], e["field"]) for e in body["items"][1]["errors"]] == [
        ("unknown_country", "nationality")
    ]
    assert sorted(StayRegistration.objects.values_list("client_reference", flat=True)) == [
        "r0",
        "r2",
        "r4",
    ]


def test_an_unknown_field_beside_the_items_of_a_batch_refuses_the_batch(
    client: Client, world: World
) -> None:
    body = {"items": [guest()], "host": "other"}
    response = api_post(client, "/api/v1/stay-registrations/bulk", body, world.hotel_key)
    assert _refusal(response)[:3] == (422, "unknown_field", "host")
    assert not StayRegistration.objects.exists()


def test_an_unknown_field_of_an_e_visa_application_or_traveller_is_refused(
    client: Client, agency_key: str
) -> None:
    trip = api_post(
        client, "/api/v1/evisa/applications", application(traveller(), stay=14), agency_key, "ru"
    )
    assert _refusal(trip) == (422, "unknown_field", "stay", MESSAGES["ru"])
    person = api_post(
        client,
        "/api/v1/evisa/applications",
        application(traveller(), traveller(document_number="C02X00T48", passport="C02X00T48")),
        agency_key,
    )
    assert _refusal(person)[:3] == (422, "unknown_field", "applicants.1.passport")
    assert not VisaApplication.objects.exists()


def test_an_unknown_field_of_a_screening_search_or_a_names_comparison_is_refused(
    client: Client, screening_key: str
) -> None:
    search = {"names": ["Cavid Məmmədov"], "dob": "1979-01-01"}
    response = api_post(client, "/api/v1/screening/search", search, screening_key, "az")
    assert _refusal(response) == (422, "unknown_field", "dob", MESSAGES["az"])
    compare = {"a": "Cavid", "b": "Javid", "c": "Djavid"}
    assert _refusal(api_post(client, "/api/v1/names/compare", compare, screening_key))[:3] == (
        422,
        "unknown_field",
        "c",
    )


def test_in_a_batch_of_border_events_only_the_event_with_an_unknown_field_is_refused(
    client: Client, world: World
) -> None:
    events = [event(document_number=f"B{i:07d}") for i in range(3)]
    events[1]["gate"] = "A4"
    events[2]["nationality"] = "QQQ"
    response = api_post(client, "/api/v1/border/crossings", {"events": events}, border_key())
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["refused"]) == (1, 2)
    refused, other = body["items"]
    assert (refused["index"], refused["event_id"], refused["status"]) == (
        1,
        events[1]["event_id"],
        "refused",
    )
    # an event's errors name its fields alone, whatever the mistake: its index is beside them
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("unknown_field", "gate")]
    assert (other["index"], [e["field"] for e in other["errors"]]) == (2, ["nationality"])
    assert set(Crossing.objects.values_list("event_id", flat=True)) == {events[0]["event_id"]}


def test_an_unknown_field_of_an_end_of_stay_is_refused(client: Client, world: World) -> None:
    created = api_post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()
    path = f"/api/v1/stay-registrations/{created['reference']}/end"
    response = api_post(
        client, path, {"left_on": clock.today().isoformat(), "reason": "left"}, world.hotel_key
    )
    assert _refusal(response)[:3] == (422, "unknown_field", "reason")
    assert StayRegistration.objects.get().case.state == created["state"]


def test_the_api_document_says_request_bodies_take_no_other_field(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in (
        "StayRegistrationIn",
        "BulkIn",
        "EndIn",
        "EvisaApplicationIn",
        "TravellerIn",
        "SearchIn",
        "CompareIn",
        "CrossingsIn",
        "DecisionIn",
        "UnmergeIn",
    ):
        assert schemas[name]["additionalProperties"] is False, name
    events = schemas["CrossingsIn"]["properties"]["events"]["items"]
    assert events["additionalProperties"] is False
    assert "unknown_field" in spec["info"]["description"]


def test_a_stay_of_the_calculator_with_an_unknown_field_is_refused(client: Client) -> None:
    # `exit_date` was dropped: the stay was counted as not ended, and an overstay shown
    body = {"stays": [{"entry": "2026-01-10", "exit_date": "2026-01-20"}], "on": "2026-09-01"}
    response = client.post(
        "/api/v1/stay/calculate",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert _refusal(response) == (422, "unknown_field", "stays.0.exit_date", MESSAGES["ru"])


# names no caller should see echoed: long, with a control character, with markup, and one
# character past the longest name given back as sent
ODD_NAMES = ["k" * 10_000, "ga\x07te", "<img src=x onerror=alert(1)>", "k" * 65]
PLAIN_NAME = "k" * 64
BY_PLACE = {
    "en": "Unknown field, named by its place among the fields sent, counted from 0: its name "
    "is not plain text of at most 64 characters.",
    "ru": "Неизвестное поле указано по его месту среди переданных полей, считая с 0: его имя "
    "не простой текст длиной не более 64 символов.",
}


def _named(errors: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["code"], e["field"], e["message"]) for e in errors]


def _refused_naming(field: str, errors: list[dict[str, Any]], name: str, lang: str) -> None:
    """`errors` refuse one unknown field, `name`, at `field` (`entries.0.#5`): by its name
    when it is short plain text, else by its place."""
    if name == PLAIN_NAME:
        expected = (field.rpartition("#")[0] + name, MESSAGES[lang])
    else:
        expected = (field, BY_PLACE[lang])
    assert _named(errors) == [("unknown_field", *expected)], (name[:70], lang)


def test_a_field_of_any_name_is_named_as_sent_only_when_short_plain_text(
    client: Client, world: World, agency_key: str
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create
    from umis.screening.models import WatchlistEntry

    watchlists = api_client_create(
        actor=None, name="Agency", user=world.hannah, scopes=[Scope.WATCHLISTS_MANAGE]
    )[1]
    border = border_key()
    for name in [*ODD_NAMES, PLAIN_NAME]:
        for lang in ("en", "ru"):
            entry = {"category": "entry_ban", "external_id": "EB-1", "full_name": "Aliyev Rauf"}
            entry |= {"reason": "Court decision", "source": "Court", name: "x"}
            response = api_post(
                client,
                "/api/v1/watchlists/entry-bans/entries",
                {"entries": [entry]},
                watchlists,
                lang,
            )
            assert response.status_code == 422
            _refused_naming("entries.0.#5", response.json()["error"]["errors"], name, lang)

            items = [guest(**{name: "x"})]
            body = api_post(
                client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key, lang
            ).json()
            _refused_naming(f"#{len(guest())}", body["items"][0]["errors"], name, lang)

            events = [event(**{name: "x"})]
            body = api_post(
                client, "/api/v1/border/crossings", {"events": events}, border, lang
            ).json()
            _refused_naming(f"#{len(event())}", body["items"][0]["errors"], name, lang)

            applicants = [traveller(), traveller(document_number="C02X00T48", **{name: "x"})]
            response = api_post(
                client, "/api/v1/evisa/applications", application(*applicants), agency_key, lang
            )
            assert response.status_code == 422
            _refused_naming(
                f"applicants.1.#{len(traveller())}", response.json()["error"]["errors"], name, lang
            )

            response = api_post(
                client, "/api/v1/evisa/applications", {**application(), name: 1}, agency_key, lang
            )
            assert response.status_code == 422
            _refused_naming(
                f"#{len(application())}", response.json()["error"]["errors"], name, lang
            )

            stays = {"stays": [{"entry": "2026-01-10", name: "x"}], "on": "2026-09-01"}
            response = api_post(client, "/api/v1/stay/calculate", stays, "", lang)
            assert response.status_code == 422
            _refused_naming("stays.0.#1", response.json()["error"]["errors"], name, lang)
    assert not WatchlistEntry.objects.exists()
    assert not StayRegistration.objects.exists()
    assert not Crossing.objects.exists()
    assert not VisaApplication.objects.exists()
