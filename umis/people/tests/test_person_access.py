"""A person's file is open to the officers of the offices the person is tied to (a case, an
overstay finding, a screening hit; not a crossing at one of its border points) and to the
head office; an officer of another region gets 404 and the attempt is in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.overstays import overstays_detect
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.testing import World, guest
from umis.people.models import Person
from umis.people.selectors import person_scope_for_user, person_search
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def _registered(world: World, **overrides: object) -> Person:
    result = stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(**overrides)]
    )[0]
    assert result.registration is not None, result.errors
    return result.registration.person


def test_an_officer_of_another_region_gets_404_for_a_person_and_is_logged(
    world: World, client: Client
) -> None:
    person = _registered(world)  # a guest of a Baku hotel: a case of the Baku office
    client.force_login(world.bob)
    response = client.get(f"/en/office/people/{person.pk}/")
    assert response.status_code == 404
    assert "Hüseynov" not in response.content.decode()
    denied = AuditEvent.objects.get(action="PERSON_ACCESS_DENIED", actor=world.bob)
    assert denied.entity_id == str(person.pk)
    assert not AuditEvent.objects.filter(action="PERSON_VIEWED", actor=world.bob).exists()

    client.force_login(world.alice)
    opened = {"purpose": "case", "ref": person.cases.get().reference}
    assert client.get(f"/en/office/people/{person.pk}/", opened).status_code == 200
    client.force_login(world.hannah)
    assert client.get(f"/en/office/people/{person.pk}/", opened).status_code == 200
    assert AuditEvent.objects.filter(action="PERSON_VIEWED", person_id=person.pk).count() == 2


def test_the_people_search_lists_only_persons_the_officer_may_open(
    world: World, client: Client
) -> None:
    baku = _registered(world)
    shaki = _registered(world, region="shaki", surname="Hüseynli", document_number="S1234567")
    assert list(person_search(user=world.alice, name="huseyn")) == [baku]
    assert list(person_search(user=world.bob, name="huseyn")) == [shaki]
    assert set(person_search(user=world.hannah, name="huseyn")) == {baku, shaki}
    client.force_login(world.bob)
    page = client.post("/en/office/people/", {"name": "huseyn"}).content.decode()
    assert f"/en/office/people/{shaki.pk}/" in page
    assert f"/en/office/people/{baku.pk}/" not in page


def test_a_finding_ties_a_person_to_the_office_a_crossing_does_not(
    world: World, client: Client
) -> None:
    today = clock.today()
    key = border_key()
    # entered at Baku airport 200 days ago and never left; registered in Shaki long ago
    send(client, key, [event(document_number="OVER2", timestamp=at_day(today - dt.timedelta(200)))])
    traveller = Person.objects.get(documents__number="OVER2")
    # having crossed at GYD, a point of the Baku region, opens no file to the Baku office
    assert traveller not in person_scope_for_user(world.alice)
    client.force_login(world.alice)
    response = client.get(f"/en/office/people/{traveller.pk}/")
    assert response.status_code == 404
    assert "OVER2" not in response.content.decode()
    denied = AuditEvent.objects.get(action="PERSON_ACCESS_DENIED", actor=world.alice)
    assert denied.entity_id == str(traveller.pk)
    assert not AuditEvent.objects.filter(action="PERSON_VIEWED", person_id=traveller.pk).exists()
    assert traveller not in person_search(user=world.alice, name="Öztürk")
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(
                surname="Öztürk",
                given_names="Mehmet",
                birth_date="1980-05-01",
                document_number="OVER2",
                region="shaki",
                arrival_date=(today - dt.timedelta(days=199)).isoformat(),
                planned_departure=(today - dt.timedelta(days=190)).isoformat(),
            )
        ],
    )
    overstays_detect(on=today)
    assert traveller in person_scope_for_user(world.bob)  # the Shaki case and finding
    assert traveller not in person_scope_for_user(world.alice)  # still only a crossing
    client.force_login(world.bob)
    assert client.get(f"/en/office/people/{traveller.pk}/").status_code == 200


def test_a_finding_alone_ties_a_person_to_its_office(world: World, client: Client) -> None:
    """A traveller with no case anywhere, found overstaying: the finding's office (of the
    crossing point, as nobody registered them) may open the file, another office may not."""
    today = clock.today()
    send(
        client,
        border_key(),
        [event(document_number="OVER3", timestamp=at_day(today - dt.timedelta(120)))],
    )
    traveller = Person.objects.get(documents__number="OVER3")
    assert traveller not in person_scope_for_user(world.alice)
    overstays_detect(on=today)
    assert traveller in person_scope_for_user(world.alice)  # the Baku office's finding
    assert traveller not in person_scope_for_user(world.bob)


def test_hosts_applicants_and_anonymous_callers_see_no_person(world: World) -> None:
    person = _registered(world)
    for user in (world.harry, world.oscar):
        assert not person_scope_for_user(user).exists()
    assert person_scope_for_user(world.admin).get() == person
