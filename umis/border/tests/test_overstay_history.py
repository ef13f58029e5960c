"""The overstay job counts the earlier stays of the window, not only the current one, and
gives the same findings whether it runs inside a caller's transaction or on its own (on
PostgreSQL the crossing history is then read on a second connection, alongside)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.testing import World, audit_triggers_dropped_for_flush, audit_triggers_restore
from umis.people.models import TravelDocument


def person_of(number: str) -> int:
    return TravelDocument.objects.get(number=number).person_id


def trips(client: Client, today: dt.date) -> None:
    """Under 90 days in 180 (Turkish citizens), each current stay shorter than 90 days:
    HIST1 spent 60 days here earlier in the window and is back for 36 days (96: over since
    6 days); HIST2 the same 60 days and back for 25 (85: legal); SHORT1 only 40 days now."""

    def day(n: int) -> str:
        return at_day(today - dt.timedelta(days=n))

    send(
        client,
        border_key(),
        [
            event(document_number="HIST1", timestamp=day(150)),
            event(document_number="HIST1", direction="exit", timestamp=day(91)),
            event(document_number="HIST1", timestamp=day(35)),
            event(document_number="HIST2", timestamp=day(150)),
            event(document_number="HIST2", direction="exit", timestamp=day(91)),
            event(document_number="HIST2", timestamp=day(24)),
            event(document_number="SHORT1", timestamp=day(39)),
        ],
    )


def check_findings(today: dt.date) -> None:
    overstays = {
        f.person_id: f for f in OverstayFinding.objects.filter(kind="overstay").order_by("id")
    }
    assert set(overstays) == {person_of("HIST1")}
    finding = overstays[person_of("HIST1")]
    assert finding.days_over == 6
    assert finding.last_legal_day == today - dt.timedelta(days=6)
    assert finding.entry_day == today - dt.timedelta(days=35)
    opened = AuditEvent.objects.filter(action="OVERSTAY_FINDING_OPENED", entity_id=str(finding.pk))
    assert [a.person_id for a in opened] == [person_of("HIST1")]


@pytest.mark.django_db
def test_earlier_stays_of_the_window_count_towards_the_limit(world: World, client: Client) -> None:
    today = clock.today()
    trips(client, today)
    summary = overstays_detect(on=today)
    assert summary["overstays"] == 1
    check_findings(today)


@pytest.fixture
def _audit_triggers(world: World) -> Iterator[None]:
    audit_triggers_restore()
    yield
    audit_triggers_dropped_for_flush()  # SQLite's flush after a transactional test deletes


@pytest.mark.django_db(transaction=True)
def test_the_job_outside_a_transaction_finds_the_same(
    world: World, client: Client, _audit_triggers: None
) -> None:
    today = clock.today()
    trips(client, today)
    summary = overstays_detect(on=today)
    assert summary["overstays"] == 1
    check_findings(today)
    # and a rerun opens nothing new
    assert overstays_detect(on=today)["opened"] == 0
    assert OverstayFinding.objects.filter(kind="overstay").count() == 1
