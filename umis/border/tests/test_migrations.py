"""Data migrations of the border app run on rows as they were before them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from umis.audit.models import AuditEvent
from umis.audit.services import audit_record
from umis.border.models import OverstayFinding
from umis.core import clock
from umis.core.testing import World, audit_triggers_dropped_for_flush, audit_triggers_restore, guest
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_DECISIONS = ("border", "0003_lean_event_index_and_creator")


@pytest.fixture
def _audit_triggers(world: World) -> Iterator[None]:
    audit_triggers_restore()
    yield
    audit_triggers_dropped_for_flush()  # SQLite's flush after a transactional test deletes


def _migrate(target: list[tuple[str, str]]) -> Any:
    """The database migrated to `target` (forwards or back); the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_decided_findings_get_who_when_and_why_from_their_audit_rows(
    world: World, _audit_triggers: None
) -> None:
    result = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])[0]
    assert result.registration is not None, result.errors
    person = result.registration.person
    old = _migrate([BEFORE_DECISIONS])
    Finding = old.get_model("border", "OverstayFinding")
    today = clock.today()

    def finding(state: str, days: int) -> Any:
        return Finding.objects.create(
            person_id=person.pk,
            kind="overstay",
            entry_day=today - dt.timedelta(days=days),
            office_id=world.alice.office_id,
            proposal="fine",
            state=state,
            nationality="TR",
            first_detected_on=today,
            last_detected_on=today,
        )

    taken, dismissed, unaudited, still_open = (
        finding("taken", 100),
        finding("dismissed", 110),
        finding("dismissed", 120),
        finding("open", 130),
    )
    # the audit rows as the decisions wrote them then: the case taken up, the reasons
    for f, action, data in (
        (taken, "OVERSTAY_FINDING_TAKEN", {"case": "FN-2026-000001", "reason": ""}),
        (dismissed, "OVERSTAY_FINDING_DISMISSED", {"case": "", "reason": "Left on time."}),
    ):
        audit_record(
            actor=world.alice,
            action=action,
            entity_type="border.overstayfinding",
            entity_id=str(f.pk),
            person_id=person.pk,
            data=data,
        )
    _migrate(_latest())

    rows = {f.pk: f for f in OverstayFinding.objects.all()}
    decided = rows[taken.pk], rows[dismissed.pk]
    assert [(f.state, f.decided_by_id, f.decision_note, f.version) for f in decided] == [
        ("taken", world.alice.pk, "FN-2026-000001", 2),
        ("dismissed", world.alice.pk, "Left on time.", 2),
    ]
    decided_at = dict(
        AuditEvent.objects.filter(action__startswith="OVERSTAY_FINDING_").values_list(
            "entity_id", "at"
        )
    )
    assert [f.decided_at for f in decided] == [decided_at[str(f.pk)] for f in decided]
    # a dismissal with no audit row: when the row last changed, by nobody known, no reasons
    nobody = rows[unaudited.pk]
    assert (nobody.decided_at, nobody.decided_by_id, nobody.decision_note, nobody.version) == (
        unaudited.updated_at,
        None,
        "—",
        2,
    )
    opened = rows[still_open.pk]
    assert (opened.decided_at, opened.decided_by_id, opened.decision_note, opened.version) == (
        None,
        None,
        "",
        1,
    )
