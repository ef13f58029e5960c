"""Set-based inserts store what bulk_create would, on SQLite and on PostgreSQL (COPY)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from umis.cases.models import Case, CaseEvent
from umis.cases.services import reference_sequences_prepare, references_allocate
from umis.core import clock
from umis.core.bulk import bulk_insert, bulk_update_fields
from umis.core.testing import World, passports_of
from umis.people.models import Person, TravelDocument
from umis.reference.models import Office, Region
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


def test_rows_get_their_ids_and_related_rows_point_at_them(world: World) -> None:
    people = [
        Person(
            surname=f"Məmmədova-{i}",
            given_names="Gülşən",
            birth_date=dt.date(1990, 1, 1 + i),
            sex="F",
            nationality_id="AZ",
            search_name="mammadova gulsen",
        )
        for i in range(5)
    ]
    bulk_insert(people)
    passports_of(people)  # bulk_insert again: the documents point at the new ids

    assert len({p.pk for p in people}) == 5
    stored = {d.number: d.person.surname for d in TravelDocument.objects.select_related("person")}
    assert stored == {f"C0{i}": f"Məmmədova-{i}" for i in range(5)}
    assert all(p.created_at is not None for p in Person.objects.all())
    # an instance saved that way can be updated like any other
    people[0].given_names = "Aynur"
    people[0].save(update_fields=["given_names"])
    assert Person.objects.get(pk=people[0].pk).given_names == "Aynur"


def test_json_and_choices_round_trip(world: World) -> None:
    now = clock.now()
    cases = [
        Case(
            reference=f"T-2026-{i:06d}",
            service_code="stay_registration",
            office=Office.objects.get(code="baku"),
            state="registered",
            due_at=now,
            created_at=now,
            updated_at=now,
        )
        for i in range(4)
    ]
    bulk_insert(cases)
    bulk_insert(
        [
            CaseEvent(
                case=c,
                at=now,
                kind=CaseEvent.Kind.SUBMITTED,
                action="CASE_SUBMITTED",
                data={"host": "Otel «Şirvan»", "late": False, "n": [1, 2]},
            )
            for c in cases
        ]
    )
    event = CaseEvent.objects.get(case=cases[2])
    assert event.kind == "submitted"
    assert event.data == {"host": "Otel «Şirvan»", "late": False, "n": [1, 2]}
    assert event.at == now


def test_each_row_gets_its_own_values_and_the_others_are_left_alone(world: World) -> None:
    now = clock.now()
    cases = [
        Case(
            reference=f"U-2026-{i:06d}",
            service_code="stay_registration",
            office=Office.objects.get(code="baku"),
            state="registered",
            due_at=now,
            created_at=now,
            updated_at=now,
        )
        for i in range(4)
    ]
    bulk_insert(cases)
    later = now + dt.timedelta(hours=1)
    for i, case in enumerate(cases[:3]):
        case.state, case.is_open, case.updated_at = f"s{i}", i % 2 == 0, later
        case.reference = "not written"
    bulk_update_fields(cases[:3], ["state", "is_open", "updated_at"])
    stored = Case.objects.order_by("pk").values_list("reference", "state", "is_open", "updated_at")
    assert list(stored) == [
        ("U-2026-000000", "s0", True, later),
        ("U-2026-000001", "s1", False, later),
        ("U-2026-000002", "s2", True, later),
        ("U-2026-000003", "registered", True, now),
    ]


def test_a_one_to_one_row_points_at_the_row_saved_just_before(world: World) -> None:
    # a registration built with its case before the case is stored, as bulk_create allows
    now = clock.now()
    person = Person.objects.create(
        surname="Əliyeva",
        given_names="Nərgiz",
        birth_date=dt.date(1990, 1, 1),
        sex="F",
        nationality_id="TR",
        search_name="aliyeva nargiz",
    )
    document = passports_of([person])[0]
    region = Region.objects.get(code="baku")
    cases = [
        Case(
            reference=f"V-2026-{i:06d}",
            service_code="stay_registration",
            office_id=region.office_id,
            state="registered",
            due_at=now,
            created_at=now,
            updated_at=now,
        )
        for i in range(10)  # more than a few: the path that copies the rows in
    ]
    stays = [
        StayRegistration(
            case=case,
            host=world.hotel,
            person=person,
            travel_document=document,
            region=region,
            city="Bakı",
            street="Nizami 1",
            arrival_date=now.date(),
            planned_departure=now.date(),
        )
        for case in cases
    ]
    bulk_insert(cases)
    bulk_insert(stays)
    stored = StayRegistration.objects.order_by("pk").values_list("case__reference", flat=True)
    assert list(stored) == [f"V-2026-{i:06d}" for i in range(10)]


def _numbers(refs: list[str]) -> list[int]:
    return [int(r.rsplit("-", 1)[1]) for r in refs]


def test_references_increase_and_are_never_reused(world: World) -> None:
    first = references_allocate(prefix="SR", year=2026, count=3)
    second = references_allocate(prefix="SR", year=2026, count=2)
    other_year = references_allocate(prefix="SR", year=2027, count=1)
    assert all(r.startswith("SR-2026-") for r in first + second)
    assert _numbers(first) == sorted(set(_numbers(first)))
    assert max(_numbers(first)) < min(_numbers(second))
    assert other_year[0].startswith("SR-2027-")
    if connection.vendor != "postgresql":  # the counter row gives them without gaps
        assert first == ["SR-2026-000001", "SR-2026-000002", "SR-2026-000003"]
        assert second == ["SR-2026-000004", "SR-2026-000005"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_a_submission_waiting_to_commit_does_not_hold_up_another() -> None:
    """References come from a sequence: a long batch that has drawn its references but not
    committed yet does not make a concurrent submission wait for its commit."""
    other: list[str] = []
    references_allocate(prefix="TQ", year=2026, count=1)  # the year's sequence exists

    def submit() -> None:
        try:
            with transaction.atomic():
                other.extend(references_allocate(prefix="TQ", year=2026, count=2))
        finally:
            connections.close_all()

    with transaction.atomic():
        mine = references_allocate(prefix="TQ", year=2026, count=3)
        worker = threading.Thread(target=submit)
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive(), "the second submission waited for the first to commit"
    assert len(set(mine + other)) == 5
    assert min(_numbers(mine + other)) > 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences are PostgreSQL's")
def test_the_daily_job_creates_next_years_reference_sequences(world: World) -> None:
    made = reference_sequences_prepare(today=dt.date(2031, 6, 1))
    assert {"SR-2031", "SR-2032"} <= set(made)
    assert reference_sequences_prepare(today=dt.date(2031, 6, 1)) == []
    assert references_allocate(prefix="SR", year=2032, count=1) == ["SR-2032-000001"]
