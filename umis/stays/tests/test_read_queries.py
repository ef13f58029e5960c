"""What the host's reads of registrations cost in queries: the guest list as much for many
guests as for one, and a registration read whole (whether it took over the guest's own
filing included) in as few as it needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from umis.core import clock
from umis.core.testing import World, guest
from umis.stays.testing import post
from umis.stays.tests.test_own_taken_over import own_filing

pytestmark = pytest.mark.django_db

API = "/api/v1/stay-registrations"


def _register(client: Client, world: World, n: int, start: int) -> list[str]:
    references = []
    for i in range(start, start + n):
        body = guest(
            surname="Quliyev",
            given_names=f"Elnur{chr(65 + i)}",
            document_number=f"C76543{i:02d}",
            birth_date=f"19{60 + i}-05-05",
        )
        response = post(client, API, body, world.hotel_key)
        assert response.status_code == 201, response.content[:300]
        references.append(response.json()["reference"])
    return references


def _queries(read: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = read()
    assert response.status_code == 200
    return len(queries)


def test_the_guest_list_costs_as_many_queries_for_many_guests_as_for_one(
    world: World, client: Client, django_assert_num_queries: Any
) -> None:
    _register(client, world, 1, 0)
    host = Client()
    host.force_login(world.harry)

    def api() -> Any:
        return client.get(API, HTTP_X_API_KEY=world.hotel_key)

    def page() -> Any:
        return host.get("/en/host/")

    for_one = (_queries(api), _queries(page))
    _register(client, world, 4, 1)
    assert len(api().json()) == 5
    with django_assert_num_queries(for_one[0]):
        api()
    with django_assert_num_queries(for_one[1]):
        page()


def test_reading_a_registration_that_took_nothing_over_makes_no_look_up_for_it(
    world: World, client: Client
) -> None:
    arrival = clock.today() - dt.timedelta(days=1)
    own_filing(clock.today() - dt.timedelta(days=2))
    body = guest(street="Nizami küçəsi 10", arrival_date=arrival.isoformat())
    took = post(client, API, body, world.hotel_key).json()
    assert took["taken_over"] is not None
    plain = _register(client, world, 1, 0)[0]

    def read(reference: str) -> Any:
        return client.get(f"{API}/{reference}", HTTP_X_API_KEY=world.hotel_key)

    assert read(took["reference"]).json()["taken_over"] == took["taken_over"]
    assert read(plain).json()["taken_over"] is None
    # the registration and whether it took a filing over come in one query; only one that
    # did reads the numbers of the filings
    assert _queries(lambda: read(plain)) == _queries(lambda: read(took["reference"])) - 1
