"""How many statements intake sends for guests new to the registry: the figures below
are ceilings, so a read that comes back unnoticed fails here."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from umis.audit.models import AuditEvent
from umis.core.testing import World, guest
from umis.screening.models import ScreeningHit
from umis.stays.models import StayRegistration
from umis.stays.testing import post

pytestmark = pytest.mark.django_db

API = "/api/v1/stay-registrations"
# The statements of a request registering guests new to the registry, one or a batch of
# any size, with the API key, the rate limit, the transaction and the audit rows: the
# people created by the request hold no registration to move from and no other document
# to screen, so neither is read. The known people who could be the guests are read in one
# statement (those filed under the guests' block keys and those known by a year of birth
# only).
MOST = {"postgresql": 20, "sqlite": 22}


def _new_guests(n: int, first: int = 0) -> list[dict[str, Any]]:
    names = ["Hüseynov", "Əliyev", "Məmmədov", "Quliyev", "Həsənov", "Rzayev", "Kazımov"]
    given = ["Rəşad", "Leyla", "Orxan", "Aynur", "Tural", "Günel"]
    return [
        guest(
            surname=names[k % len(names)],
            given_names=given[k % len(given)],
            document_number=f"U{10_000_000 + k}",
            birth_date=f"19{50 + k % 40}-0{1 + k % 9}-1{k % 10}",
        )
        for k in range(first, first + n)
    ]


def _queries(client: Client, world: World, path: str, body: Any) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = post(client, path, body, world.hotel_key)
    assert response.status_code in (200, 201), response.content
    return response.json(), len(queries)


def test_a_new_guest_is_registered_in_a_bounded_number_of_statements(
    world: World, client: Client
) -> None:
    # the key's first use is recorded once; the first registration of a process looks up
    # what it keeps (the tables' sequences)
    _queries(client, world, API, _new_guests(1, first=100)[0])
    body, queries = _queries(client, world, API, _new_guests(1)[0])
    assert queries <= MOST[connection.vendor]
    reg = StayRegistration.objects.get(case__reference=body["reference"])
    assert reg.person.documents.get().number == "U10000000"
    assert (
        AuditEvent.objects.filter(
            action="STAY_REGISTRATION_SUBMITTED", entity_id=str(reg.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize("size", [3, 30])
def test_a_batch_of_new_guests_is_registered_in_a_bounded_number_of_statements(
    world: World, client: Client, size: int
) -> None:
    _queries(client, world, f"{API}/bulk", {"items": _new_guests(size, first=100)})
    body, queries = _queries(client, world, f"{API}/bulk", {"items": _new_guests(size)})
    assert body["accepted"] == size
    assert queries <= MOST[connection.vendor]
    assert StayRegistration.objects.filter(active=True).count() == 2 * size
    assert not ScreeningHit.objects.exists()
