"""The person's stay panel says what the border crossings show, and no more: without
crossings it does not say the person is out, and a current registration is shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.testing import World
from umis.people.models import TravelDocument
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def stay_panel(page: str) -> str:
    return page.split('id="stay">', 1)[1].split("</dl>", 1)[0]


def in_country(page: str) -> str:
    panel = stay_panel(page)
    return panel.split("<dd", 1)[1].split("</dd>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "unknown", "registered"),
    [
        ("/en", "not known: no border crossings recorded", "registered at the place of stay until"),
        (
            "",
            "məlum deyil: sərhəd keçidləri qeydə alınmayıb",
            "tarixinədək olduğu yer üzrə qeydiyyatdadır",
        ),
        (
            "/ru",
            "неизвестно: пересечения границы не зарегистрированы",
            "зарегистрирован по месту пребывания до",
        ),
    ],
)
def test_a_registered_guest_without_crossings_is_not_said_to_be_out(
    world: World, client: Client, lang: str, unknown: str, registered: str
) -> None:
    case = register(world)
    until = (clock.today() + dt.timedelta(days=20)).strftime("%d.%m.%Y")
    client.force_login(world.alice)
    page = client.get(
        f"{lang}/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
    ).content.decode()
    answer = in_country(page)
    assert 'data-presence="unknown"' in answer
    assert unknown in answer
    assert registered in answer and until in answer


def test_a_person_without_crossings_or_registration_is_not_known_to_be_in(
    world: World, client: Client
) -> None:
    case = register(
        world,
        arrival_date=(clock.today() - dt.timedelta(days=60)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=40)).isoformat(),
    )
    client.force_login(world.alice)
    page = client.get(
        f"/en/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
    ).content.decode()
    answer = in_country(page)
    assert 'data-presence="unknown"' in answer
    assert "not known: no border crossings recorded" in answer
    assert "registered at the place of stay" not in answer


def test_a_person_who_left_is_not_in_the_country(world: World, client: Client) -> None:
    key = border_key()
    today = clock.today()
    send(
        client,
        key,
        [
            event(event_id="in", timestamp=at_day(today - dt.timedelta(days=20))),
            event(event_id="out", direction="exit", timestamp=at_day(today - dt.timedelta(days=5))),
        ],
    )
    person = TravelDocument.objects.get(number="U12345678").person
    client.force_login(world.hannah)
    page = client.get(f"/en/office/people/{person.pk}/?purpose=supervision").content.decode()
    answer = in_country(page)
    assert 'data-presence="not_in_country"' in answer
    assert answer.endswith('data-presence="not_in_country">no')


@pytest.mark.parametrize(
    ("lang", "since"),
    [("/en", "yes (since {})"), ("", "bəli ({} tarixindən)"), ("/ru", "да (с {})")],
)
def test_a_person_inside_is_in_the_country_since_the_entry(
    world: World, client: Client, lang: str, since: str
) -> None:
    key = border_key()
    entry = clock.today() - dt.timedelta(days=3)
    send(client, key, [event(timestamp=at_day(entry))])
    person = TravelDocument.objects.get(number="U12345678").person
    client.force_login(world.hannah)
    page = client.get(f"{lang}/office/people/{person.pk}/?purpose=supervision").content.decode()
    answer = in_country(page)
    assert 'data-presence="in_country"' in answer
    assert answer.endswith(since.format(entry.strftime("%d.%m.%Y")))


def test_a_current_registration_is_shown_beside_an_exit(world: World, client: Client) -> None:
    case = register(world)  # Hüseynov Rəşad, U12345678 (TUR), until 20 days from now
    key = border_key()
    today = clock.today()
    same = {"surname": "Hüseynov", "given_names": "Rəşad", "birth_date": "1985-03-14"}
    send(
        client,
        key,
        [
            event(event_id="in", timestamp=at_day(today - dt.timedelta(days=3)), **same),
            event(
                event_id="out",
                direction="exit",
                timestamp=at_day(today - dt.timedelta(days=1)),
                **same,
            ),
        ],
    )
    until = (today + dt.timedelta(days=20)).strftime("%d.%m.%Y")
    client.force_login(world.alice)
    page = client.get(
        f"/en/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
    ).content.decode()
    assert in_country(page) == (
        f' data-presence="not_in_country">no; registered at the place of stay until {until}'
    )
