"""Free text an officer writes (a note, the reasons of a decision) holding a character drawn
as nothing is refused naming the character, beside the field, and nothing is stored: a
text-direction control would make the reasons read reversed in the case's history and the
audit log."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.cases.models import CaseEvent
from umis.cases.services import case_note_clean, case_reasons_clean
from umis.core.errors import DomainError, ValidationFailed
from umis.core.testing import World, guest
from umis.people.models import IdentityMatch, PersonMerge
from umis.screening.services import screening_hit_decision_clean
from umis.stays.services import stay_registrations_submit
from umis.stays.testing import register

pytestmark = pytest.mark.django_db

INVISIBLE = [
    "\u202e",  # right-to-left override: "Not at the address" would read backwards
    "\u202a",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u200b",  # zero width space
    "\u2060",  # word joiner
    "\ufeff",
    "\u034f",  # combining grapheme joiner
    "\u115f",  # Hangul choseong filler
]


@pytest.mark.parametrize("char", INVISIBLE)
def test_a_note_or_reasons_holding_an_invisible_character_are_refused(char: str) -> None:
    code = f"U+{ord(char):04X}"
    with pytest.raises(DomainError) as note:
        case_note_clean(note=f"Called the hotel{char}: no answer.")
    assert (note.value.code, note.value.field) == ("invisible_character", "note")
    assert code in str(note.value.message)
    with pytest.raises(DomainError) as reasons:
        case_reasons_clean(reasons=f"Not at the {char}address", field="reason")
    assert (reasons.value.code, reasons.value.field) == ("invisible_character", "reason")
    assert code in str(reasons.value.message)
    with pytest.raises(ValidationFailed) as hit:
        screening_hit_decision_clean(decision="dismiss", reason=f"Other man{char}")
    assert [(e.code, e.field) for e in hit.value.errors] == [("invisible_character", "reason")]


def test_line_breaks_and_other_scripts_are_kept() -> None:
    assert case_note_clean(note="Called.\r\nNo answer.\tLater.") == "Called.\nNo answer.\tLater."
    text = "Гусейнов Рашад, Hüseynov Rəşad, می\u200cخواهم"  # ZWNJ inside Persian words
    assert case_reasons_clean(reasons=text) == text


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "The note contains an invisible character (U+202E)"),
        ("", "Qeyddə görünməyən simvol var (U+202E)"),
        ("/ru", "Заметка содержит невидимый символ (U+202E)"),
    ],
)
def test_the_case_note_form_says_so_beside_the_field(
    world: World, client: Client, lang: str, message: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    note = "The guest \u202eleft early"
    response = client.post(f"{lang}/office/cases/{case.reference}/note/", {"note": note})
    assert response.status_code == 422
    page = response.content.decode()
    field = page.split('id="note-form"', 1)[1].split("</form>", 1)[0]
    assert message in field.split('id="error_case_note">', 1)[1].split("</p>", 1)[0]
    assert not CaseEvent.objects.filter(case_id=case.pk, action="CASE_NOTE_ADDED").exists()
    assert not AuditEvent.objects.filter(action="CASE_NOTE_ADDED").exists()


def _doubtful_pair(world: World) -> IdentityMatch:
    for overrides in ({}, {"birth_date": "1985-03-17", "document_number": "C7654321"}):
        stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest(**overrides)])
    return IdentityMatch.objects.get()


def test_an_identity_decision_with_a_reversed_reason_is_refused_on_the_page(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    response = client.post(
        f"/ru/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "тот же \u2067человек", "version": "1"},
    )
    assert response.status_code == 422
    assert "Причины содержат невидимый символ (U+2067)" in response.content.decode()
    assert not PersonMerge.objects.exists()
    match.refresh_from_db()
    assert (match.status, match.decision_reason) == ("open", "")


def test_an_identity_decision_with_a_reversed_reason_is_refused_by_the_api(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    _api, key = api_client_create(
        actor=None, name="desk", user=world.alice, scopes=[Scope.IDENTITY_REVIEW]
    )
    response = client.post(
        f"/api/v1/identity/reviews/{match.pk}/decision",
        json.dumps({"decision": "separate", "reason": "two \u202emen", "version": 1}),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE="az",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", "reason")
    assert "U+202E" in error["message"] and "görünməyən" in error["message"]
    match.refresh_from_db()
    assert (match.status, match.version) == ("open", 1)
    assert not AuditEvent.objects.filter(action="IDENTITY_MATCH_KEPT_SEPARATE").exists()
