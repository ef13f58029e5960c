"""A finding's page shows, in its history, the daily check's runs that moved its last legal
day or registration deadline, read from each run's one audit row (ADR 0019), in the
officer's language; a run that did not move that finding's dates is not in it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.selectors import finding_history
from umis.border.tests.test_finding_proposal import _history_on_page
from umis.border.tests.test_overstays import person_of, setup_people
from umis.core import clock
from umis.core.testing import World
from umis.reference.models import VisaFreeRegime

pytestmark = pytest.mark.django_db


def _moved(client: Client) -> tuple[OverstayFinding, dt.date]:
    """OVER1 overstays since 5 days; the next day's run, after the rule is corrected to 60
    days, moves his last legal day back by 30 days."""
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    VisaFreeRegime.objects.filter(nationality_id="TR").update(days=60)
    overstays_detect(on=today + dt.timedelta(days=1))
    overstays_detect(on=today + dt.timedelta(days=2))  # moves nothing
    return OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay"), today


def _day(today: dt.date, days: int) -> str:
    return f"{today + dt.timedelta(days=days):%d.%m.%Y}"


def test_a_run_that_moved_the_last_legal_day_is_in_the_findings_history(
    world: World, client: Client
) -> None:
    finding, today = _moved(client)
    client.force_login(world.alice)
    history = _history_on_page(client, finding)
    assert history == [
        "Found by the daily check</li>",
        'Dates moved by the daily check<br><span class="note">'
        f"Last legal day: {_day(today, -5)} → {_day(today, -35)}</span></li>",
    ]
    assert (
        f"Son qanuni gün: {_day(today, -5)} → {_day(today, -35)}"
        in _history_on_page(client, finding, "az")[-1]
    )
    assert (
        f"Последний законный день: {_day(today, -5)} → {_day(today, -35)}"
        in _history_on_page(client, finding, "ru")[-1]
    )


def test_a_finding_whose_dates_no_run_moved_shows_no_run(world: World, client: Client) -> None:
    _moved(client)
    # OVER1's missed registration: its deadline does not follow the visa-free days
    missed = OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="missed_registration")
    assert [e.action for e in finding_history(finding=missed)] == ["OVERSTAY_FINDING_OPENED"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JSON containment")
def test_on_postgresql_the_runs_are_picked_by_json_containment(
    world: World, client: Client
) -> None:
    finding, _today = _moved(client)
    with CaptureQueriesContext(connection) as queries:
        history = finding_history(finding=finding)
    assert [e.action for e in history][-1] == "OVERSTAY_FINDINGS_REFRESHED"
    [runs] = [q["sql"] for q in queries if "border.detectionrun" in q["sql"]]
    assert "@>" in runs
