"""The officer's decision on a place-of-stay registration: not confirmed while a screening
hit on it is open, and a decision taken on a page since changed is told so, the
annulment's reasons and legal ground kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.backoffice.tests.test_cases import DECIDED
from umis.cases.models import Case, CaseEvent
from umis.core.errors import Conflict
from umis.core.testing import World
from umis.documents.models import IssuedDocument
from umis.reference.models import LegalGround
from umis.screening.models import ScreeningHit
from umis.screening.services import screening_hit_decide
from umis.screening.tests.test_intake import listed, register
from umis.stays.services import stay_registration_annul, stay_registration_confirm
from umis.stays.testing import register as register_clean

pytestmark = pytest.mark.django_db

HELD = {
    "en": "A screening hit on this registration is still open. Confirm or dismiss it first: "
    "the registration can be confirmed only when every hit is decided.",
    "ru": "По этой регистрации ещё открыто совпадение проверки. Сначала подтвердите или "
    "отклоните его: регистрацию можно подтвердить, только когда по всем совпадениям принято "
    "решение.",
    "az": "Bu qeydiyyat üzrə yoxlama uyğunluğu hələ açıqdır. Əvvəlcə onu təsdiq edin və ya "
    "rədd edin: qeydiyyat yalnız bütün uyğunluqlar üzrə qərar verildikdən sonra təsdiqlənə "
    "bilər.",
}
SHOWN_AS_NOW = {
    "en": "Someone else changed this case while you were working on it: it is shown below as "
    "it is now.",
    "az": "Siz işləyərkən bu işi başqası dəyişdi: aşağıda onun indiki vəziyyəti göstərilir.",
}
KEPT = {
    "en": "What you entered is kept: check it and decide again.",
    "az": "Daxil etdikləriniz saxlanılıb: onları yoxlayın və yenidən qərar verin.",
}
CONFLICT_RU = (
    "Пока вы работали, это дело изменил кто-то другой. Обновите страницу, чтобы увидеть "
    "изменения, и примите решение заново."
)
REASONS = "The guest does not live at the address.\r\nThe owner says so."


def _prefix(lang: str) -> str:
    return "" if lang == "az" else f"/{lang}"


def _messages(page: str) -> str:
    return page.split('class="messages">', 1)[1].split("</ul>", 1)[0]


def _listed_guest(client: Client, world: World) -> Case:
    """A registration of a guest who matches an entry ban: kept, its hit open."""
    listed(world)
    case: Case = register(client, world)
    assert ScreeningHit.objects.get(case=case).status == ScreeningHit.Status.OPEN
    return case


def _decide_hit(world: World, case: Case, decision: str) -> None:
    hit = ScreeningHit.objects.get(case=case)
    screening_hit_decide(
        actor=world.alice,
        hit_id=hit.pk,
        decision=decision,
        reason="Checked against the passport.",
        expected_version=hit.version,
    )


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_a_registration_is_not_confirmed_while_a_screening_hit_is_open(
    world: World, client: Client, lang: str
) -> None:
    case = _listed_guest(client, world)
    version = case.version
    client.force_login(world.alice)
    response = client.post(
        f"{_prefix(lang)}/office/cases/{case.reference}/confirm/", {"version": version}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert HELD[lang] in _messages(page)
    case.refresh_from_db()
    assert (case.state, case.version, case.is_open) == ("registered", version, True)
    assert not CaseEvent.objects.filter(case=case, action="STAY_REGISTRATION_CONFIRMED").exists()
    assert not AuditEvent.objects.filter(action="STAY_REGISTRATION_CONFIRMED").exists()
    [attempt] = AuditEvent.objects.filter(action="STAY_REGISTRATION_DECISION_REFUSED")
    assert attempt.data == {"decision": "confirm", "code": "screening_hit_open"}
    assert attempt.actor == world.alice and attempt.entity_id == str(case.pk)


def test_the_service_refuses_to_confirm_while_a_hit_is_open(world: World, client: Client) -> None:
    case = _listed_guest(client, world)
    with pytest.raises(Conflict) as refused:
        stay_registration_confirm(actor=world.hannah, case=case, expected_version=case.version)
    assert (refused.value.code, refused.value.status) == ("screening_hit_open", 409)
    assert Case.objects.get(pk=case.pk).state == "registered"


@pytest.mark.parametrize("decision", ["dismiss", "confirm"])
def test_once_the_hit_is_decided_the_registration_is_confirmed(
    world: World, client: Client, decision: str
) -> None:
    case = _listed_guest(client, world)
    _decide_hit(world, case, decision)
    client.force_login(world.alice)
    response = client.post(f"/en/office/cases/{case.reference}/confirm/", {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "confirmed"
    assert not AuditEvent.objects.filter(action="STAY_REGISTRATION_DECISION_REFUSED").exists()


def test_annulling_needs_no_wait_for_the_hit(world: World, client: Client) -> None:
    case = _listed_guest(client, world)
    client.force_login(world.alice)
    response = client.post(
        f"/en/office/cases/{case.reference}/annul/",
        {"legal_ground": "mc-21-not-residing", "version": case.version, **DECIDED},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "annulled"
    assert IssuedDocument.objects.get(case=case).status == IssuedDocument.Status.ANNULLED
    assert ScreeningHit.objects.get(case=case).status == ScreeningHit.Status.OPEN


def _confirm_button(page: str) -> str:
    return page.split('id="confirm-button"', 1)[1].split("</form>", 1)[0]


def test_the_case_page_shows_the_open_hit_by_the_decision_and_holds_the_confirmation_back(
    world: World, client: Client
) -> None:
    case = _listed_guest(client, world)
    hit = ScreeningHit.objects.get(case=case)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    decision = page.split('id="open-hits"', 1)[1]
    pending = decision.split("</div>", 1)[0]
    assert "A screening hit on this case is still open." in pending
    assert f'<a href="/en/office/screening/hits/{hit.pk}/">Decide hit #{hit.pk}</a>' in pending
    assert "Entry ban · Entry bans · <bdi>Гусейнов Рашад</bdi>" in pending
    assert 'id="confirm-button"' in decision and 'id="annul-button"' in decision
    button = _confirm_button(page)
    assert button.startswith(' disabled aria-describedby="confirm-held"')
    assert 'id="confirm-held" data-code="screening_hit_open"' in button
    assert HELD["en"] in button
    assert "annul-button" in page and 'annul-button" disabled' not in page

    _decide_hit(world, case, "dismiss")
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    assert 'id="open-hits"' not in page and "confirm-held" not in page
    assert not _confirm_button(page).startswith(" disabled")


def test_a_clean_registration_shows_no_hold(world: World, client: Client) -> None:
    case = register_clean(world)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    assert 'id="open-hits"' not in page and "confirm-held" not in page
    assert _confirm_button(page).startswith(">")


def test_a_confirmation_on_a_page_since_annulled_is_told_of_the_conflict(
    world: World, client: Client
) -> None:
    """Two tabs on one registration: the first annuls, the second, still showing it as
    awaiting its check, confirms."""
    case = register_clean(world)
    seen = case.version
    client.force_login(world.alice)
    first = client.post(
        f"/ru/office/cases/{case.reference}/annul/",
        {"legal_ground": "mc-21-not-residing", "version": seen, **DECIDED},
    )
    assert first.status_code == 302
    second = client.post(
        f"/ru/office/cases/{case.reference}/confirm/", {"version": seen}, follow=True
    )
    message = _messages(second.content.decode())
    assert CONFLICT_RU in message and "не может перейти" not in message
    case.refresh_from_db()
    assert (case.state, case.version) == ("annulled", seen + 1)
    [attempt] = AuditEvent.objects.filter(action="STAY_REGISTRATION_DECISION_REFUSED")
    assert attempt.data == {"decision": "confirm", "code": "version_conflict"}


def _annul(client: Client, case: Case, version: int, lang: str = "en") -> Any:
    return client.post(
        f"{_prefix(lang)}/office/cases/{case.reference}/annul/",
        {
            "legal_ground": "mc-21-false-information",
            "version": version,
            "note": REASONS,
            "confirm": "1",
        },
    )


@pytest.mark.parametrize("lang", ["en", "az"])
def test_an_annulment_on_a_page_since_changed_comes_back_as_typed(
    world: World, client: Client, lang: str
) -> None:
    case = register_clean(world)
    seen = case.version
    stay_registration_confirm(  # meanwhile a colleague checks it: still annullable
        actor=world.hannah, case=Case.objects.get(pk=case.pk), expected_version=seen
    )
    client.force_login(world.alice)
    response = _annul(client, case, seen, lang)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-state="confirmed"' in page  # the case as it is now
    form = page.split('id="annul-form"', 1)[1].split("</form>", 1)[0]
    errors = form.split('id="annul-errors"', 1)[1].split("</div>", 1)[0]
    assert SHOWN_AS_NOW[lang] in errors and KEPT[lang] in errors
    assert REASONS.replace("\r\n", "\n") in form
    assert '<option value="mc-21-false-information" selected>' in form
    assert f'name="version" value="{seen + 1}"' in form
    # the confirmation is ticked again, knowing what changed
    assert 'name="confirm" value="1" required aria-required="true">' in form
    case.refresh_from_db()
    assert (case.state, case.version) == ("confirmed", seen + 1)
    assert IssuedDocument.objects.get(case=case).status == IssuedDocument.Status.VALID
    [attempt] = AuditEvent.objects.filter(action="STAY_REGISTRATION_DECISION_REFUSED")
    assert attempt.data == {"decision": "annul", "code": "version_conflict"}
    # sent again from the page shown, it is recorded
    assert _annul(client, case, seen + 1, lang).status_code == 302
    assert Case.objects.get(pk=case.pk).state == "annulled"


def test_an_annulment_on_a_page_since_annulled_says_so_without_the_form(
    world: World, client: Client
) -> None:
    case = register_clean(world)
    seen = case.version
    stay_registration_annul(
        actor=world.hannah,
        case=Case.objects.get(pk=case.pk),
        expected_version=seen,
        legal_ground=LegalGround.objects.get(code="mc-21-not-residing"),
        note="Not at the address.",
    )
    client.force_login(world.alice)
    response = _annul(client, case, seen)
    assert response.status_code == 409
    page = response.content.decode()
    assert SHOWN_AS_NOW["en"] in page.split('id="decision-conflict"', 1)[1].split("</div>", 1)[0]
    assert 'id="annul-form"' not in page
    assert CaseEvent.objects.filter(case=case, action="STAY_REGISTRATION_ANNULLED").count() == 1
