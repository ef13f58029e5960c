"""A person's file shows only once the officer has said why they open it; the purpose is
in the audit row of the read. Links from a case, a hit, a finding or a duplicate review
say it themselves."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.testing import World, guest
from umis.people.models import Person
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def _registered(world: World) -> tuple[Person, str]:
    result = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])[0]
    assert result.registration is not None, result.errors
    return result.registration.person, result.registration.case.reference


def _reads(person: Person) -> list[str]:
    return [
        e.data["purpose"]
        for e in AuditEvent.objects.filter(action="PERSON_VIEWED", person_id=person.pk)
    ]


def test_a_file_opened_from_the_search_asks_for_the_purpose_first(
    world: World, client: Client
) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    search = client.post("/en/office/people/", {"name": "huseynov"}).content.decode()
    assert f'href="/en/office/people/{person.pk}/"' in search

    asked = client.get(f"/en/office/people/{person.pk}/")
    page = asked.content.decode()
    assert asked.status_code == 200
    assert 'id="purpose-form"' in page
    assert "Hüseynov" not in page and "U12345678" not in page  # nothing of the file yet
    assert _reads(person) == []

    # an inquiry must name the request it answers
    missing = client.get(f"/en/office/people/{person.pk}/", {"purpose": "inquiry"})
    assert missing.status_code == 422
    assert "Give the number of the request" in missing.content.decode()
    assert "Hüseynov" not in missing.content.decode()
    assert client.get(f"/en/office/people/{person.pk}/", {"purpose": "gossip"}).status_code == 422
    assert _reads(person) == []

    opened = client.get(
        f"/en/office/people/{person.pk}/", {"purpose": "inquiry", "ref": "  letter 12/345 "}
    )
    assert opened.status_code == 200
    assert "Hüseynov" in opened.content.decode()
    assert "Inquiry from another authority letter 12/345" in opened.content.decode()
    assert _reads(person) == ["inquiry: letter 12/345"]


def test_the_link_from_a_case_states_the_case(world: World, client: Client) -> None:
    person, reference = _registered(world)
    client.force_login(world.alice)
    case_page = client.get(f"/en/office/cases/{reference}/").content.decode()
    link = f"/en/office/people/{person.pk}/?purpose=case&amp;ref={reference}"
    assert link in case_page
    page = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Hüseynov" in page
    assert _reads(person) == [f"case: {reference}"]


def test_another_regions_officer_gets_404_before_any_question(world: World, client: Client) -> None:
    person, _reference = _registered(world)  # a guest in Baku: not Shaki's
    client.force_login(world.bob)
    response = client.get(f"/en/office/people/{person.pk}/")
    assert response.status_code == 404
    assert 'id="purpose-form"' not in response.content.decode()
    assert AuditEvent.objects.filter(action="PERSON_ACCESS_DENIED", actor=world.bob).count() == 1
