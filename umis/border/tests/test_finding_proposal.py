"""A finding's proposal (a fine, or an enforcement case past the days over allowed) follows
its days over while it is open; one taken up or dismissed keeps the proposal it was decided
on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
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


def _history_on_page(client: Client, finding: OverstayFinding, lang: str = "en") -> list[str]:
    prefix = "" if lang == "az" else f"/{lang}"  # Azerbaijani, the default, has none
    html = client.get(f"{prefix}/office/overstays/{finding.pk}/").content.decode()
    history = html.split('id="finding-history">', 1)[1].split("</ol>", 1)[0]
    return [" ".join(li.split("</time>", 1)[1].split()) for li in history.split("<li")[1:]]


def test_a_change_of_proposal_is_in_the_findings_history_once(world: World, client: Client) -> None:
    finding = _over1(client)
    client.force_login(world.alice)
    for days in (85, 86, 87):  # a fine at 90 days over, enforcement from 91 on
        overstays_detect(on=clock.today() + dt.timedelta(days=days))
    changes = AuditEvent.objects.filter(
        action="OVERSTAY_FINDING_PROPOSAL_CHANGED", entity_id=str(finding.pk)
    )
    assert [(e.person_id, e.actor_id, e.data) for e in changes] == [
        (
            finding.person_id,
            None,
            {"kind": "overstay", "proposal": ["fine", "enforcement"], "days_over": 91},
        )
    ]
    # the missed registration of the same stay stays a fine: nothing recorded for it
    assert not AuditEvent.objects.filter(
        action="OVERSTAY_FINDING_PROPOSAL_CHANGED", person_id=finding.person_id
    ).exclude(entity_id=str(finding.pk))
    assert _history_on_page(client, finding)[-1] == (
        'Proposal changed by the daily check<br><span class="note">'
        "Fine → Enforcement case; days over: 91</span></li>"
    )
    assert "Cərimə → Məcburi tədbir işi" in _history_on_page(client, finding, "az")[-1]
    assert "Штраф → Дело о принудительных мерах" in _history_on_page(client, finding, "ru")[-1]


def test_a_rerun_that_changes_no_proposal_records_no_change(world: World, client: Client) -> None:
    _over1(client)
    overstays_detect(on=clock.today() + dt.timedelta(days=1))
    overstays_detect(on=clock.today() + dt.timedelta(days=1))
    assert not AuditEvent.objects.filter(action="OVERSTAY_FINDING_PROPOSAL_CHANGED").exists()


def test_a_decided_finding_records_no_change_of_proposal(world: World, client: Client) -> None:
    finding = _over1(client)
    overstay_finding_take(actor=world.alice, finding_id=finding.pk, note="Fine issued.")
    overstays_detect(on=clock.today() + dt.timedelta(days=86))
    assert not AuditEvent.objects.filter(action="OVERSTAY_FINDING_PROPOSAL_CHANGED").exists()
