"""Crossings in, as the border service sends them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.models import Crossing, OverstayFinding, Presence
from umis.border.overstays import overstays_detect
from umis.border.selectors import person_stay_compute
from umis.border.services import presence_rebuild
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.errors import Conflict
from umis.core.testing import World, name_letters
from umis.people.models import Person, PersonMerge, TravelDocument
from umis.people.services import person_merge, person_unmerge

pytestmark = pytest.mark.django_db


def test_it_stores_a_batch_and_links_each_event_to_a_person(world: World, client: Client) -> None:
    key = border_key()
    today = clock.today()
    events = [
        event(timestamp=at_day(today - dt.timedelta(days=10)), direction="entry"),
        event(timestamp=at_day(today - dt.timedelta(days=5)), direction="exit"),
        event(document_number="C01X00T47", issuing_state="DEU", nationality="DE", surname="Müller"),
    ]
    response = send(client, key, events)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stored"], body["duplicates"], body["refused"]) == (3, 0, 0)
    assert body["items"] == []
    assert Crossing.objects.count() == 3
    assert Person.objects.count() == 2
    turk = TravelDocument.objects.get(number="U12345678").person
    assert Crossing.objects.filter(person_id=turk.pk).count() == 2
    presence = Presence.objects.get(person_id=turk.pk)
    assert (presence.last_direction, presence.entry_day) == ("exit", today - dt.timedelta(days=10))
    assert AuditEvent.objects.filter(action="BORDER_CROSSINGS_RECEIVED").count() == 1


def test_a_known_document_links_to_the_same_person(world: World, client: Client) -> None:
    key = border_key()
    send(client, key, [event()])
    send(client, key, [event(direction="exit", timestamp=clock.now().isoformat())])
    assert Person.objects.count() == 1
    assert Crossing.objects.values("person_id").distinct().count() == 1


def test_a_merged_persons_document_links_to_the_survivor(world: World, client: Client) -> None:
    key = border_key()
    send(client, key, [event(event_id="first")])
    send(
        client,
        key,
        [
            event(
                event_id="second",
                document_number="U87654321",
                surname="Yılmaz",
                given_names="Ahmet",
                birth_date="1975-03-03",
            )
        ],
    )
    old = TravelDocument.objects.get(number="U12345678").person
    survivor = TravelDocument.objects.get(number="U87654321").person
    assert old.pk != survivor.pk
    person_merge(actor=world.hannah, survivor_id=survivor.pk, merged_id=old.pk, reason="same")
    exit_at = clock.now().isoformat()
    body = send(client, key, [event(event_id="third", direction="exit", timestamp=exit_at)]).json()
    assert body["stored"] == 1
    assert Crossing.objects.get(event_id="third").person_id == survivor.pk
    assert Presence.objects.get(person_id=survivor.pk).last_direction == "exit"


def _presence(person: Person) -> tuple[str, dt.date | None, dt.date | None] | None:
    p = Presence.objects.filter(person_id=person.pk).first()
    return (p.last_direction, p.last_day, p.entry_day) if p else None


def test_a_merge_moves_the_crossings_presence_and_findings_and_an_unmerge_puts_them_back(
    world: World, client: Client
) -> None:
    key = border_key()
    today = clock.today()
    ten_days_ago, long_ago, left = (today - dt.timedelta(days=d) for d in (10, 400, 390))
    # the merged record entered ten days ago under an old passport; the survivor came and
    # went long ago
    send(client, key, [event(event_id="e1", timestamp=at_day(ten_days_ago))])
    other = {
        "document_number": "U87654321",
        "surname": "Yılmaz",
        "given_names": "Ahmet",
        "birth_date": "1975-03-03",
    }
    send(
        client,
        key,
        [
            event(event_id="e2", timestamp=at_day(long_ago), **other),
            event(event_id="e3", direction="exit", timestamp=at_day(left), **other),
        ],
    )
    merged = TravelDocument.objects.get(number="U12345678").person
    survivor = TravelDocument.objects.get(number="U87654321").person
    overstays_detect(on=today + dt.timedelta(days=100))  # a finding on the merged record
    finding = OverstayFinding.objects.get(kind="overstay")
    assert finding.person_id == merged.pk
    findings = sorted(OverstayFinding.objects.values_list("pk", flat=True))
    before = {
        merged.pk: sorted(
            Crossing.objects.filter(person_id=merged.pk).values_list("pk", flat=True)
        ),
        survivor.pk: sorted(
            Crossing.objects.filter(person_id=survivor.pk).values_list("pk", flat=True)
        ),
    }
    assert _presence(merged) == ("entry", ten_days_ago, ten_days_ago)
    assert _presence(survivor) == ("exit", left, long_ago)

    person_merge(actor=world.hannah, survivor_id=survivor.pk, merged_id=merged.pk, reason="same")

    assert Crossing.objects.filter(person_id=merged.pk).count() == 0
    assert Crossing.objects.filter(person_id=survivor.pk).count() == 3
    assert _presence(merged) is None  # the overstay job no longer starts from the old record
    assert _presence(survivor) == ("entry", ten_days_ago, ten_days_ago)
    assert person_stay_compute(person=survivor, on=today).to_dict()["in_country"] is True
    finding.refresh_from_db()
    assert finding.person_id == survivor.pk
    merge = PersonMerge.objects.get()
    assert merge.moved["border.crossing.person"] == before[merged.pk]
    assert merge.moved["border.overstayfinding.person"] == findings
    assert "border.presence.person" not in merge.moved

    person_unmerge(actor=world.hannah, merge_id=merge.pk, expected_version=1, reason="two men")

    for person in (merged, survivor):
        pks = Crossing.objects.filter(person_id=person.pk).values_list("pk", flat=True)
        assert sorted(pks) == before[person.pk]
    assert _presence(merged) == ("entry", ten_days_ago, ten_days_ago)
    assert _presence(survivor) == ("exit", left, long_ago)
    assert person_stay_compute(person=survivor, on=today).to_dict()["in_country"] is False
    finding.refresh_from_db()
    assert finding.person_id == merged.pk


def test_a_merge_of_two_records_with_a_finding_for_the_same_stay_is_refused_unchanged(
    world: World, client: Client
) -> None:
    """Two records that each overstay from the same day, each with its finding: the merge
    says what stands in the way, and nothing moves."""
    key = border_key()
    entered = clock.today() - dt.timedelta(days=10)
    other = {
        "document_number": "U87654321",
        "event_id": "e2",
        "surname": "Yılmaz",
        "given_names": "Ahmet",
        "birth_date": "1975-03-03",
    }
    send(client, key, [event(event_id="e1", timestamp=at_day(entered))])
    send(client, key, [event(timestamp=at_day(entered), **other)])
    merged = TravelDocument.objects.get(number="U12345678").person
    survivor = TravelDocument.objects.get(number="U87654321").person
    assert merged.pk != survivor.pk
    overstays_detect(on=clock.today() + dt.timedelta(days=100))
    assert OverstayFinding.objects.filter(kind="overstay").count() == 2
    with pytest.raises(Conflict) as refused:
        person_merge(actor=world.hannah, survivor_id=survivor.pk, merged_id=merged.pk, reason="x")
    assert refused.value.code == "merge_conflict"
    assert Crossing.objects.filter(person_id=merged.pk).count() == 1
    assert not PersonMerge.objects.exists()
    merged.refresh_from_db()
    assert merged.merged_into_id is None


def test_a_resent_event_is_a_duplicate_and_stored_once(world: World, client: Client) -> None:
    key = border_key()
    e = event()
    first = send(client, key, [e]).json()
    again = send(client, key, [e, e]).json()
    assert first["stored"] == 1
    assert (again["stored"], again["duplicates"]) == (0, 2)
    assert {i["status"] for i in again["items"]} == {"duplicate"}
    assert Crossing.objects.count() == 1


def test_an_event_id_reused_for_another_time_is_refused(world: World, client: Client) -> None:
    key = border_key()
    e = event()
    send(client, key, [e])
    other = dict(e, timestamp=(clock.now() - dt.timedelta(hours=3)).isoformat())
    body = send(client, key, [other]).json()
    assert body["refused"] == 1
    assert body["items"][0]["errors"][0]["code"] == "event_id_reused"
    assert Crossing.objects.count() == 1


def test_bad_events_are_refused_one_by_one_and_the_rest_stored(
    world: World, client: Client
) -> None:
    key = border_key()
    future = (clock.now() + dt.timedelta(hours=2)).isoformat()
    events = [
        event(document_type="seaman_book"),
        event(timestamp=future),
        event(birth_date="1980-02-31"),
        event(timestamp="2026-13-01T10:00:00+04:00"),
        event(timestamp="2026-03-01T10:00:00"),
        event(crossing_point="nowhere"),
        event(direction="sideways"),
        event(nationality="QQQ"),
        event(),
        "not an object",
    ]
    response = send(client, key, events, **{"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["refused"]) == (1, 9)
    codes = {(i["index"], e["field"], e["code"]) for i in body["items"] for e in i["errors"]}
    assert (0, "document_type", "unknown_document_type") in codes
    assert (1, "timestamp", "timestamp_in_future") in codes
    assert (2, "birth_date", "invalid_date") in codes
    assert (3, "timestamp", "invalid_timestamp") in codes
    assert (4, "timestamp", "timestamp_without_zone") in codes
    assert (5, "crossing_point", "unknown_crossing_point") in codes
    assert (6, "direction", "invalid_choice") in codes
    assert (7, "nationality", "unknown_country") in codes
    assert (9, None, "invalid") in codes
    message = next(e["message"] for i in body["items"] if i["index"] == 0 for e in i["errors"])
    assert "seaman_book" in message
    assert Crossing.objects.count() == 1


def test_a_stateless_traveller_crosses_but_a_status_never_issues_the_document(
    world: World, client: Client
) -> None:
    """XXA is the nationality of a stateless person; the travel document is issued by a
    state (here Germany, under the 1954 Convention), never by XXA."""
    key = border_key()
    stateless = {
        "document_type": "travel_document",
        "document_number": "T22000129",
        "surname": "Nasser",
        "given_names": "Omar",
        "nationality": "XXA",
    }
    events = [
        event(issuing_state="DEU", **stateless),
        event(issuing_state="XXA", **stateless),
    ]
    body = send(client, key, events, **{"Accept-Language": "en"}).json()
    assert (body["stored"], body["refused"]) == (1, 1)
    [refused] = body["items"]
    assert refused["index"] == 1
    assert [(e["field"], e["code"], e["message"]) for e in refused["errors"]] == [
        (
            "issuing_state",
            "not_an_issuing_state",
            "“XXA” is not a state: enter the state that issued the travel document.",
        )
    ]
    crossing = Crossing.objects.get()
    assert (crossing.nationality, crossing.issuing_state) == ("XA", "DE")
    document = TravelDocument.objects.select_related("person").get()
    assert (document.issuing_state_id, document.person.nationality_id) == ("DE", "XA")


def test_messages_follow_the_language(world: World, client: Client) -> None:
    key = border_key()
    body = send(client, key, [event(document_type="x")], **{"Accept-Language": "ru"}).json()
    message = body["items"][0]["errors"][0]["message"]
    assert "x" in message and message != body["items"][0]["errors"][0]["code"]


def test_a_batch_of_10001_is_refused_whole(world: World, client: Client) -> None:
    key = border_key()
    one = event()
    response = send(client, key, [dict(one, event_id=f"B{i}") for i in range(10_001)])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "batch_too_large"
    assert response.json()["error"]["field"] == "events"
    assert Crossing.objects.count() == 0


def test_refusals_of_entry_are_recorded_but_are_not_presence(world: World, client: Client) -> None:
    key = border_key()
    body = send(client, key, [event(direction="refused", refusal_reason="entry ban")]).json()
    assert body["stored"] == 1
    crossing = Crossing.objects.get()
    assert (crossing.direction, crossing.refusal_reason) == ("refused", "entry ban")
    assert not Presence.objects.exists()


def test_out_of_order_events_keep_the_latest_presence(world: World, client: Client) -> None:
    key = border_key()
    today = clock.today()
    send(client, key, [event(direction="exit", timestamp=at_day(today - dt.timedelta(days=2)))])
    send(client, key, [event(direction="entry", timestamp=at_day(today - dt.timedelta(days=9)))])
    presence = Presence.objects.get()
    assert presence.last_direction == "exit"
    assert presence.entry_day == today - dt.timedelta(days=9)


def _days_ago(today: dt.date, *days: int) -> list[dt.date]:
    return [today - dt.timedelta(days=d) for d in days]


@pytest.mark.parametrize("batches", [1, 2])
def test_a_second_entry_without_an_exit_keeps_the_first_entry_day(
    world: World, client: Client, batches: int
) -> None:
    """A missed exit: the person has been inside since the first entry, as the stay rules
    count it, whether the two entries come in one batch or in two."""
    key = border_key()
    today = clock.today()
    first, second = _days_ago(today, 120, 20)
    entries = [
        event(document_number="TWICE1", timestamp=at_day(first)),
        event(document_number="TWICE1", timestamp=at_day(second), crossing_point="samur"),
    ]
    for chunk in [entries] if batches == 1 else [[e] for e in entries]:
        assert send(client, key, chunk).status_code == 200
    person = TravelDocument.objects.get(number="TWICE1").person
    assert _presence(person) == ("entry", second, first)
    assert Presence.objects.get(person_id=person.pk).entry_point == "gyd"
    presence_rebuild([person.pk])  # after a merge: the same row from the stored crossings
    assert _presence(person) == ("entry", second, first)
    assert Presence.objects.get(person_id=person.pk).entry_point == "gyd"


def test_an_exit_then_an_entry_starts_a_new_stay(world: World, client: Client) -> None:
    key = border_key()
    today = clock.today()
    entered, left, back, left_again, back_again = _days_ago(today, 60, 50, 40, 30, 20)
    person_events = {"document_number": "TRIPS1"}
    send(client, key, [event(timestamp=at_day(entered), **person_events)])
    send(client, key, [event(direction="exit", timestamp=at_day(left), **person_events)])
    send(client, key, [event(timestamp=at_day(back), crossing_point="samur", **person_events)])
    person = TravelDocument.objects.get(number="TRIPS1").person
    assert _presence(person) == ("entry", back, back)
    assert Presence.objects.get(person_id=person.pk).entry_point == "samur"
    # the exit and the next entry in one batch
    send(
        client,
        key,
        [
            event(direction="exit", timestamp=at_day(left_again), **person_events),
            event(timestamp=at_day(back_again), **person_events),
        ],
    )
    assert _presence(person) == ("entry", back_again, back_again)
    assert Presence.objects.get(person_id=person.pk).entry_point == "gyd"
    presence_rebuild([person.pk])
    assert _presence(person) == ("entry", back_again, back_again)


def test_it_needs_the_border_scope(world: World, client: Client) -> None:
    response = send(client, world.hotel_key, [event()])
    assert response.status_code == 403
    assert send(client, "wrong", [event()]).status_code == 401
    assert Crossing.objects.count() == 0


def test_idempotency_key_replays_the_answer(world: World, client: Client) -> None:
    key = border_key()
    e = event()
    first = send(client, key, [e], **{"Idempotency-Key": "k1"}).json()
    second = send(client, key, [e], **{"Idempotency-Key": "k1"}).json()
    assert first["stored"] == 1 and second["stored"] == 1 and second["replayed"] is True
    assert Crossing.objects.count() == 1


def test_the_day_of_a_crossing_is_the_day_in_baku(world: World, client: Client) -> None:
    key = border_key()
    send(
        client,
        key,
        [
            event(timestamp="2026-03-10T21:30:00Z"),  # 01:30 on 11 March in Baku
            event(direction="exit", timestamp="2026-03-11T19:59:00+00:00"),  # 23:59 in Baku
        ],
    )
    days = sorted(Crossing.objects.values_list("direction", "day"))
    assert days == [("entry", dt.date(2026, 3, 11)), ("exit", dt.date(2026, 3, 11))]


@pytest.mark.django_db(transaction=True)
def test_two_batches_with_the_same_first_time_traveller_at_once_make_one_person(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two batches sent at the same moment both carry a traveller never seen before: the
    second to store the passport runs again and links to the person the first created,
    instead of failing the whole batch."""
    from django.db import connection

    from umis.border import services
    from umis.core.testing import at_the_same_moment, in_threads, make_world

    if connection.vendor != "postgresql":
        pytest.skip("two connections racing: run on PostgreSQL (as CI does)")
    make_world()
    key = border_key()
    monkeypatch.setattr(services, "_documents", at_the_same_moment(services._documents))
    today = clock.today()
    # the shared traveller, and enough others in each batch that the new passports are
    # stored with COPY (psycopg's own errors), not INSERT
    others = [
        event(document_number=f"C01X{n:05d}", issuing_state="DEU", nationality="DE", surname="Kurz")
        for n in range(18)
    ]
    first = [event(timestamp=at_day(today - dt.timedelta(days=3)), direction="entry"), *others[:9]]
    second = [event(timestamp=at_day(today - dt.timedelta(days=1)), direction="exit"), *others[9:]]
    answers = in_threads(
        lambda: send(Client(), key, first, **{"Idempotency-Key": "batch-1"}),
        lambda: send(Client(), key, second, **{"Idempotency-Key": "batch-2"}),
    )
    assert [a.status_code for a in answers] == [200, 200], [a.content[:300] for a in answers]
    assert [a.json()["stored"] for a in answers] == [10, 10]
    traveller = TravelDocument.objects.get(number="U12345678").person
    assert Person.objects.count() == 19
    assert Crossing.objects.filter(person_id=traveller.pk).count() == 2
    assert Presence.objects.get(person_id=traveller.pk).last_direction == "exit"


