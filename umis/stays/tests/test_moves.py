"""A guest who moves: the new host's registration is judged by the move rule (5 working days
from the move, Migration Code art. 21), and the registration at the previous place ends.

Harry's hotel in Baku registers the guest first; Larisa, a landlord in Ganja, registers
the guest after the move."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.cases.models import CaseEvent
from umis.core import clock
from umis.core.testing import World, guest
from umis.documents.models import IssuedDocument
from umis.reference.models import Holiday, RegistrationRule
from umis.stays.models import StayRegistration
from umis.stays.testing import post

pytestmark = pytest.mark.django_db

API = "/api/v1/stay-registrations"


@contextlib.contextmanager
def on(day: dt.date) -> Iterator[None]:
    """The clock at noon in Baku on `day`."""
    with clock.frozen_at(dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC)):
        yield


@pytest.fixture
def landlord_key(world: World) -> str:
    _client, key = api_client_create(
        actor=None, name="Landlord app", user=world.larisa, scopes=[Scope.STAY_REGISTRATIONS]
    )
    return key


def at_the_hotel(
    client: Client, world: World, *, arrived: dt.date, until: dt.date, **change: Any
) -> dict[str, Any]:
    """The hotel registers the guest on the day of arrival."""
    with on(arrived):
        body = guest(
            arrival_date=arrived.isoformat(), planned_departure=until.isoformat(), **change
        )
        response = post(client, API, body, world.hotel_key)
    assert response.status_code == 201, response.content
    registered: dict[str, Any] = response.json()
    return registered


def at_the_landlord(
    client: Client, key: str, *, filed: dt.date, moved: dt.date, until: dt.date, **change: Any
) -> Any:
    with on(filed):
        body = guest(
            region="ganja",
            city="Gəncə",
            street="Atatürk prospekti 8, mənzil 3",
            arrival_date=moved.isoformat(),
            planned_departure=until.isoformat(),
            **change,
        )
        return post(client, API, body, key, **{"Accept-Language": "en"})


def test_a_move_filed_within_five_working_days_is_on_time_though_the_guest_came_two_months_ago(
    world: World, client: Client, landlord_key: str
) -> None:
    first = at_the_hotel(
        client, world, arrived=dt.date(2026, 4, 10), until=dt.date(2026, 7, 5)
    )  # two months in Baku
    response = at_the_landlord(
        client,
        landlord_key,
        filed=dt.date(2026, 6, 10),  # Wednesday: the 3rd working day after the move
        moved=dt.date(2026, 6, 5),  # Friday
        until=dt.date(2026, 7, 5),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["late"] is False
    assert body["move"] == {
        "same_host": False,
        "moved_on": "2026-06-05",
        "deadline": "2026-06-12",  # five working days: 8, 9, 10, 11 and 12 June
        "previous_registration_ended": True,
        "message": (
            "Recorded as a move: the guest's registration at the previous place of stay was "
            "ended on 05.06.2026. After a move the guest must be registered again within 5 "
            "working days, here by 12.06.2026."
        ),
    }
    previous = StayRegistration.objects.select_related("case").get(
        case__reference=first["reference"]
    )
    assert (previous.active, previous.ended_on, previous.case.state, previous.case.is_open) == (
        False,
        dt.date(2026, 6, 5),
        "ended",
        False,
    )
    new = StayRegistration.objects.select_related("case").get(case__reference=body["reference"])
    assert (new.active, new.late, new.case.needs_attention) == (True, False, False)


@pytest.mark.parametrize(
    ("filed", "late"),
    [
        (dt.date(2026, 6, 8), False),  # Monday: the 5th working day after Monday 1 June
        (dt.date(2026, 6, 9), True),  # Tuesday: the 6th
    ],
)
def test_a_move_is_late_only_after_the_fifth_working_day_even_for_a_short_stay(
    world: World, client: Client, landlord_key: str, filed: dt.date, late: bool
) -> None:
    at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    response = at_the_landlord(
        client,
        landlord_key,
        filed=filed,
        moved=dt.date(2026, 6, 1),
        until=dt.date(2026, 6, 12),  # twelve days: under the 15-day threshold of an arrival
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["late"], body["move"]["deadline"]) == (late, "2026-06-08")
    new = StayRegistration.objects.select_related("case").get(case__reference=body["reference"])
    assert (new.late, new.case.needs_attention) == (late, late)
    alerts = CaseEvent.objects.filter(case=new.case, action="STAY_REGISTRATION_LATE").count()
    assert alerts == (1 if late else 0)


@pytest.mark.parametrize(
    ("filed", "late"),
    [
        (dt.date(2026, 4, 6), False),  # 18 days after the move, but Novruz and Ramadan came between
        (dt.date(2026, 4, 7), True),
    ],
)
def test_public_holidays_push_the_move_deadline(
    world: World, client: Client, landlord_key: str, filed: dt.date, late: bool
) -> None:
    at_the_hotel(client, world, arrived=dt.date(2026, 3, 2), until=dt.date(2026, 5, 20))
    response = at_the_landlord(
        client,
        landlord_key,
        filed=filed,
        moved=dt.date(2026, 3, 19),  # Thursday; 20–30 March are holidays in Azerbaijan
        until=dt.date(2026, 5, 20),
    )
    assert response.status_code == 201, response.content
    assert (response.json()["late"], response.json()["move"]["deadline"]) == (late, "2026-04-06")


def test_a_day_off_declared_by_an_administrator_pushes_the_move_deadline(
    world: World, client: Client, landlord_key: str
) -> None:
    Holiday.objects.create(date=dt.date(2026, 6, 4), name="Declared day off")
    at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    response = at_the_landlord(
        client,
        landlord_key,
        filed=dt.date(2026, 6, 9),
        moved=dt.date(2026, 6, 1),
        until=dt.date(2026, 6, 30),
    )
    assert (response.json()["late"], response.json()["move"]["deadline"]) == (False, "2026-06-09")


def test_the_move_deadline_is_the_reference_datas(
    world: World, client: Client, landlord_key: str
) -> None:
    RegistrationRule.objects.update(move_deadline_working_days=3)
    at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    response = at_the_landlord(
        client,
        landlord_key,
        filed=dt.date(2026, 6, 5),  # the 4th working day after Monday 1 June
        moved=dt.date(2026, 6, 1),
        until=dt.date(2026, 6, 30),
    )
    assert (response.json()["late"], response.json()["move"]["deadline"]) == (True, "2026-06-04")
    assert "within 3 working days" in response.json()["move"]["message"]


def test_the_previous_certificate_then_verifies_as_expired_on_the_move_date(
    world: World, client: Client, landlord_key: str
) -> None:
    first = at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    old_code = first["verify_url"].rsplit("/", 1)[1]
    response = at_the_landlord(
        client,
        landlord_key,
        filed=dt.date(2026, 6, 3),
        moved=dt.date(2026, 6, 1),
        until=dt.date(2026, 6, 30),
    )
    new_code = response.json()["verify_url"].rsplit("/", 1)[1]
    with on(dt.date(2026, 6, 3)):
        old = client.get(f"/api/v1/documents/verify/{old_code}").json()
        new = client.get(f"/api/v1/documents/verify/{new_code}").json()
    assert (old["status"], old["valid_until"]) == ("expired", "2026-06-01")
    assert (new["status"], new["valid_from"]) == ("genuine", "2026-06-01")
    shortened = AuditEvent.objects.get(action="DOCUMENT_VALIDITY_SHORTENED")
    assert (shortened.data["from"], shortened.data["to"], shortened.data["reason"]) == (
        "2026-06-30",
        "2026-06-01",
        "moved",
    )
    assert IssuedDocument.objects.get(number=first["reference"]).valid_until == dt.date(2026, 6, 1)


def test_the_system_ends_the_previous_hosts_registration_which_leaves_their_guest_list(
    world: World, client: Client, landlord_key: str
) -> None:
    first = at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    with on(dt.date(2026, 6, 3)):
        # the new host cannot reach the previous host's registration itself
        for attempt in (
            client.get(f"{API}/{first['reference']}", HTTP_X_API_KEY=landlord_key),
            post(
                client, f"{API}/{first['reference']}/end", {"left_on": "2026-06-01"}, landlord_key
            ),
        ):
            assert attempt.status_code == 404
        assert StayRegistration.objects.get(case__reference=first["reference"]).active is True
        assert [g["reference"] for g in client.get(API, HTTP_X_API_KEY=world.hotel_key).json()] == [
            first["reference"]
        ]
    response = at_the_landlord(
        client,
        landlord_key,
        filed=dt.date(2026, 6, 3),
        moved=dt.date(2026, 6, 1),
        until=dt.date(2026, 6, 30),
    )
    assert response.status_code == 201
    assert "Hotel Baku Test" not in response.content.decode()
    assert first["reference"] not in response.content.decode()
    with on(dt.date(2026, 6, 3)):
        assert client.get(API, HTTP_X_API_KEY=world.hotel_key).json() == []
        seen_by_hotel = client.get(f"{API}/{first['reference']}", HTTP_X_API_KEY=world.hotel_key)
        assert seen_by_hotel.json()["state"] == "ended"
        landlords = client.get(API, HTTP_X_API_KEY=landlord_key).json()
        assert [g["reference"] for g in landlords] == [response.json()["reference"]]
    [ended] = CaseEvent.objects.filter(case__reference=first["reference"], to_state="ended")
    assert (ended.action, ended.actor, ended.from_state) == (
        "STAY_REGISTRATION_SUPERSEDED",
        None,
        "registered",
    )
    assert ended.data == {
        "left_on": "2026-06-01",
        "reason": "moved",
        "registered_at": response.json()["reference"],
    }
    audit = AuditEvent.objects.get(action="STAY_REGISTRATION_SUPERSEDED")
    assert (audit.actor, audit.data["to"], audit.data["left_on"]) == (None, "ended", "2026-06-01")
    submitted = AuditEvent.objects.get(
        action="STAY_REGISTRATION_SUBMITTED", data__reference=response.json()["reference"]
    )
    assert submitted.data["moved_from"] == [first["reference"]]


def test_the_web_form_tells_the_host_it_was_recorded_as_a_move(
    world: World, client: Client
) -> None:
    at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    client.force_login(world.larisa)
    with on(dt.date(2026, 6, 3)):
        form = guest(
            region="ganja",
            city="Gəncə",
            street="Atatürk prospekti 8",
            arrival_date="2026-06-01",
            planned_departure="2026-06-30",
        )
        page = client.post("/en/host/register/", form, follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The guest is registered." in text
    assert (
        "Recorded as a move: the guest&#x27;s registration at the previous place of stay was "
        "ended on 01.06.2026."
    ) in text
    assert StayRegistration.objects.filter(active=True).get().host == world.landlord


def test_moving_to_another_flat_of_the_same_host_ends_the_old_one_and_is_never_late(
    world: World, client: Client
) -> None:
    client.force_login(world.larisa)
    flat = {"region": "ganja", "city": "Gəncə", "planned_departure": "2026-07-20"}
    with on(dt.date(2026, 5, 4)):
        client.post(
            "/en/host/register/",
            guest(street="Atatürk prospekti 8", arrival_date="2026-05-04", **flat),
        )
    [first] = StayRegistration.objects.all()
    with on(dt.date(2026, 6, 3)):
        # the guest moved to another flat of Larisa's on 10 May, 17 working days ago
        page = client.post(
            "/en/host/register/",
            guest(street="Nizami küçəsi 5", arrival_date="2026-05-10", **flat),
            follow=True,
        )
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        f"Recorded as a move to another address of the same host: the previous registration "
        f"{first.case.reference} was ended on 10.05.2026. No new registration was due, so it "
        f"is not late."
    ) in text
    first.refresh_from_db()
    assert (first.active, first.ended_on) == (False, dt.date(2026, 5, 10))
    new = StayRegistration.objects.get(active=True)
    assert (new.street, new.arrival_date, new.late) == (
        "Nizami küçəsi 5",
        dt.date(2026, 5, 10),
        False,
    )
    # the same address again is still the same registration, refused
    with on(dt.date(2026, 6, 3)):
        again = client.post(
            "/en/host/register/",
            guest(street="Nizami küçəsi 5", arrival_date="2026-05-12", **flat),
        )
    assert "already has an active registration here" in again.content.decode()
    assert StayRegistration.objects.count() == 2


def test_the_same_host_move_through_the_api_names_the_previous_registration(
    world: World, client: Client
) -> None:
    first = at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    with on(dt.date(2026, 6, 3)):
        body = guest(
            street="Neftçilər prospekti 100",  # the hotel's other building
            arrival_date="2026-05-20",
            planned_departure="2026-06-30",
        )
        response = post(client, API, body, world.hotel_key, **{"Accept-Language": "en"})
    assert response.status_code == 201, response.content
    assert response.json()["late"] is False
    move = response.json()["move"]
    assert (move["same_host"], move["moved_on"], move["deadline"]) == (True, "2026-05-20", None)
    assert first["reference"] in move["message"]


def test_the_same_guest_with_a_new_passport_at_the_same_address_is_no_move(
    world: World, client: Client
) -> None:
    first = at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    with on(dt.date(2026, 6, 3)):
        body = guest(
            document_number="U99999999",  # renewed; the same person by name and birth date
            arrival_date="2026-06-02",
            planned_departure="2026-06-30",
        )
        response = post(client, API, body, world.hotel_key)
    assert response.status_code == 201, response.content
    assert (response.json()["move"], response.json()["person_id"]) == (None, first["person_id"])
    assert StayRegistration.objects.filter(active=True).count() == 2


@pytest.mark.parametrize(
    "previous",
    [
        "ended",  # the hotel reported that the guest left
        "annulled",  # an officer annulled it
        "lapsed",  # its planned departure passed before the new arrival
        "later",  # it starts after the new arrival
    ],
)
def test_a_registration_that_is_not_current_at_the_new_arrival_is_no_move(
    world: World, client: Client, landlord_key: str, previous: str
) -> None:
    from umis.cases.models import Case

    first = at_the_hotel(
        client,
        world,
        arrived=dt.date(2026, 6, 10) if previous == "later" else dt.date(2026, 5, 4),
        until=dt.date(2026, 5, 25) if previous == "lapsed" else dt.date(2026, 6, 30),
    )
    reg = StayRegistration.objects.get(case__reference=first["reference"])
    if previous == "ended":
        StayRegistration.objects.filter(pk=reg.pk).update(active=False, ended_on="2026-05-30")
        Case.objects.filter(pk=reg.case_id).update(state="ended")
    elif previous == "annulled":
        StayRegistration.objects.filter(pk=reg.pk).update(active=False)
        Case.objects.filter(pk=reg.case_id).update(state="annulled")
    response = at_the_landlord(
        client,
        landlord_key,
        filed=dt.date(2026, 6, 12),
        moved=dt.date(2026, 6, 1),  # eleven days ago: within the 15 days of an arrival
        until=dt.date(2026, 6, 30),
    )
    assert response.status_code == 201, response.content
    assert (response.json()["move"], response.json()["late"]) == (None, False)
    reg.refresh_from_db()
    assert reg.active is (previous in {"lapsed", "later"})


SURNAMES = ["Məmmədov", "Əliyev", "Quliyev", "Həsənov", "Rzayev", "Kərimov", "Nəsirov", "Babayev"]


def _moved_guests(n: int, start: int) -> list[dict[str, Any]]:
    """Guests who moved to Larisa's flats: the first on Tuesday 2 June, the others on
    Monday 1 June."""
    return [
        guest(
            document_number=f"M{start + i:07d}",
            surname=SURNAMES[start + i],
            given_names="Elnur",
            birth_date=f"1980-0{1 + start + i}-1{start + i}",
            region="ganja",
            city="Gəncə",
            street=f"Atatürk prospekti {i + 1}",
            arrival_date="2026-06-02" if i == 0 else "2026-06-01",
            planned_departure="2026-06-30",
        )
        for i in range(n)
    ]


def test_a_batch_records_each_move_and_costs_the_same_queries_for_two_moves_or_six(
    world: World, client: Client, landlord_key: str
) -> None:
    with on(dt.date(2026, 5, 4)):
        at_hotel = [
            {
                **g,
                "region": "baku",
                "city": "Bakı",
                "street": "Nizami 1",
                "arrival_date": "2026-05-04",
            }
            for g in _moved_guests(8, 0)
        ]
        hotel = post(client, f"{API}/bulk", {"items": at_hotel}, world.hotel_key)
    assert hotel.json()["accepted"] == 8
    newcomers = [
        guest(
            document_number=f"N{i:07d}",
            surname=name,
            given_names="Aysel",
            birth_date=f"1990-0{1 + i}-2{i}",
            arrival_date="2026-06-05",
            planned_departure="2026-06-30",
        )
        for i, name in enumerate(["Sadıqova", "Tağıyeva", "Vəliyeva", "Zeynalova"])
    ]

    def batch(items: list[dict[str, Any]]) -> tuple[Any, int]:
        # Tuesday 9 June: the last day for a move on 2 June, a day late for one on 1 June
        with on(dt.date(2026, 6, 9)), CaptureQueriesContext(connection) as queries:
            response = post(client, f"{API}/bulk", {"items": items}, landlord_key)
        assert response.status_code == 200, response.content
        return response.json(), len(queries)

    client.get(API, HTTP_X_API_KEY=landlord_key)  # the key's first use is recorded once
    small, small_queries = batch(_moved_guests(2, 0) + newcomers[:2])
    large, large_queries = batch(_moved_guests(6, 2) + newcomers[2:])
    assert small_queries == large_queries
    assert [(i["status"], i["late"], bool(i["move"])) for i in small["items"]] == [
        ("accepted", False, True),
        ("accepted", True, True),
        ("accepted", False, False),
        ("accepted", False, False),
    ]
    assert [(i["late"], bool(i["move"])) for i in large["items"]] == [(False, True)] + [
        (True, True)
    ] * 5 + [(False, False)] * 2
    assert [i["move"]["deadline"] for i in large["items"][:2]] == ["2026-06-09", "2026-06-08"]
    assert StayRegistration.objects.filter(host=world.hotel, active=True).count() == 0
    assert StayRegistration.objects.filter(host=world.landlord, active=True).count() == 12
    assert CaseEvent.objects.filter(action="STAY_REGISTRATION_SUPERSEDED", actor=None).count() == 8
    assert AuditEvent.objects.filter(action="DOCUMENT_VALIDITY_SHORTENED").count() == 8


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "ru",
            "Записано как переезд: регистрация гостя по прежнему месту пребывания завершена "
            "01.06.2026. После переезда гость должен быть зарегистрирован заново в течение 5 "
            "рабочих дней, в данном случае не позднее 08.06.2026.",
        ),
        (
            "az",
            "Köçmə kimi qeydə alındı: qonağın əvvəlki olduğu yer üzrə qeydiyyatı 01.06.2026 "
            "tarixində başa çatdırıldı. Yer dəyişdikdən sonra qonaq 5 iş günü ərzində, bu halda "
            "ən gec 08.06.2026 tarixində yenidən qeydiyyata alınmalıdır.",
        ),
    ],
)
def test_the_host_is_told_of_the_move_in_their_language(
    world: World, client: Client, landlord_key: str, language: str, said: str
) -> None:
    at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    with on(dt.date(2026, 6, 3)):
        body = guest(region="ganja", arrival_date="2026-06-01", planned_departure="2026-06-30")
        response = post(client, API, body, landlord_key, **{"Accept-Language": language})
    assert response.json()["move"]["message"] == said


def test_a_later_read_of_the_registration_tells_the_same_move_in_the_readers_language(
    world: World, client: Client, landlord_key: str
) -> None:
    first = at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    created = at_the_landlord(
        client,
        landlord_key,
        filed=dt.date(2026, 6, 3),
        moved=dt.date(2026, 6, 1),
        until=dt.date(2026, 6, 30),
    ).json()
    assert created["move"]["deadline"] == "2026-06-08"
    # the rule changes afterwards: the registration keeps the terms it was judged by
    RegistrationRule.objects.update(move_deadline_working_days=3)
    path = f"{API}/{created['reference']}"
    with on(dt.date(2026, 6, 20)):
        read = client.get(path, HTTP_X_API_KEY=landlord_key, HTTP_ACCEPT_LANGUAGE="en").json()
        in_russian = client.get(path, HTTP_X_API_KEY=landlord_key, HTTP_ACCEPT_LANGUAGE="ru")
    assert read["move"] == created["move"]
    assert in_russian.json()["move"] == {
        **created["move"],
        "message": (
            "Записано как переезд: регистрация гостя по прежнему месту пребывания завершена "
            "01.06.2026. После переезда гость должен быть зарегистрирован заново в течение 5 "
            "рабочих дней, в данном случае не позднее 08.06.2026."
        ),
    }
    new = StayRegistration.objects.get(case__reference=created["reference"])
    assert (new.moved_on, new.move_deadline, new.move_working_days) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 8),
        5,
    )
    previous = StayRegistration.objects.get(case__reference=first["reference"])
    assert (previous.superseded_by, previous.moved_on) == (new, None)


def test_a_later_read_of_a_same_host_move_names_the_hosts_own_registration_again(
    world: World, client: Client
) -> None:
    first = at_the_hotel(client, world, arrived=dt.date(2026, 5, 4), until=dt.date(2026, 6, 30))
    with on(dt.date(2026, 6, 3)):
        body = guest(
            street="Neftçilər prospekti 100",  # the hotel's other building
            arrival_date="2026-05-20",
            planned_departure="2026-06-30",
        )
        created = post(client, API, body, world.hotel_key, **{"Accept-Language": "en"}).json()
        path = f"{API}/{created['reference']}"
        read = client.get(path, HTTP_X_API_KEY=world.hotel_key, HTTP_ACCEPT_LANGUAGE="en").json()
        # the registration it ended was no move itself
        before = client.get(f"{API}/{first['reference']}", HTTP_X_API_KEY=world.hotel_key).json()
    assert created["move"]["same_host"] is True
    assert first["reference"] in created["move"]["message"]
    assert read["move"] == created["move"]
    assert (first["move"], before["move"], before["state"]) == (None, None, "ended")
