"""Two officers act on the same overstay finding at the same moment: one of them acts, the
other is told the finding was dealt with, and nothing is recorded twice.

Two connections racing need PostgreSQL (SQLite runs one writer at a time, and CI runs
these on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border import selectors
from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.tests.test_overstays import person_of, setup_people
from umis.core import clock
from umis.core.testing import World, at_the_same_moment, in_threads

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing: run on PostgreSQL (as CI does)")


def test_two_officers_acting_at_once_act_once(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    finding = OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay")
    # both read the finding open, as their pages showed it, before either acts
    monkeypatch.setattr(
        selectors, "finding_get_for_user", at_the_same_moment(selectors.finding_get_for_user)
    )

    def act(user: Any, action: str, field: str) -> int:
        officer = Client()
        officer.force_login(user)
        response = officer.post(
            f"/en/office/overstays/{finding.pk}/{action}/", {"version": "1", field: "Seen."}
        )
        return response.status_code

    codes = in_threads(
        lambda: act(world.alice, "take", "note"), lambda: act(world.hannah, "dismiss", "reason")
    )
    assert sorted(codes) == [302, 409]
    finding.refresh_from_db()
    assert finding.version == 2
    decided = AuditEvent.objects.filter(
        action__in=["OVERSTAY_FINDING_TAKEN", "OVERSTAY_FINDING_DISMISSED"]
    )
    assert [(e.action, e.actor_id) for e in decided] == [
        (
            "OVERSTAY_FINDING_TAKEN" if finding.state == "taken" else "OVERSTAY_FINDING_DISMISSED",
            finding.decided_by_id,
        )
    ]
    assert AuditEvent.objects.filter(action="OVERSTAY_FINDING_DECISION_REFUSED").count() == 1
