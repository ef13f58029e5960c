"""An officer takes an overstay finding up or dismisses it, from the finding's own page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from umis.accounts.models import Role, User
from umis.audit.models import AuditEvent
from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.tests.test_overstays import person_of, setup_people
from umis.core import clock
from umis.core.testing import World, make_user
from umis.reference.models import VisaFreeRegime

pytestmark = pytest.mark.django_db


def _over1(world: World, client: Client) -> OverstayFinding:
    """The overstay of OVER1, who entered at the airport 94 days ago: the Baku office's."""
    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    return OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay")


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return match.group(1)


def test_an_officer_takes_a_finding_up_from_its_page(world: World, client: Client) -> None:
    finding = _over1(world, client)
    _as(client, world.alice)
    listed = client.get("/en/office/overstays/").content.decode()
    assert f'href="/en/office/overstays/{finding.pk}/"' in listed

    page = client.get(f"/en/office/overstays/{finding.pk}/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "Öztürk Mehmet" in html
    assert 'data-state="open"' in html
    # the stay as it stands today, and the crossings it is computed from, by name
    assert 'data-presence="in_country"' in html
    crossings = html.split('id="crossings"', 1)[1].split("</table>", 1)[0]
    assert crossings.count('data-direction="entry"') == 1
    assert "Heydar Aliyev International Airport" in crossings
    assert "gyd" not in crossings
    assert "Found by the daily check" in html
    # opening the page is a read of the person's file, for this finding
    read = AuditEvent.objects.filter(action="PERSON_VIEWED", person_id=finding.person_id).last()
    assert read is not None and read.data["purpose"] == f"overstay: F{finding.pk}"

    response = client.post(
        f"/en/office/overstays/{finding.pk}/take/",
        {"version": "1", "note": "Fine proposed to the head of the office."},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.state == "taken"
    assert finding.decided_by == world.alice
    assert finding.decided_at is not None
    assert finding.decision_note == "Fine proposed to the head of the office."
    assert finding.version == 2
    [event] = AuditEvent.objects.filter(action="OVERSTAY_FINDING_TAKEN")
    assert (event.actor_id, event.person_id, event.entity_id) == (
        world.alice.pk,
        finding.person_id,
        str(finding.pk),
    )
    assert event.data["note"] == "Fine proposed to the head of the office."

    html = client.get(f"/en/office/overstays/{finding.pk}/").content.decode()
    assert "The finding is taken up." in html
    state = html.split('id="finding-state"', 1)[1].split("</dd>", 1)[0]
    assert "Taken up · alice · " in state
    assert 'id="take-form"' not in html and 'id="dismiss-form"' not in html
    history = html.split('id="finding-history"', 1)[1].split("</ol>", 1)[0]
    assert "Taken up · alice" in history and "Fine proposed" in history

    # the list shows who acted and when, under the state chosen or all of them
    for query in ("?state=taken", "?state="):
        listed = client.get(f"/en/office/overstays/{query}").content.decode()
        row = listed.split(f'href="/en/office/overstays/{finding.pk}/"', 1)[1].split("</tr>")[0]
        assert 'data-state="taken"' in row and "alice · " in row
    assert (
        f"/office/overstays/{finding.pk}/"
        not in client.get("/en/office/overstays/").content.decode()
    )


def test_the_exports_say_who_decided_when_and_why(world: World, client: Client) -> None:
    finding = _over1(world, client)
    _as(client, world.alice)
    client.post(
        f"/en/office/overstays/{finding.pk}/dismiss/",
        {"version": "1", "reason": "=Left on 1 November; the exit was not sent."},
    )
    response = client.get("/en/office/overstays/export.csv?state=dismissed")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert ",Decided by,Decided at,Note or reasons,Legal basis," in lines[0]
    [row] = lines[1:]
    finding.refresh_from_db()
    decided = timezone.localtime(finding.decided_at).strftime("%Y-%m-%d %H:%M:00")
    # a reason that starts as a formula is written as text
    assert f",alice,{decided},'=Left on 1 November; the exit was not sent.," in row
    assert row.endswith(",dismissed,baku,visa_free:90/180")


@pytest.mark.parametrize(
    ("lang", "required", "too_long"),
    [
        ("/en", "Give the reasons for this decision.", "The reasons are too long"),
        ("", "Qərarın əsaslandırmasını yazın.", None),
        ("/ru", "Изложите обоснование решения.", None),
    ],
)
def test_a_dismissal_needs_reasons_and_the_form_keeps_what_was_typed(
    world: World, client: Client, lang: str, required: str | None, too_long: str | None
) -> None:
    finding = _over1(world, client)
    _as(client, world.alice)
    url = f"{lang}/office/overstays/{finding.pk}/dismiss/"

    response = client.post(url, {"version": "1", "reason": "  \r\n "})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="error_reason"' in html and 'aria-invalid="true"' in html
    if required:
        assert required in html.split('id="error_reason"', 1)[1].split("</p>", 1)[0]

    long_reason = "Left the country. " * 120  # 2,160 characters
    response = client.post(url, {"version": "1", "reason": long_reason})
    assert response.status_code == 422
    html = response.content.decode()
    assert _textarea(html, "reason") == long_reason  # kept as typed, never cut
    if too_long:
        assert too_long in html

    response = client.post(
        f"{lang}/office/overstays/{finding.pk}/take/", {"version": "1", "note": "x" * 2001}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="error_note"' in html and _textarea(html, "note") == "x" * 2001

    finding.refresh_from_db()
    assert (finding.state, finding.version, finding.decided_at) == ("open", 1, None)
    assert not AuditEvent.objects.filter(
        action__in=["OVERSTAY_FINDING_TAKEN", "OVERSTAY_FINDING_DISMISSED"]
    ).exists()


def test_the_second_officer_to_act_is_told_who_acted_first(world: World, client: Client) -> None:
    finding = _over1(world, client)
    other = Client()
    _as(other, world.hannah)
    assert other.get(f"/en/office/overstays/{finding.pk}/").status_code == 200  # version 1
    _as(client, world.alice)
    assert (
        client.post(
            f"/en/office/overstays/{finding.pk}/dismiss/",
            {"version": "1", "reason": "Left in time: the exit is in the Georgian records."},
        ).status_code
        == 302
    )

    response = other.post(
        f"/en/office/overstays/{finding.pk}/take/", {"version": "1", "note": "Fine."}
    )
    assert response.status_code == 409
    html = response.content.decode()
    conflict = html.split('id="finding-conflict"', 1)[1].split("</div>", 1)[0]
    assert "This finding was already dismissed (alice, " in conflict
    assert "Nothing was recorded." in conflict
    assert 'data-state="dismissed"' in html and 'id="take-form"' not in html
    finding.refresh_from_db()
    assert (finding.state, finding.decided_by, finding.version) == ("dismissed", world.alice, 2)
    assert AuditEvent.objects.filter(action="OVERSTAY_FINDING_DISMISSED").count() == 1
    assert not AuditEvent.objects.filter(action="OVERSTAY_FINDING_TAKEN").exists()
    [refused] = AuditEvent.objects.filter(action="OVERSTAY_FINDING_DECISION_REFUSED")
    assert (refused.actor_id, refused.person_id, refused.data["code"]) == (
        world.hannah.pk,
        finding.person_id,
        "finding_not_open",
    )


def test_a_finding_is_acted_on_only_by_its_office_or_the_head_office(
    world: World, client: Client
) -> None:
    finding = _over1(world, client)  # Baku's
    analyst = make_user("ann", Role.ANALYST, "head")
    for user in (world.bob, analyst, world.harry, world.admin):
        _as(client, user)
        assert client.get(f"/en/office/overstays/{finding.pk}/").status_code == 404
        for action, field in (("take", "note"), ("dismiss", "reason")):
            response = client.post(
                f"/en/office/overstays/{finding.pk}/{action}/", {"version": "1", field: "x"}
            )
            assert response.status_code == 404
    _as(client, world.bob)
    assert client.get("/en/office/overstays/99999999999999999999/").status_code == 404
    client.logout()
    assert client.post(f"/en/office/overstays/{finding.pk}/take/").status_code == 302
    finding.refresh_from_db()
    assert (finding.state, finding.version) == ("open", 1)
    denied = AuditEvent.objects.filter(
        action="OVERSTAY_FINDING_ACCESS_DENIED", entity_id=str(finding.pk)
    )
    assert {e.actor_id for e in denied} == {world.bob.pk}  # the others are no officers
    assert {e.person_id for e in denied} == {finding.person_id}
    # the head office may
    _as(client, world.hannah)
    assert client.get(f"/en/office/overstays/{finding.pk}/").status_code == 200


def test_a_rerun_leaves_a_dismissed_finding_dismissed_until_its_facts_change(
    world: World, client: Client
) -> None:
    finding = _over1(world, client)
    today = clock.today()
    assert finding.last_legal_day == today - dt.timedelta(days=5)
    _as(client, world.alice)
    client.post(
        f"/en/office/overstays/{finding.pk}/dismiss/",
        {"version": "1", "reason": "An extension is being decided."},
    )

    overstays_detect(on=today + dt.timedelta(days=1))
    finding.refresh_from_db()
    assert (finding.state, finding.decided_by, finding.days_over) == ("dismissed", world.alice, 6)
    assert not AuditEvent.objects.filter(action="OVERSTAY_FINDING_REOPENED").exists()

    # the rule is corrected: 60 days, not 90, so the stay was unlawful a month earlier
    VisaFreeRegime.objects.filter(nationality_id="TR").update(days=60)
    overstays_detect(on=today + dt.timedelta(days=2))
    finding.refresh_from_db()
    assert finding.state == "open"
    assert finding.last_legal_day == today - dt.timedelta(days=35)
    assert (finding.decided_by, finding.decided_at, finding.decision_note) == (None, None, "")
    assert finding.version == 3
    [reopened] = AuditEvent.objects.filter(action="OVERSTAY_FINDING_REOPENED")
    assert (reopened.entity_id, reopened.person_id, reopened.actor_id) == (
        str(finding.pk),
        finding.person_id,
        None,
    )
    assert reopened.data["last_legal_day"] == [
        (today - dt.timedelta(days=5)).isoformat(),
        (today - dt.timedelta(days=35)).isoformat(),
    ]
    # the missed registration of the same stay, never dismissed, is as it was
    missed = OverstayFinding.objects.get(person_id=finding.person_id, kind="missed_registration")
    assert (missed.state, missed.version) == ("open", 1)

    # an officer with the page of before the change acts on a finding that is not that one
    response = client.post(
        f"/en/office/overstays/{finding.pk}/dismiss/",
        {"version": "2", "reason": "Still being decided."},
    )
    assert response.status_code == 409
    assert "This finding changed since you opened it" in response.content.decode()
    finding.refresh_from_db()
    assert (finding.state, finding.version) == ("open", 3)
    html = client.get(f"/en/office/overstays/{finding.pk}/").content.decode()
    history = html.split('id="finding-history"', 1)[1].split("</ol>", 1)[0]
    assert history.index("Dismissed · alice") < history.index("Opened again: the facts changed")


def test_the_person_page_lists_the_findings_the_officer_may_open(
    world: World, client: Client
) -> None:
    finding = _over1(world, client)
    missed = OverstayFinding.objects.get(person_id=finding.person_id, kind="missed_registration")
    # the missed registration is the Shaki office's (the person registered there since)
    OverstayFinding.objects.filter(pk=missed.pk).update(office=world.bob.office)
    url = f"/en/office/people/{finding.person_id}/?purpose=overstay&ref=F{finding.pk}"

    html = _as(client, world.alice).get(url).content.decode()
    listed = html.split('id="findings"', 1)[1].split("</ol>", 1)[0]
    assert f'href="/en/office/overstays/{finding.pk}/"' in listed
    assert "Overstay" in listed and "Open" in listed
    assert f"/office/overstays/{missed.pk}/" not in listed  # not hers to open

    html = _as(client, world.hannah).get(url).content.decode()
    listed = html.split('id="findings"', 1)[1].split("</ol>", 1)[0]
    assert f'href="/en/office/overstays/{missed.pk}/"' in listed
    assert "Shaki regional migration department" in listed


def test_taking_up_a_finding_changed_meanwhile_keeps_the_note_typed(
    world: World, client: Client
) -> None:
    finding = _over1(world, client)
    # dealt with and opened again by the daily check since the page was read
    OverstayFinding.objects.filter(pk=finding.pk).update(version=3)
    _as(client, world.alice)
    response = client.post(
        f"/en/office/overstays/{finding.pk}/take/", {"version": "1", "note": "Fine: art. 575"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    conflict = html.split('id="finding-conflict"', 1)[1].split("</div>", 1)[0]
    assert "This finding changed since you opened it" in conflict
    assert "What you entered is kept: check it and decide again." in conflict
    take = html.split('id="take-form"', 1)[1].split("</form>", 1)[0]
    assert _textarea(take, "note") == "Fine: art. 575"
    assert 'name="version" value="3"' in take
    finding.refresh_from_db()
    assert (finding.state, finding.version, finding.decision_note) == ("open", 3, "")


def test_acting_on_a_finding_dealt_with_meanwhile_shows_what_was_typed(
    world: World, client: Client
) -> None:
    finding = _over1(world, client)
    _as(client, world.alice)
    client.post(
        f"/en/office/overstays/{finding.pk}/dismiss/",
        {"version": "1", "reason": "Left in time: the exit is in the Georgian records."},
    )
    other = _as(Client(), world.hannah)
    response = other.post(
        f"/en/office/overstays/{finding.pk}/take/", {"version": "1", "note": "Fine:\nart. 575"}
    )
    assert response.status_code == 409
    conflict = response.content.decode().split('id="finding-conflict"', 1)[1].split("</div>")[0]
    assert "What you entered, not recorded:" in conflict
    assert '<p class="note" id="finding-typed">Fine:<br>art. 575</p>' in conflict


@pytest.mark.parametrize("start", ["\t", "\r"])
def test_a_note_starting_with_a_tab_or_a_carriage_return_is_exported_as_text(
    world: World, client: Client, start: str
) -> None:
    """A spreadsheet drops a leading tab or carriage return and reads what follows: a
    note stored that way (by an import, or before notes were trimmed) gets the apostrophe
    a formula gets."""
    finding = _over1(world, client)
    _as(client, world.alice)
    client.post(f"/en/office/overstays/{finding.pk}/dismiss/", {"version": "1", "reason": "Left."})
    OverstayFinding.objects.filter(pk=finding.pk).update(decision_note=f"{start}=HYPERLINK(1)")
    response = client.get("/en/office/overstays/export.csv?state=dismissed")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.reader(io.StringIO(text)))[1:]
    assert f"'{start}=HYPERLINK(1)" in row
    assert f"{start}=HYPERLINK(1)" not in row
