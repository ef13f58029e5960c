"""Screening on intake: a registration of a listed person is accepted and alerts the office."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.cases.models import Case, CaseEvent
from umis.core import clock
from umis.core.errors import Conflict, DomainError, NotFound
from umis.core.testing import World, guest
from umis.people.models import Person
from umis.people.services import person_merge, person_unmerge
from umis.screening.models import ScreeningHit, Watchlist, WatchlistEntry
from umis.screening.services import (
    entry_ban_from_expulsion,
    screening_hit_decide,
    watchlist_get_or_create,
    watchlist_import,
)

pytestmark = pytest.mark.django_db


def ban(**overrides: Any) -> dict[str, Any]:
    row = {
        "category": "entry_ban",
        "external_id": "EB-1",
        "full_name": "Гусейнов Рашад",  # the same person, written in Russian Cyrillic
        "birth_date": "1985-03-14",
        "nationality": "TR",
        "reason": "Expelled in 2024 for repeated violations",
        "source": "State Migration Service",
        "valid_from": "2024-01-01",
        "valid_until": (clock.today() + dt.timedelta(days=365)).isoformat(),
    }
    row.update(overrides)
    return row


def listed(world: World, **overrides: Any) -> WatchlistEntry:
    wl = watchlist_get_or_create(actor=world.hannah, code="entry-bans", name="Entry bans")
    result = watchlist_import(actor=world.hannah, watchlist=wl, raws=[ban(**overrides)])
    assert not result.errors, result.to_dict()
    return WatchlistEntry.objects.get(
        watchlist=wl, external_id=overrides.get("external_id", "EB-1")
    )


def register(client: Client, world: World, **overrides: Any) -> Any:
    response = client.post(
        "/api/v1/stay-registrations",
        data=json.dumps(guest(**overrides)),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(reference=response.json()["reference"])


def test_a_registration_of_a_banned_person_is_accepted_and_alerts_the_office(
    world: World, client: Client
) -> None:
    entry = listed(world)
    case = register(client, world)
    assert case.state == "registered"
    assert case.needs_attention
    hit = ScreeningHit.objects.get(case=case)
    assert hit.entry == entry
    assert hit.status == "open"
    assert hit.office.code == "baku"
    assert hit.score >= 85
    assert any("transliteration" in r for r in hit.reasons)
    assert "birth_date:same" in hit.reasons
    alert = CaseEvent.objects.get(case=case, action="SCREENING_HIT_RAISED")
    assert alert.kind == "alert"
    # the history line reads the same in every language: no category words stored in it
    assert alert.note == f"Гусейнов Рашад ({hit.score:g})"
    assert alert.data["category"] == "entry_ban"
    assert AuditEvent.objects.filter(action="SCREENING_HIT_RAISED", entity_id=str(hit.pk)).exists()


def test_a_different_person_with_a_similar_name_raises_nothing(
    world: World, client: Client
) -> None:
    listed(world, full_name="Həsənov Rəşad", birth_date="1983-07-01")
    case = register(client, world)
    assert not case.needs_attention
    assert not ScreeningHit.objects.exists()


def test_an_expired_or_withdrawn_entry_raises_nothing(world: World, client: Client) -> None:
    listed(world, valid_until=(clock.today() - dt.timedelta(days=1)).isoformat())
    case = register(client, world)
    assert not ScreeningHit.objects.filter(case=case).exists()


def test_a_dismissed_hit_stays_dismissed_until_the_entry_or_the_person_changes(
    world: World, client: Client
) -> None:
    listed(world)
    first = register(client, world)
    hit = ScreeningHit.objects.get(case=first)
    screening_hit_decide(
        actor=world.alice,
        hit_id=hit.pk,
        decision="dismiss",
        reason="Different father's name; passport photo differs",
        expected_version=hit.version,
    )
    hit.refresh_from_db()
    assert hit.status == "dismissed"
    assert CaseEvent.objects.filter(case=first, action="SCREENING_HIT_DISMISSED").exists()

    # The same guest registers again elsewhere: no new hit.
    second = register(
        client,
        world,
        arrival_date=(clock.today() - dt.timedelta(days=10)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=3)).isoformat(),
    )
    assert second.applicant_id == first.applicant_id
    assert not ScreeningHit.objects.filter(case=second).exists()

    # The entry changes (new alias): the pair is raised again.
    listed(world, aliases=["HUSEYNOV RASHAD"])
    third = register(
        client,
        world,
        arrival_date=(clock.today() - dt.timedelta(days=20)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=12)).isoformat(),
    )
    assert ScreeningHit.objects.filter(case=third, status="open").count() == 1


def test_a_changed_person_is_screened_again(world: World, client: Client) -> None:
    listed(world)
    first = register(client, world)
    hit = ScreeningHit.objects.get(case=first)
    screening_hit_decide(
        actor=world.alice, hit_id=hit.pk, decision="dismiss", reason="Not him", expected_version=1
    )
    Person.objects.filter(pk=first.applicant_id).update(patronymic="Əli oğlu")
    second = register(
        client,
        world,
        arrival_date=(clock.today() - dt.timedelta(days=10)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=3)).isoformat(),
    )
    assert ScreeningHit.objects.filter(case=second).count() == 1


def test_an_officer_of_another_region_cannot_decide_and_is_logged(
    world: World, client: Client
) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    with pytest.raises(NotFound):
        screening_hit_decide(
            actor=world.bob, hit_id=hit.pk, decision="confirm", reason="x", expected_version=1
        )
    hit.refresh_from_db()
    assert hit.status == "open"
    assert AuditEvent.objects.filter(
        action="SCREENING_HIT_ACCESS_DENIED", entity_id=str(hit.pk), actor=world.bob
    ).exists()


def test_a_decision_needs_a_reason_and_the_current_version(world: World, client: Client) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    with pytest.raises(DomainError) as exc:
        screening_hit_decide(
            actor=world.alice, hit_id=hit.pk, decision="confirm", reason=" ", expected_version=1
        )
    assert exc.value.code == "reason_required"
    with pytest.raises(Conflict):
        screening_hit_decide(
            actor=world.alice, hit_id=hit.pk, decision="confirm", reason="ok", expected_version=7
        )
    hit.refresh_from_db()
    assert hit.status == "open"
    screening_hit_decide(
        actor=world.alice,
        hit_id=hit.pk,
        decision="confirm",
        reason="Same person",
        expected_version=1,
    )
    hit.refresh_from_db()
    assert (hit.status, hit.decided_by, hit.version) == ("confirmed", world.alice, 2)


def test_an_expulsion_decision_creates_an_entry_ban(world: World, client: Client) -> None:
    case = register(client, world)
    person = Person.objects.get(pk=case.applicant_id)
    entry = entry_ban_from_expulsion(
        actor=world.hannah,
        person=person,
        case=case,
        valid_from=clock.today(),
        valid_until=clock.today() + dt.timedelta(days=5 * 365),
        legal_ground=None,
        reason="Expelled: Migration Code art. 79",
    )
    assert entry.category == "entry_ban"
    assert entry.person == person
    assert entry.document_number == "U12345678"
    assert entry.source_reference == case.reference
    assert Watchlist.objects.get(code="entry-bans") == entry.watchlist
    assert [e.action for e in entry.events.all()] == ["CREATED"]


def test_a_withdrawn_entry_stops_raising_hits_and_keeps_its_history(
    world: World, client: Client
) -> None:
    from umis.screening.services import watchlist_entry_withdraw

    entry = listed(world)
    with pytest.raises(Conflict):
        watchlist_entry_withdraw(actor=world.hannah, entry=entry, reason="x", expected_version=9)
    watchlist_entry_withdraw(
        actor=world.hannah, entry=entry, reason="Ban lifted by court", expected_version=1
    )
    case = register(client, world)
    assert not ScreeningHit.objects.filter(case=case).exists()
    entry.refresh_from_db()
    assert (entry.active, entry.version) == (False, 2)
    assert [(e.action, e.note) for e in entry.events.all()] == [
        ("CREATED", ""),
        ("WITHDRAWN", "Ban lifted by court"),
    ]
    assert AuditEvent.objects.filter(action="WATCHLIST_ENTRY_WITHDRAWN").count() == 1


def test_a_merge_moves_the_hits_and_entries_of_the_person_and_an_unmerge_puts_them_back(
    world: World, client: Client
) -> None:
    listed(world)
    case = register(client, world)
    hit = ScreeningHit.objects.get(case=case)
    person = Person.objects.get(pk=case.applicant_id)
    entry = entry_ban_from_expulsion(
        actor=world.hannah,
        person=person,
        case=case,
        valid_from=clock.today(),
        valid_until=clock.today() + dt.timedelta(days=365),
        legal_ground=None,
        reason="Expelled: Migration Code art. 79",
    )
    other = Person.objects.get(
        pk=register(
            client, world, surname="Həsənov", given_names="Elçin", document_number="C7654321"
        ).applicant_id
    )

    merge = person_merge(actor=world.hannah, survivor_id=other.pk, merged_id=person.pk, reason="x")

    hit.refresh_from_db()
    entry.refresh_from_db()
    assert (hit.person_id, entry.person_id) == (other.pk, other.pk)
    assert merge.moved["screening.screeninghit.person"] == [hit.pk]
    assert merge.moved["screening.watchlistentry.person"] == [entry.pk]

    person_unmerge(actor=world.hannah, merge_id=merge.pk, expected_version=1, reason="two men")

    hit.refresh_from_db()
    entry.refresh_from_db()
    assert (hit.person_id, entry.person_id) == (person.pk, person.pk)


def test_a_listed_name_with_q_written_as_a_russian_k_alerts_the_office(
    world: World, client: Client
) -> None:
    entry = listed(world, full_name="Курбанов Рафик")
    case = register(client, world, surname="Qurbanov", given_names="Rafiq")
    hit = ScreeningHit.objects.get(case=case)
    assert hit.entry == entry
    assert any("Qurbanov~Курбанов:transliteration" in r for r in hit.reasons)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "At most 2000 characters (this has 2001)."),
        ("ru", "Не более 2000 символов (здесь 2001)."),
    ],
)
def test_a_withdrawal_reason_too_long_is_refused_not_cut(
    world: World, language: str, message: str
) -> None:
    from django.utils import translation

    from umis.screening.services import watchlist_entry_withdraw

    entry = listed(world)
    with translation.override(language), pytest.raises(DomainError) as refused:
        watchlist_entry_withdraw(
            actor=world.hannah, entry=entry, reason="Lifted " + "x" * 1994, expected_version=1
        )
    assert (refused.value.code, refused.value.field, str(refused.value.message)) == (
        "too_long",
        "reason",
        message,
    )
    entry.refresh_from_db()
    assert (entry.active, entry.version) == (True, 1)
    assert [e.action for e in entry.events.all()] == ["CREATED"]
    assert not AuditEvent.objects.filter(action="WATCHLIST_ENTRY_WITHDRAWN").exists()


def test_a_withdrawal_reason_at_the_limit_is_kept_whole_in_the_history_and_the_audit(
    world: World,
) -> None:
    from umis.screening.services import watchlist_entry_withdraw

    entry = listed(world)
    reason = "Lifted " + "x" * 1993
    watchlist_entry_withdraw(actor=world.hannah, entry=entry, reason=reason, expected_version=1)
    assert entry.events.get(action="WITHDRAWN").note == reason
    audited = AuditEvent.objects.get(action="WATCHLIST_ENTRY_WITHDRAWN")
    assert audited.data == {"reason": reason}


def test_a_hit_decision_reason_at_the_limit_is_kept_whole_in_the_history_and_the_audit(
    world: World, client: Client
) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    reason = "Different father's name;\n" + "x" * 1975
    assert len(reason) == 2000
    screening_hit_decide(
        actor=world.alice, hit_id=hit.pk, decision="dismiss", reason=reason, expected_version=1
    )
    hit.refresh_from_db()
    assert hit.decision_reason == reason
    assert CaseEvent.objects.get(action="SCREENING_HIT_DISMISSED").note == reason
    audited = AuditEvent.objects.get(action="SCREENING_HIT_DISMISSED")
    assert audited.data == {"entry": hit.entry_id, "reason": reason}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The reasons are too long: at most 2000 characters, these have 2001."),
        (
            "ru",
            "Обоснование слишком длинное: допускается не более 2000 символов, "
            "а в этом тексте 2001.",
        ),
    ],
)
def test_a_hit_decision_reason_too_long_is_refused_not_cut(
    world: World, client: Client, language: str, message: str
) -> None:
    from django.utils import translation

    from umis.core.errors import ValidationFailed

    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    with translation.override(language), pytest.raises(ValidationFailed) as refused:
        screening_hit_decide(
            actor=world.alice,
            hit_id=hit.pk,
            decision="dismiss",
            reason="Not him " + "x" * 1993,
            expected_version=1,
        )
    assert [(e.code, e.field, str(e.message)) for e in refused.value.errors] == [
        ("reasons_too_long", "reason", message)
    ]
    hit.refresh_from_db()
    assert (hit.status, hit.version, hit.decision_reason) == ("open", 1, "")
    assert not AuditEvent.objects.filter(action="SCREENING_HIT_DISMISSED").exists()


def test_a_ban_on_the_names_typed_on_a_registration_alerts_the_office_of_a_person_on_file(
    world: World, client: Client
) -> None:
    # the guest is on file under his first given name; the host types both given names from
    # the passport already on file, and a ban is listed under the second one only
    first = register(client, world)
    person = Person.objects.get(pk=first.applicant_id)
    assert (person.surname, person.given_names) == ("Hüseynov", "Rəşad")
    entry = listed(world, full_name="Гусейнов Эльчин")
    assert not ScreeningHit.objects.exists()

    case = register(
        client,
        world,
        given_names="Rəşad Elçin",
        arrival_date=(clock.today() - dt.timedelta(days=20)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=12)).isoformat(),
    )
    assert case.applicant_id == person.pk
    hit = ScreeningHit.objects.get(case=case)
    assert (hit.entry, hit.person, hit.status) == (entry, person, "open")
    assert case.needs_attention
    assert CaseEvent.objects.filter(case=case, action="SCREENING_HIT_RAISED").count() == 1

    # dismissed, the pair is not raised again by the next registration typed the same way
    screening_hit_decide(
        actor=world.alice, hit_id=hit.pk, decision="dismiss", reason="Not him", expected_version=1
    )
    again = register(
        client,
        world,
        given_names="Rəşad Elçin",
        arrival_date=(clock.today() - dt.timedelta(days=40)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=30)).isoformat(),
    )
    assert again.applicant_id == person.pk
    assert not ScreeningHit.objects.filter(case=again).exists()
    assert ScreeningHit.objects.count() == 1