@pytest.mark.django_db(transaction=True)
def test_batches_of_the_same_people_in_opposite_orders_at_once_are_both_stored() -> None:
    """Two border posts send batches of the same travellers at the same moment, one in the
    opposite order of the other. Each batch updates its people's presence; locking them in
    different orders deadlocked, and one whole batch was answered 500."""
    from django.db import connection

    from umis.core.testing import in_threads, make_world

    if connection.vendor != "postgresql":
        pytest.skip("two connections racing: run on PostgreSQL (as CI does)")
    make_world()
    key = border_key()
    people = [
        {
            "document_number": f"T{n:08d}",
            "surname": "Yılmaz",
            "given_names": f"Ali {name_letters(n)}",
        }
        for n in range(1500)
    ]
    setup = send(Client(), key, [event(**p) for p in people])
    assert setup.json()["stored"] == 1500
    for round_ in range(3):
        when = clock.now() - dt.timedelta(minutes=30 - round_)
        exits = [event(direction="exit", timestamp=when.isoformat(), **p) for p in people]
        entries = [
            event(timestamp=(when + dt.timedelta(seconds=5)).isoformat(), **p)
            for p in reversed(people)
        ]
        answers = in_threads(
            lambda e=exits: send(Client(), key, e), lambda e=entries: send(Client(), key, e)
        )
        assert [a.status_code for a in answers] == [200, 200], [a.content[:200] for a in answers]
        assert [a.json()["stored"] for a in answers] == [1500, 1500]
    assert set(Presence.objects.values_list("last_direction", flat=True)) == {"entry"}


NUMBER_RU = "Номер документа состоит только из букв A–Z и цифр 0–9."
COUNTRY_RU = "Неизвестный код страны «{code}»."


def test_a_refused_batch_takes_as_many_queries_whatever_its_size(
    world: World, client: Client
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = border_key()
    counts = []
    for size in (1, 1, 60):  # the key's first use reads and writes more than each other
        events = [
            event(document_number=f"№ {i}/1", **({"nationality": f"Q{i}"} if i % 2 else {}))
            for i in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            response = send(client, key, events, **{"Accept-Language": "ru"})
        assert response.json()["refused"] == size
        # each message in the reader's language, naming its own event's value
        for item in response.json()["items"]:
            said = {e["field"]: e["message"] for e in item["errors"]}
            assert said["document_number"] == NUMBER_RU
            if item["index"] % 2:
                assert said["nationality"] == COUNTRY_RU.format(code=f"Q{item['index']}")
        counts.append(len(queries))
    assert counts[2] == counts[1]
    assert not Crossing.objects.exists()
