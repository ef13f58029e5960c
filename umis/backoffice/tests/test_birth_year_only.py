"""A person whose date of birth is known only by its year reads as that year on every
office page that shows the person, never as 1 January of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.core.testing import World
from umis.people.models import Person
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def test_a_birth_known_by_its_year_reads_as_the_year_on_the_office_pages(
    world: World, client: Client
) -> None:
    case = register(world)
    Person.objects.filter(pk=case.applicant_id).update(
        birth_date=dt.date(1985, 1, 1), birth_year_only=True
    )
    client.force_login(world.alice)
    pages = {
        "case": client.get(f"/en/office/cases/{case.reference}/"),
        "person": client.get(
            f"/en/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
        ),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "01.01.1985" not in page, name
        assert "1985" in page, name
