"""An officer's note on a case: added to the history, or refused beside the field (an empty
one, an over-long one), never dropped or cut without a word."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.cases.models import CaseEvent
from umis.core.testing import World
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def note_form(page: str) -> str:
    return page.split('id="note-form"', 1)[1].split("</form>", 1)[0]


def note_field(page: str) -> str:
    form = note_form(page)
    return form.split('<div class="field', 1)[1].split("</div>", 1)[0]


def notes(case_id: int) -> list[str]:
    return list(
        CaseEvent.objects.filter(case_id=case_id, action="CASE_NOTE_ADDED").values_list(
            "note", flat=True
        )
    )


def test_a_note_is_added_to_the_history(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    response = client.post(
        f"/en/office/cases/{case.reference}/note/", {"note": "  Called the hotel.\r\nOK.  "}
    )
    assert response.status_code == 302
    assert notes(case.pk) == ["Called the hotel.\nOK."]


@pytest.mark.parametrize(
    ("lang", "note", "message"),
    [
        ("/en", "   ", "The note is empty: write it before adding it."),
        ("/en", "", "The note is empty: write it before adding it."),
        ("", " \r\n ", "Qeyd boşdur: əlavə etməzdən əvvəl onu yazın."),
        ("/ru", "\t", "Заметка пуста: напишите её, прежде чем добавить."),
    ],
)
def test_an_empty_note_is_refused_beside_the_field(
    world: World, client: Client, lang: str, note: str, message: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    response = client.post(f"{lang}/office/cases/{case.reference}/note/", {"note": note})
    assert response.status_code == 422
    field = note_field(response.content.decode())
    assert f'<p class="error" role="alert" id="error_case_note">{message}</p>' in field
    assert 'aria-invalid="true"' in field
    assert notes(case.pk) == []
    assert not AuditEvent.objects.filter(action="CASE_NOTE_ADDED").exists()


def test_an_over_long_note_is_refused_and_kept_in_the_form(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    note = "The host says the guest moved out early. " * 50  # 2,050 characters
    response = client.post(f"/en/office/cases/{case.reference}/note/", {"note": note})
    assert response.status_code == 422
    field = note_field(response.content.decode())
    assert "The note is too long: at most 2000 characters, this one has 2049." in field
    assert note.strip() in field
    assert notes(case.pk) == []


def test_a_note_sent_twice_from_one_form_is_added_once(world: World, client: Client) -> None:
    # a double click, or back to the page and "Add note" again: the form's one-time token
    # is sent twice
    case = register(world)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    token = note_form(page).split('name="submission" value="', 1)[1].split('"', 1)[0]
    posted = {"note": "Called the hotel.", "submission": token}
    first = client.post(f"/en/office/cases/{case.reference}/note/", posted)
    audited = AuditEvent.objects.filter(action="CASE_NOTE_ADDED").count()
    again = client.post(f"/en/office/cases/{case.reference}/note/", posted, follow=True)
    assert (first.status_code, again.status_code) == (302, 200)
    assert notes(case.pk) == ["Called the hotel."]
    assert AuditEvent.objects.filter(action="CASE_NOTE_ADDED").count() == audited == 1
    assert "This note was added already; it is not added again." in again.content.decode()
    # the page shown after it holds a new token: the next note is added
    token = note_form(again.content.decode()).split('name="submission" value="', 1)[1]
    token = token.split('"', 1)[0]
    client.post(
        f"/en/office/cases/{case.reference}/note/", {"note": "Second.", "submission": token}
    )
    assert notes(case.pk) == ["Called the hotel.", "Second."]
