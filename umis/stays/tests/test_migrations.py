"""Data migrations of the place-of-stay app run on rows as they were before them."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from umis.core.testing import World, audit_triggers_dropped_for_flush, audit_triggers_restore, guest
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_NAMES = ("stays", "0006_a_foreigner_files_his_own_stay")
NAMES_ADDED = ("stays", "0007_a_registration_keeps_the_names_as_typed")
BACKFILL = importlib.import_module(
    "umis.stays.migrations.0008_registered_names_of_earlier_registrations"
)


@pytest.fixture
def _audit_triggers(world: World) -> Iterator[None]:
    audit_triggers_restore()
    yield
    audit_triggers_dropped_for_flush()  # SQLite's flush after a transactional test deletes


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_registrations_stored_before_get_the_names_of_their_person(
    world: World, _audit_triggers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    guests = [
        guest(),
        guest(
            surname="Quliyev",
            given_names="Elnur",
            patronymic="Vaqif oğlu",
            birth_date="1990-01-02",
            document_number="C7654321",
        ),
        guest(
            surname="Smith",
            given_names="Anna",
            patronymic="",
            birth_date="1970-05-06",
            document_number="X1234567",
        ),
    ]
    results = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=guests)
    regs = [r.registration for r in results]
    assert all(regs), [r.errors for r in results]
    old = _migrate([BEFORE_NAMES])
    assert old.get_model("stays", "StayRegistration").objects.count() == 3
    _migrate([NAMES_ADDED])
    # a row whose names are already there (a run stopped half-way) is left as it is
    StayRegistration.objects.filter(pk=regs[1].pk).update(
        surname="Гулиев", given_names="Эльнур", patronymic="Вагиф оглы"
    )
    monkeypatch.setattr(BACKFILL, "BATCH", 2)  # the three rows in two batches
    _migrate(_latest())

    stored = StayRegistration.objects.order_by("pk").values_list(
        "surname", "given_names", "patronymic"
    )
    assert list(stored) == [
        ("Hüseynov", "Rəşad", ""),
        ("Гулиев", "Эльнур", "Вагиф оглы"),
        ("Smith", "Anna", ""),
    ]


BEFORE_IDENTITY = ("stays", "0008_registered_names_of_earlier_registrations")
IDENTITY_ADDED = ("stays", "0009_a_registration_keeps_the_birth_and_nationality_as_typed")
IDENTITY_BACKFILL = importlib.import_module(
    "umis.stays.migrations.0010_birth_and_nationality_of_earlier_registrations"
)


def test_registrations_stored_before_get_the_birth_and_nationality_of_their_person(
    world: World, _audit_triggers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    guests = [
        guest(),
        guest(
            surname="Quliyev",
            given_names="Elnur",
            birth_date="1990-01-02",
            sex="M",
            nationality="RU",
            document_number="C7654321",
        ),
        guest(
            surname="Smith",
            given_names="Anna",
            birth_date="1970-05-06",
            sex="F",
            nationality="GB",
            document_number="X1234567",
        ),
    ]
    results = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=guests)
    regs = [r.registration for r in results]
    assert all(regs), [r.errors for r in results]
    old = _migrate([BEFORE_IDENTITY])
    assert old.get_model("stays", "StayRegistration").objects.count() == 3
    _migrate([IDENTITY_ADDED])
    assert list(StayRegistration.objects.values_list("birth_date", flat=True)) == [None] * 3
    # a row whose date is already there (a run stopped half-way) is left as it is
    StayRegistration.objects.filter(pk=regs[1].pk).update(
        birth_date=dt.date(1990, 2, 1), sex="M", nationality_id="AM"
    )
    monkeypatch.setattr(IDENTITY_BACKFILL, "BATCH", 2)  # the three rows in two batches
    _migrate(_latest())

    stored = StayRegistration.objects.order_by("pk").values_list(
        "birth_date", "sex", "nationality_id"
    )
    assert list(stored) == [
        (dt.date(1985, 3, 14), "M", "TR"),
        (dt.date(1990, 2, 1), "M", "AM"),
        (dt.date(1970, 5, 6), "F", "GB"),
    ]
