"""The host learns that a guest moved away (was registered at another place, which ended
the host's registration), and when, but not where nor with whom."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.core import clock
from umis.core.testing import World, guest
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registration_end, stay_registrations_submit
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def moved_to_the_landlord(world: World, on: dt.date) -> StayRegistration:
    result = stay_registrations_submit(
        actor=world.larisa,
        host=world.landlord,
        raws=[
            guest(
                region="ganja",
                city="Gəncə",
                street="Cavadxan küçəsi 77",
                arrival_date=on.isoformat(),
            )
        ],
    )[0]
    assert result.registration is not None and result.move is not None, result.errors
    return result.registration


def recently_ended(page: str) -> str:
    return page.split('id="recently-ended"', 1)[1].split("</table>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "moved"),
    [
        ("/en", "moved to another place of stay on {date}"),
        ("", "{date} tarixində başqa qalma yerinə köçüb"),
        ("/ru", "переехал в другое место пребывания {date}"),
    ],
)
def test_the_host_s_list_says_the_guest_moved_and_when(
    world: World, client: Client, lang: str, moved: str
) -> None:
    case = register(world, arrival_date=(clock.today() - dt.timedelta(days=5)).isoformat())
    moved_on = clock.today() - dt.timedelta(days=1)
    new = moved_to_the_landlord(world, moved_on)
    client.force_login(world.harry)
    page = client.get(f"{lang}/host/").content.decode()
    rows = recently_ended(page)
    row = rows.split(case.reference, 1)[1].split("</tr>", 1)[0]
    assert moved.format(date=f"{moved_on:%d.%m.%Y}") in row
    assert 'data-how="moved"' in row
    # not where, nor with whom, nor the new registration
    for secret in ("Cavadxan", "Gəncə", world.landlord.name, new.case.reference):
        assert secret not in page


def test_the_registration_page_says_the_guest_moved_not_that_he_left(
    world: World, client: Client
) -> None:
    case = register(world, arrival_date=(clock.today() - dt.timedelta(days=5)).isoformat())
    moved_on = clock.today() - dt.timedelta(days=1)
    moved_to_the_landlord(world, moved_on)
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{case.reference}/").content.decode()
    stay = page.split('id="stay">', 1)[1].split("</dd>", 1)[0]
    assert f"– {moved_on:%d.%m.%Y} (the guest moved to another place of stay;" in stay
    assert "the guest left" not in stay
    assert "Cavadxan" not in page and world.landlord.name not in page


def test_a_guest_who_left_is_listed_as_left_and_long_ago_ones_are_not(
    world: World, client: Client
) -> None:
    left = register(world)
    reg = StayRegistration.objects.get(case=left)
    stay_registration_end(actor=world.harry, registration=reg, left_on=clock.today())
    old = register(
        world,
        on=clock.today() - dt.timedelta(days=60),
        document_number="S1234567",
        surname="Quliyev",
        given_names="Elnur",
        birth_date="1990-05-05",
        arrival_date=(clock.today() - dt.timedelta(days=61)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=50)).isoformat(),
    )
    old_reg = StayRegistration.objects.get(case=old)
    with clock.frozen_at(
        dt.datetime.combine(clock.today() - dt.timedelta(days=55), dt.time(12), tzinfo=dt.UTC)
    ):
        stay_registration_end(
            actor=world.harry,
            registration=old_reg,
            left_on=clock.today(),
        )
    client.force_login(world.harry)
    rows = recently_ended(client.get("/en/host/").content.decode())
    row = rows.split(left.reference, 1)[1].split("</tr>", 1)[0]
    assert f"left on {clock.today():%d.%m.%Y}" in row and 'data-how="left"' in row
    assert old.reference not in rows


@pytest.mark.parametrize(
    ("sex", "lang", "left", "moved"),
    [
        ("M", "/ru", "выбыл {date}", "переехал в другое место пребывания {date}"),
        ("F", "/ru", "выбыла {date}", "переехала в другое место пребывания {date}"),
        ("X", "/ru", "выбытие {date}", "переезд в другое место пребывания {date}"),
        ("F", "/en", "left on {date}", "moved to another place of stay on {date}"),
        ("X", "/en", "left on {date}", "moved to another place of stay on {date}"),
        ("F", "", "{date} tarixində gedib", "{date} tarixində başqa qalma yerinə köçüb"),
        ("X", "", "{date} tarixində gedib", "{date} tarixində başqa qalma yerinə köçüb"),
    ],
)
def test_the_host_s_list_says_left_or_moved_as_the_guest_s_sex_reads(
    world: World, client: Client, sex: str, lang: str, left: str, moved: str
) -> None:
    moving = register(
        world, sex=sex, arrival_date=(clock.today() - dt.timedelta(days=5)).isoformat()
    )
    moved_on = clock.today() - dt.timedelta(days=1)
    moved_to_the_landlord(world, moved_on)
    leaving = register(
        world,
        sex=sex,
        region="shaki",
        document_number="S1234567",
        surname="Quliyeva",
        given_names="Aysel",
        birth_date="1990-05-05",
    )
    stay_registration_end(
        actor=world.harry,
        registration=StayRegistration.objects.get(case=leaving),
        left_on=clock.today(),
    )
    client.force_login(world.harry)
    rows = recently_ended(client.get(f"{lang}/host/").content.decode())

    def how(case_reference: str) -> str:
        row = rows.split(case_reference, 1)[1].split("</tr>", 1)[0]
        return row.rsplit("<td", 1)[1].split(">", 1)[1].split("</td>", 1)[0]

    assert how(leaving.reference) == left.format(date=f"{clock.today():%d.%m.%Y}")
    assert how(moving.reference) == moved.format(date=f"{moved_on:%d.%m.%Y}")
