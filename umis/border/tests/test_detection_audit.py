"""What a rerun of the daily check changes is in the audit log: one row per run naming
the findings it refreshed (from which each one's days over on that day follow) and any
whose last legal day or registration deadline moved; a finding whose outcome changes
(opened, opened again, another proposal) still has its own row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.models import OverstayFinding
from umis.border.overstays import id_ranges, overstays_detect
from umis.border.tests.test_overstays import person_of, setup_people
from umis.core import clock
from umis.core.testing import World
from umis.reference.models import VisaFreeRegime

pytestmark = pytest.mark.django_db


def _days_over_on(finding: OverstayFinding, on: dt.date) -> int:
    """A finding's days over on a day, from its stored dates (as an auditor works it out)."""
    if finding.kind == "missed_registration":
        assert finding.registration_due is not None
        return (on - finding.registration_due).days
    if finding.last_legal_day is None:
        return (on - finding.entry_day).days + 1
    return (on - finding.last_legal_day).days


def _written_by(run: dt.date) -> list[AuditEvent]:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    overstays_detect(on=run)
    return list(AuditEvent.objects.filter(id__gt=last).order_by("id"))


def test_a_rerun_records_the_findings_it_refreshed_in_one_row(world: World, client: Client) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    ids = sorted(OverstayFinding.objects.values_list("pk", flat=True))
    assert len(ids) >= 3

    tomorrow = today + dt.timedelta(days=1)
    [row] = _written_by(tomorrow)
    assert (row.action, row.entity_type, row.entity_id) == (
        "OVERSTAY_FINDINGS_REFRESHED",
        "border.detectionrun",
        tomorrow.isoformat(),
    )
    assert (row.actor_id, row.person_id) == (None, None)
    assert row.data == {
        "on": tomorrow.isoformat(),
        "refreshed": len(ids),
        "findings": id_ranges(ids),
        "dates_changed": [],
        "opened": 0,
        "reopened": 0,
        "proposal_changed": 0,
    }
    for finding in OverstayFinding.objects.all():
        assert finding.days_over == _days_over_on(finding, tomorrow)


def test_a_moved_last_legal_day_is_named_in_the_runs_row(world: World, client: Client) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    over1 = OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay")
    assert over1.last_legal_day == today - dt.timedelta(days=5)

    # the rule is corrected: 60 days, not 90, so OVER1's stay was unlawful a month earlier
    VisaFreeRegime.objects.filter(nationality_id="TR").update(days=60)
    tomorrow = today + dt.timedelta(days=1)
    rows = _written_by(tomorrow)
    [run] = [r for r in rows if r.action == "OVERSTAY_FINDINGS_REFRESHED"]
    moved = {d["finding"]: d for d in run.data["dates_changed"]}
    assert moved[over1.pk] == {
        "finding": over1.pk,
        "last_legal_day": [
            (today - dt.timedelta(days=5)).isoformat(),
            (today - dt.timedelta(days=35)).isoformat(),
        ],
        "registration_due": [None, None],
    }
    over1.refresh_from_db()
    assert over1.days_over == _days_over_on(over1, tomorrow) == 36


def test_a_run_that_opens_findings_records_them_one_by_one_and_the_run_once(
    world: World, client: Client
) -> None:
    today = clock.today()
    setup_people(client, today)
    rows = _written_by(today)
    opened = [r for r in rows if r.action == "OVERSTAY_FINDING_OPENED"]
    [run] = [r for r in rows if r.action == "OVERSTAY_FINDINGS_REFRESHED"]
    assert len(opened) == OverstayFinding.objects.count() == run.data["opened"]
    assert (run.data["refreshed"], run.data["findings"]) == (0, "")


def test_id_ranges() -> None:
    assert id_ranges([]) == ""
    assert id_ranges([7]) == "7"
    assert id_ranges([3, 4, 5, 9, 11, 12]) == "3-5,9,11-12"
