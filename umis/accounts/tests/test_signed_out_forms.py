"""A form sent after its reader was signed out (in another tab, or the session ended while it
was filled in), or from a page opened before he signed in again: nothing is stored, and the
page says so in his language instead of leaving him on an error or an empty form."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.cases.models import CaseEvent
from umis.core.testing import World
from umis.stays.models import StayRegistration
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def test_a_note_sent_after_signing_out_is_not_lost_without_a_word(
    world: World, client: Client
) -> None:
    case = register(world)
    page = f"/en/office/cases/{case.reference}/"
    client.force_login(world.alice)
    assert client.get(page).status_code == 200
    client.post("/en/accounts/logout/")  # another tab
    response = client.post(
        f"{page}note/", {"note": "Called the hotel."}, HTTP_REFERER=f"http://testserver{page}"
    )
    # back to the case page after signing in, not to the note's address (POST only)
    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/login/?next={page}"
    shown = client.get(response["Location"]).content.decode()
    assert (
        "You were signed out before the form was sent, so nothing was saved. "
        "Sign in, then fill in the form again and send it."
    ) in shown
    assert not CaseEvent.objects.filter(case=case, action="CASE_NOTE_ADDED").exists()


def test_a_host_form_sent_after_signing_out_says_nothing_was_saved_in_azerbaijani(
    world: World, client: Client
) -> None:
    client.force_login(world.harry)
    client.post("/accounts/logout/")
    response = client.post(
        "/host/register/",
        {"surname": "MÜLLER"},
        HTTP_REFERER="http://testserver/host/register/",
        follow=True,
    )
    assert response.redirect_chain == [("/accounts/login/?next=/host/register/", 302)]
    assert (
        "Forma göndərilməmişdən əvvəl sistemdən çıxmışdınız, ona görə heç nə saxlanmadı."
        in response.content.decode()
    )
    assert not StayRegistration.objects.exists()


def test_a_form_sent_from_a_page_opened_before_signing_in_again_is_refused_with_a_page(
    world: World,
) -> None:
    # the page's security token is the one of the session before: Django's own English
    # page said "CSRF verification failed"
    case = register(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(
        f"/ru/office/cases/{case.reference}/note/",
        {"note": "Called the hotel.", "csrfmiddlewaretoken": "x" * 64},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Форма не отправлена" in page
    assert "CSRF" not in page
    assert not CaseEvent.objects.filter(case=case, action="CASE_NOTE_ADDED").exists()
