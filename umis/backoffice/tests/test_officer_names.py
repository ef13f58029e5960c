"""Officers are named to one another the same way wherever one's action is shown (a case's
history, a decided screening hit, a finding's decision, a merge of records, a watchlist
entry's history): by the full name with the username, as assignees are, or by the username
alone when the account has no name."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from umis.border.services import overstay_finding_dismiss
from umis.cases.models import Case
from umis.cases.services import case_assign
from umis.core.testing import World
from umis.portal.tests.scene import Scene, make_scene
from umis.screening.models import ScreeningHit
from umis.screening.services import screening_hit_decide, watchlist_entry_withdraw

pytestmark = pytest.mark.django_db

ALICE = "Aynur Quliyeva (alice)"
HANNAH = "Həsən Məmmədov (hannah)"


def block(page: str, element_id: str, end: str) -> str:
    return html.unescape(page.split(f'id="{element_id}"', 1)[1].split(end, 1)[0])


@pytest.fixture
def scene(world: World, client: Client) -> Scene:
    for user, first, last in [
        (world.alice, "Aynur", "Quliyeva"),
        (world.hannah, "Həsən", "Məmmədov"),
    ]:
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return make_scene(world, client)


def test_a_case_history_names_the_officers_who_acted_and_were_given_the_case(
    scene: Scene, client: Client
) -> None:
    hit = ScreeningHit.objects.get(pk=scene.hit.pk)
    screening_hit_decide(
        actor=scene.world.alice,
        hit_id=hit.pk,
        decision="dismiss",
        reason="Another person",
        expected_version=hit.version,
    )
    case = Case.objects.get(pk=scene.case.pk)
    case_assign(
        actor=scene.world.alice,
        case=case,
        assignee=scene.world.hannah,
        expected_version=case.version,
    )
    client.force_login(scene.world.alice)

    history = block(
        client.get(f"/en/office/cases/{case.reference}/").content.decode(), "history", "</ol>"
    )

    assert f"Assigned to {HANNAH} by {ALICE}" in history
    assert f"Watchlist hit dismissed</span> · {ALICE}" in history
    assert "· alice<" not in history and " alice " not in history


def test_a_decided_hit_names_the_officer_who_decided_it(scene: Scene, client: Client) -> None:
    screening_hit_decide(
        actor=scene.world.alice,
        hit_id=scene.hit.pk,
        decision="confirm",
        reason="The same person",
        expected_version=scene.hit.version,
    )
    client.force_login(scene.world.alice)

    page = client.get(f"/en/office/screening/hits/{scene.hit.pk}/").content.decode()

    assert block(page, "hit-status", "</p>").startswith(f">Confirmed · {ALICE} · ")


def test_a_dismissed_finding_names_the_officer_on_its_page_its_list_and_the_persons_file(
    scene: Scene, client: Client
) -> None:
    overstay_finding_dismiss(
        actor=scene.world.alice, finding_id=scene.finding.pk, reason="Left in time"
    )
    client.force_login(scene.world.alice)

    page = client.get(f"/en/office/overstays/{scene.finding.pk}/").content.decode()
    listing = client.get("/en/office/overstays/?state=dismissed").content.decode()
    person = client.get(
        f"/en/office/people/{scene.person.pk}/?purpose=case&ref={scene.case.reference}"
    ).content.decode()

    assert f"Dismissed · {ALICE} · " in block(page, "finding-state", "</dd>")
    assert f"· {ALICE}" in block(page, "finding-history", "</ol>")
    assert f"<small>{ALICE} · " in html.unescape(listing)
    assert f"({ALICE}, " in block(person, "findings", "</ol>")


def test_a_merge_of_records_names_the_officer_who_linked_them(scene: Scene, client: Client) -> None:
    client.force_login(scene.world.alice)
    survivor = scene.merge.survivor
    case = Case.objects.filter(applicant=survivor).first()
    assert case is not None

    page = client.get(
        f"/en/office/people/{survivor.pk}/?purpose=case&ref={case.reference}"
    ).content.decode()

    assert f"Officer: {ALICE}" in html.unescape(page)


def test_a_watchlist_entry_history_names_the_officer_who_withdrew_it(
    scene: Scene, client: Client
) -> None:
    watchlist_entry_withdraw(
        actor=scene.world.hannah,
        entry=scene.entry,
        reason="Lifted",
        expected_version=scene.entry.version,
    )
    client.force_login(scene.world.hannah)

    page = client.get(f"/en/office/screening/watchlist/{scene.entry.pk}/").content.decode()

    assert f"· {HANNAH}" in block(page, "entry-history", "</ol>")


def test_a_history_of_many_assignments_reads_their_officers_at_once(
    scene: Scene, client: Client
) -> None:
    """Naming the officers a case was given to costs the case page the same queries
    whether the history holds two assignments or ten."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def assign_back_and_forth(times: int) -> None:
        for _ in range(times):
            for user in (scene.world.hannah, scene.world.alice):
                case = Case.objects.get(pk=scene.case.pk)
                case_assign(
                    actor=scene.world.alice,
                    case=case,
                    assignee=user,
                    expected_version=case.version,
                )

    client.force_login(scene.world.alice)
    url = f"/en/office/cases/{scene.case.reference}/"
    assign_back_and_forth(1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    assign_back_and_forth(4)
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()

    assert block(page, "history", "</ol>").count(f"Assigned to {HANNAH} by {ALICE}") == 5
    assert len(more) == len(few)
