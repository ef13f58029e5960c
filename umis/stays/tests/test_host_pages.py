"""The host's registration page shows the stay as it really was: ended, or annulled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.backoffice.tests.test_cases import register
from umis.core import clock
from umis.core.testing import World
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registration_end

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "left"),
    [
        ("/en", "the guest left; planned departure {planned}"),
        ("", "qonaq gedib; planlaşdırılan gediş {planned}"),
        ("/ru", "гость выбыл; планируемый выезд {planned}"),
    ],
)
def test_an_ended_stay_shows_the_day_the_guest_left(
    world: World, client: Client, lang: str, left: str
) -> None:
    case = register(world)
    reg = StayRegistration.objects.get(case=case)
    stay_registration_end(actor=world.harry, registration=reg, left_on=clock.today())
    client.force_login(world.harry)
    page = client.get(f"{lang}/host/registrations/{case.reference}/").content.decode()
    row = page.split('id="stay">', 1)[1].split("</dd>", 1)[0]
    planned = f"{reg.planned_departure:%d.%m.%Y}"
    assert row.startswith(f"{reg.arrival_date:%d.%m.%Y} – {clock.today():%d.%m.%Y}")
    assert left.format(planned=planned) in row


def test_an_active_stay_shows_the_planned_departure(world: World, client: Client) -> None:
    case = register(world)
    reg = StayRegistration.objects.get(case=case)
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{case.reference}/").content.decode()
    row = page.split('id="stay">', 1)[1].split("</dd>", 1)[0]
    assert row == f"{reg.arrival_date:%d.%m.%Y} – {reg.planned_departure:%d.%m.%Y}"
    assert reg.planned_departure > clock.today() + dt.timedelta(days=1)
