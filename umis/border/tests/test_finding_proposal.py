"""A finding's proposal (a fine, or an enforcement case past the days over allowed) follows
its days over while it is open; one taken up or dismissed keeps the proposal it was decided
on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.services import overstay_finding_dismiss, overstay_finding_take
from umis.border.tests.test_overstays import person_of, setup_people
from umis.core import clock
from umis.core.testing import World

pytestmark = pytest.mark.django_db


def _over1(client: Client) -> OverstayFinding:
    """OVER1's overstay: 5 days over today, so a fine is proposed."""
    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    finding = OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay")
    assert (finding.days_over, finding.proposal) == (5, "fine")
    return finding


def _proposal_on_page(client: Client, finding: OverstayFinding) -> str:
    html = client.get(f"/en/office/overstays/{finding.pk}/").content.decode()
    return html.split("<dt>Proposal</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_an_open_finding_past_the_threshold_proposes_enforcement(
    world: World, client: Client
) -> None:
    finding = _over1(client)
    client.force_login(world.alice)
    overstays_detect(on=clock.today() + dt.timedelta(days=85))  # 90 days over: still a fine
    finding.refresh_from_db()
    assert (finding.days_over, finding.proposal) == (90, "fine")

    overstays_detect(on=clock.today() + dt.timedelta(days=86))
    finding.refresh_from_db()
    assert (finding.state, finding.days_over, finding.proposal) == ("open", 91, "enforcement")
    assert _proposal_on_page(client, finding) == "Enforcement case"
    # the missed registration of the same stay stays a fine
    missed = OverstayFinding.objects.get(person_id=finding.person_id, kind="missed_registration")
    assert missed.proposal == "fine"


@pytest.mark.parametrize("decision", ["taken", "dismissed"])
def test_a_decided_finding_keeps_the_proposal_it_was_decided_on(
    world: World, client: Client, decision: str
) -> None:
    finding = _over1(client)
    if decision == "taken":
        overstay_finding_take(actor=world.alice, finding_id=finding.pk, note="Fine issued.")
    else:
        overstay_finding_dismiss(actor=world.alice, finding_id=finding.pk, reason="Left today.")
    overstays_detect(on=clock.today() + dt.timedelta(days=86))
    finding.refresh_from_db()
    assert (finding.state, finding.days_over, finding.proposal) == (decision, 91, "fine")
    client.force_login(world.alice)
    assert _proposal_on_page(client, finding) == "Fine"
