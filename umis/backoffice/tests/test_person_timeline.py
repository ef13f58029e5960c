"""The person's time line tells an annulled registration from one in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.core import clock
from umis.core.testing import World, annul
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registration_end
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def timeline_item(page: str, text: str) -> str:
    timeline = page.split('id="timeline">', 1)[1].split("</ol>", 1)[0]
    items = [i for i in timeline.split("<li")[1:] if text in i]
    assert len(items) == 1, text
    return items[0]


@pytest.mark.parametrize(
    ("lang", "annulled", "registered"),
    [
        ("/en", "registration at the place of stay, annulled", "registered at the place of stay"),
        (
            "",
            "olduğu yer üzrə qeydiyyat, ləğv edilib",
            "olduğu yer üzrə qeydiyyata alınıb",
        ),
        (
            "/ru",
            "регистрация по месту пребывания, аннулирована",
            "зарегистрирован по месту пребывания",
        ),
    ],
)
def test_an_annulled_registration_is_marked_annulled(
    world: World, client: Client, lang: str, annulled: str, registered: str
) -> None:
    kept = register(
        world,
        arrival_date=(clock.today() - dt.timedelta(days=60)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=40)).isoformat(),
    )
    annulled_case = register(world)
    client.force_login(world.alice)
    annul(client, annulled_case)
    page = client.get(
        f"{lang}/office/people/{kept.applicant_id}/?purpose=case&ref={kept.reference}"
    ).content.decode()
    item = timeline_item(page, annulled_case.reference)
    assert 'data-kind="registration"' in item and 'data-annulled="true"' in item
    assert annulled in item and registered not in item
    assert registered not in timeline_item(page, kept.reference)  # its departure has passed


def test_another_offices_annulled_registration_is_marked_annulled(
    world: World, client: Client
) -> None:
    baku = register(world)  # Baku: the person is in Alice's scope
    shaki = register(
        world,
        region="shaki",
        street="Shaki street 9",
        arrival_date=(clock.today() - dt.timedelta(days=60)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=40)).isoformat(),
    )
    client.force_login(world.bob)
    annul(client, shaki)
    client.force_login(world.alice)
    page = client.get(
        f"/en/office/people/{shaki.applicant_id}/?purpose=case&ref={baku.reference}"
    ).content.decode()
    item = timeline_item(page, "Shaki city")
    assert (
        "registration at the place of stay in another office's region, annulled · Shaki city"
        in item
    )


@pytest.mark.parametrize(
    ("lang", "current", "expired", "ended"),
    [
        (
            "/en",
            "registered at the place of stay",
            "registration at the place of stay, expired",
            "registration at the place of stay, ended",
        ),
        (
            "",
            "olduğu yer üzrə qeydiyyata alınıb",
            "olduğu yer üzrə qeydiyyat, müddəti bitib",
            "olduğu yer üzrə qeydiyyat, başa çatıb",
        ),
        (
            "/ru",
            "зарегистрирован по месту пребывания",
            "регистрация по месту пребывания, срок истёк",
            "регистрация по месту пребывания, завершена",
        ),
    ],
)
def test_only_a_registration_in_force_is_shown_as_current(
    world: World, client: Client, lang: str, current: str, expired: str, ended: str
) -> None:
    today = clock.today()
    past = register(
        world,
        on=today - dt.timedelta(days=120),
        arrival_date=(today - dt.timedelta(days=120)).isoformat(),
        planned_departure=(today - dt.timedelta(days=100)).isoformat(),
    )
    left = register(
        world,
        on=today - dt.timedelta(days=60),
        arrival_date=(today - dt.timedelta(days=60)).isoformat(),
        planned_departure=(today - dt.timedelta(days=2)).isoformat(),
    )
    stay_registration_end(
        actor=world.harry,
        registration=StayRegistration.objects.get(case=left),
        left_on=today - dt.timedelta(days=50),
    )
    now = register(world)
    client.force_login(world.alice)
    page = client.get(
        f"{lang}/office/people/{now.applicant_id}/?purpose=case&ref={now.reference}"
    ).content.decode()
    item = timeline_item(page, past.reference)
    assert 'data-standing="expired"' in item and expired in item and current not in item
    item = timeline_item(page, left.reference)
    assert 'data-standing="ended"' in item and ended in item and current not in item
    item = timeline_item(page, now.reference)
    assert 'data-standing="current"' in item and current in item


def test_another_offices_past_registration_is_not_shown_current(
    world: World, client: Client
) -> None:
    register(
        world,
        on=clock.today() - dt.timedelta(days=60),
        region="shaki",
        street="Shaki street 9",
        arrival_date=(clock.today() - dt.timedelta(days=60)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=40)).isoformat(),
    )
    baku = register(world)  # Baku: the person is in Alice's scope
    client.force_login(world.alice)
    page = client.get(
        f"/en/office/people/{StayRegistration.objects.get(region__code='shaki').person_id}/",
        {"purpose": "case", "ref": baku.reference},
    ).content.decode()
    item = timeline_item(page, "Shaki city")
    assert 'data-standing="expired"' in item
    assert (
        "registration at the place of stay in another office's region, expired · Shaki city" in item
    )


def test_the_persons_cases_name_their_office_in_the_readers_language(
    world: World, client: Client
) -> None:
    case = register(world)
    client.force_login(world.alice)
    page = client.get(
        f"/ru/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
    ).content.decode()
    cases = page.split(f">{case.reference}</a>", 2)[-1].split("</li>", 1)[0]
    assert "· Бакинское региональное миграционное управление" in cases
    assert "· baku" not in cases


def test_a_registration_s_address_reads_in_the_reader_s_language(
    world: World, client: Client
) -> None:
    case = register(world, region="absheron", city="sumqayit")
    client.force_login(world.alice)
    page = client.get(
        f"/ru/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
    ).content.decode()
    item = timeline_item(page, case.reference)
    assert "Nizami küçəsi 10, город Сумгаит, Апшеронский район</li>" in item
    assert "sumqayit" not in item
