"""The same guest registered twice at the same moment (two clerks, or a client that sent
the request again without an Idempotency-Key): one registration, the other request refused
as a duplicate, never a server error and never two active registrations.

Two connections racing need PostgreSQL (SQLite runs one writer at a time, and CI runs
these on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from umis.core import clock
from umis.core.testing import World, at_the_same_moment, guest, in_threads
from umis.people.models import Person, TravelDocument
from umis.stays import services
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing: run on PostgreSQL (as CI does)")


def register(key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = Client().post(
        "/api/v1/stay-registrations",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    return response.status_code, response.json()


def both_at_once(world: World, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, Any]]:
    """Both requests read the guest's documents at the same moment."""
    monkeypatch.setattr(
        services, "travel_documents_stored", at_the_same_moment(services.travel_documents_stored)
    )
    body = guest()
    return in_threads(
        lambda: register(world.hotel_key, body), lambda: register(world.hotel_key, body)
    )


def test_a_new_guest_registered_twice_at_once_is_registered_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = both_at_once(world, monkeypatch)
    assert sorted(status for status, _ in results) == [201, 422], results
    refused = next(body for status, body in results if status == 422)
    assert refused["error"]["code"] == "already_registered"
    assert (Person.objects.count(), TravelDocument.objects.count()) == (1, 1)
    assert StayRegistration.objects.filter(active=True).count() == 1


def test_a_known_guest_registered_twice_at_once_is_registered_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the guest stayed before: passport and person are on file, that stay has ended
    earlier = guest(
        arrival_date=(clock.today() - dt.timedelta(days=30)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=20)).isoformat(),
    )
    status, body = register(world.hotel_key, earlier)
    assert status == 201, body
    StayRegistration.objects.update(active=False)
    results = both_at_once(world, monkeypatch)
    assert sorted(status for status, _ in results) == [201, 422], results
    assert (Person.objects.count(), TravelDocument.objects.count()) == (1, 1)
    assert StayRegistration.objects.filter(active=True).count() == 1


def bulk(key: str, items: list[dict[str, Any]], idempotency_key: str) -> tuple[int, Any]:
    response = Client().post(
        "/api/v1/stay-registrations/bulk",
        data=json.dumps({"items": items}),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )
    return response.status_code, response.json()


def guests(count: int) -> list[dict[str, Any]]:
    # enough new guests that their passports are stored with COPY, not INSERT
    return [
        guest(document_number=f"U{70000000 + i}", surname=f"Guest{chr(65 + i % 26)}")
        for i in range(count)
    ]


def upload_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch, *idempotency_keys: str
) -> list[tuple[int, Any]]:
    """The same 40 new guests uploaded once per key, all at the same moment."""
    monkeypatch.setattr(
        services, "travel_documents_stored", at_the_same_moment(services.travel_documents_stored)
    )
    items = guests(40)
    return in_threads(*[lambda k=k: bulk(world.hotel_key, items, k) for k in idempotency_keys])


def test_the_same_batch_uploaded_twice_at_once_registers_each_guest_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two clerks upload the same file at the same moment (two Idempotency-Keys)."""
    answers = upload_at_once(world, monkeypatch, "clerk-1", "clerk-2")
    assert [status for status, _ in answers] == [200, 200], answers
    assert sorted((a["accepted"], a["refused"]) for _, a in answers) == [(0, 40), (40, 0)]
    assert StayRegistration.objects.filter(active=True).count() == 40
    assert TravelDocument.objects.count() == 40


def test_a_batch_sent_again_with_its_key_while_the_first_is_running_is_replayed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = upload_at_once(world, monkeypatch, "batch-7", "batch-7")
    assert [status for status, _ in answers] == [200, 200], answers
    assert sorted(bool(a.get("replayed")) for _, a in answers) == [False, True]
    assert [a["accepted"] for _, a in answers] == [40, 40]
    assert StayRegistration.objects.count() == 40


@pytest.mark.parametrize("first_to_lock", ["hotel", "landlord"])
def test_a_move_and_the_previous_hosts_end_at_the_same_moment_end_the_stay_once(
    world: World, monkeypatch: pytest.MonkeyPatch, first_to_lock: str
) -> None:
    """Larisa registers the guest who moved to her flat while the hotel reports, at the same
    moment, that the guest left: the second waits for the first and then sees what it did,
    so the hotel's registration ends once, and the new one is a move only when the hotel
    had not ended it first."""
    import threading
    import time

    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create
    from umis.cases.models import CaseEvent

    today = clock.today()
    status, first = register(
        world.hotel_key,
        guest(
            arrival_date=(today - dt.timedelta(days=20)).isoformat(),
            planned_departure=(today + dt.timedelta(days=30)).isoformat(),
        ),
    )
    assert status == 201, first
    _client, landlord_key = api_client_create(
        actor=None, name="Landlord app", user=world.larisa, scopes=[Scope.STAY_REGISTRATIONS]
    )
    # the first takes the registration's lock, then lets the other run into it
    barrier = threading.Barrier(2)

    def locks_first(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = fn(*args, **kwargs)
            barrier.wait(timeout=10)
            time.sleep(0.3)  # the other is now waiting for the lock
            return result

        return wrapper

    def waits(fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            barrier.wait(timeout=10)
            return fn(*args, **kwargs)

        return wrapper

    hotel_wrap, landlord_wrap = (
        (locks_first, waits) if first_to_lock == "hotel" else (waits, locks_first)
    )
    monkeypatch.setattr(
        services, "_registration_for_update", hotel_wrap(services._registration_for_update)
    )
    monkeypatch.setattr(services, "_moves", landlord_wrap(services._moves))
    yesterday = (today - dt.timedelta(days=1)).isoformat()

    def end() -> tuple[int, Any]:
        response = Client().post(
            f"/api/v1/stay-registrations/{first['reference']}/end",
            data=json.dumps({"left_on": yesterday}),
            content_type="application/json",
            HTTP_X_API_KEY=world.hotel_key,
        )
        return response.status_code, response.json()

    moved = guest(region="ganja", street="Atatürk prospekti 8", arrival_date=yesterday)
    (end_status, ended), (move_status, registered) = in_threads(
        end, lambda: register(landlord_key, moved)
    )
    assert move_status == 201, registered
    [event] = CaseEvent.objects.filter(case__reference=first["reference"], to_state="ended")
    if first_to_lock == "hotel":
        assert (end_status, event.action, registered["move"]) == (
            200,
            "STAY_REGISTRATION_ENDED",
            None,
        )
    else:  # the hotel is told the registration has ended already
        assert (end_status, ended["error"]["code"]) == (422, "not_active")
        assert event.action == "STAY_REGISTRATION_SUPERSEDED"
        assert registered["move"]["moved_on"] == yesterday
    assert list(StayRegistration.objects.filter(active=True).values_list("host", flat=True)) == [
        world.landlord.pk
    ]
