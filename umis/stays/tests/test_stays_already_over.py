"""A stay registered after the guest's planned departure (the host registers late, the
guest has gone): it is recorded, as the law asks, and late; it is recorded as ended on
that day, not as a guest the host still has, and its certificate verifies as expired."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.core import clock
from umis.core.testing import World, annul, guest
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code
from umis.stays.models import StayRegistration
from umis.stays.testing import post

pytestmark = pytest.mark.django_db

API = "/api/v1/stay-registrations"
TODAY = dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC)


def test_a_stay_already_over_is_recorded_as_ended_on_its_departure(
    world: World, client: Client
) -> None:
    with clock.frozen_at(TODAY):
        body = guest(arrival_date="2026-10-01", planned_departure="2026-10-25")
        response = post(client, API, body, world.hotel_key)
        assert response.status_code == 201, response.content
        answer = response.json()
        assert (answer["late"], answer["state"]) == (True, "ended")
        reg = StayRegistration.objects.select_related("case").get(
            case__reference=answer["reference"]
        )
        assert (reg.active, reg.ended_on, reg.case.is_open) == (False, dt.date(2026, 10, 25), False)
        assert [
            g["reference"] for g in client.get(API, HTTP_X_API_KEY=world.hotel_key).json()
        ] == []
        code = document_verify_code(IssuedDocument.objects.get(case=reg.case))
        verified = client.get(f"/api/v1/documents/verify/{code}").json()
        assert verified["status"] == "expired"
        # the history says why it ended: the stay was over when it was registered
        assert reg.case.events.filter(action="STAY_REGISTRATION_ENDED", actor=None).exists()


def test_a_stay_that_ends_today_or_later_is_current(world: World, client: Client) -> None:
    with clock.frozen_at(TODAY):
        body = guest(arrival_date="2026-11-10", planned_departure="2026-11-24")
        answer = post(client, API, body, world.hotel_key).json()
    assert answer["state"] == "registered"
    assert StayRegistration.objects.get(case__reference=answer["reference"]).active


def test_a_batch_ends_only_its_stays_already_over(world: World, client: Client) -> None:
    with clock.frozen_at(TODAY):
        items = [
            guest(arrival_date="2026-10-01", planned_departure="2026-10-25"),
            guest(
                document_number="U22345678",
                surname="Əliyev",
                arrival_date="2026-11-20",
                planned_departure="2026-12-01",
            ),
        ]
        answer = post(client, f"{API}/bulk", {"items": items}, world.hotel_key).json()
    assert [(i["status"], i.get("state")) for i in answer["items"]] == [
        ("accepted", "ended"),
        ("accepted", "registered"),
    ]


def test_an_officer_annuls_a_registration_that_has_ended(world: World, client: Client) -> None:
    """A registration found false after the guest has gone verifies as annulled, not as
    merely expired."""
    with clock.frozen_at(TODAY):
        body = guest(arrival_date="2026-10-01", planned_departure="2026-10-25")
        reference = post(client, API, body, world.hotel_key).json()["reference"]
        reg = StayRegistration.objects.select_related("case").get(case__reference=reference)
        client.force_login(world.alice)
        annul(client, reg.case)
        reg.case.refresh_from_db()
        assert reg.case.state == "annulled"
        code = document_verify_code(IssuedDocument.objects.get(case=reg.case))
        assert client.get(f"/api/v1/documents/verify/{code}").json()["status"] == "annulled"
