"""An officer annuls a registration: the decision cites its own legal ground and reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from umis.cases.models import Case, CaseEvent
from umis.core import clock
from umis.core.errors import DomainError
from umis.core.testing import World, annul
from umis.documents.models import IssuedDocument
from umis.reference.models import LegalGround
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registration_annul, stay_registration_end
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def history(page: str) -> str:
    return page.split('id="history">', 1)[1].split("</ol>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "title", "article"),
    [
        ("en", "Registration made on false information", "Migration Code, art. 21"),
        ("az", "Qeydiyyat yalan məlumat əsasında aparılıb", "Miqrasiya Məcəlləsi, m. 21"),
        (
            "ru",
            "Регистрация произведена на основании ложных сведений",
            "Миграционный кодекс, ст. 21",
        ),
    ],
)
def test_the_history_names_the_annulments_own_legal_ground(
    world: World, client: Client, lang: str, title: str, article: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    page = annul(client, case, lang)
    assert f"{title} ({article})" in history(page)


def test_grounds_of_the_same_article_are_told_apart_in_the_history(
    world: World, client: Client
) -> None:
    first = register(world)
    second = register(world, document_number="S1234567")
    client.force_login(world.alice)
    annul(client, first, legal_ground="mc-21-false-information")
    page = annul(client, second, legal_ground="mc-21-not-residing")
    assert "The foreigner does not live at the address (Migration Code, art. 21)" in history(page)
    assert "false information" not in history(page)


def assert_not_annulled(case: Case) -> None:
    case.refresh_from_db()
    assert case.state == "registered"
    assert not CaseEvent.objects.filter(case=case, action="STAY_REGISTRATION_ANNULLED").exists()
    assert IssuedDocument.objects.get(case=case).status == IssuedDocument.Status.VALID
    assert StayRegistration.objects.get(case=case).active is True


def error_of(page: str, field: str) -> str:
    return page.split(f'id="error_{field}"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("reasons", ["", "   \r\n  "])
def test_an_annulment_without_reasons_is_refused(
    world: World, client: Client, reasons: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    response = client.post(
        f"/en/office/cases/{case.reference}/annul/",
        {
            "legal_ground": "mc-21-not-residing",
            "version": case.version,
            "note": reasons,
            "confirm": "1",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Give the reasons for this decision." in error_of(page, "note")
    assert_not_annulled(case)


def test_reasons_over_2000_characters_are_refused_not_cut(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    reasons = "The guest was not found at the address. " * 60  # 2,400 characters
    response = client.post(
        f"/en/office/cases/{case.reference}/annul/",
        {
            "legal_ground": "mc-21-not-residing",
            "version": case.version,
            "note": reasons,
            "confirm": "1",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The reasons are too long: at most 2000 characters, these have 2399." in error_of(
        page, "note"
    )
    # what the officer wrote is given back to be shortened, not lost
    assert reasons.strip() in page
    assert_not_annulled(case)


def test_reasons_of_exactly_2000_characters_with_line_breaks_are_kept_whole(
    world: World, client: Client
) -> None:
    case = register(world)
    client.force_login(world.alice)
    # a browser counts a line break as one character and sends it as two
    reasons = ("x" * 99 + "\r\n") * 20
    assert len(reasons.replace("\r\n", "\n")) == 2000
    page = annul(client, case, note=reasons)
    case.refresh_from_db()
    assert case.state == "annulled"
    decision = CaseEvent.objects.get(case=case, action="STAY_REGISTRATION_ANNULLED")
    assert decision.note == (("x" * 99 + "\n") * 20).strip()
    assert "The registration is annulled." in page


def test_an_annulment_must_be_confirmed(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    response = client.post(
        f"/en/office/cases/{case.reference}/annul/",
        {"legal_ground": "mc-21-not-residing", "version": case.version, "note": "Not there."},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Tick the box to confirm the annulment." in error_of(page, "confirm")
    assert "Not there." in page  # the reasons are kept
    assert_not_annulled(case)


def test_the_annulment_form_asks_for_reasons_and_a_confirmation(
    world: World, client: Client
) -> None:
    case = register(world)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    form = page.split('id="annul-form"', 1)[1].split("</form>", 1)[0]
    assert '<textarea id="id_note" name="note" rows="3" maxlength="2000" required' in form
    assert 'type="checkbox" id="id_confirm" name="confirm" value="1" required' in form
    assert "I confirm the annulment. It cannot be undone" in form


def test_the_annulment_form_in_azerbaijani_and_russian(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    az = annul(client, case, "az", note="", confirm="")
    assert "Qərarın əsaslandırmasını yazın." in az
    assert "Ləğvi təsdiqləmək üçün qutunu işarələyin." in az
    ru = annul(client, case, "ru", note="", confirm="")
    assert "Изложите обоснование решения." in ru
    assert "Отметьте поле, чтобы подтвердить аннулирование." in ru


@pytest.mark.parametrize(
    ("reasons", "code"), [("", "reasons_required"), ("x" * 2001, "reasons_too_long")]
)
def test_the_service_refuses_an_annulment_without_fitting_reasons(
    world: World, reasons: str, code: str
) -> None:
    case = register(world)
    with pytest.raises(DomainError) as raised:
        stay_registration_annul(
            actor=world.alice,
            case=case,
            expected_version=case.version,
            legal_ground=LegalGround.objects.get(code="mc-21-not-residing"),
            note=reasons,
        )
    assert (raised.value.code, raised.value.field) == (code, "note")
    assert_not_annulled(case)


def test_annulling_an_ended_registration_keeps_the_day_it_ended(
    world: World, client: Client
) -> None:
    case = register(world)
    stay_registration_end(
        actor=world.harry, registration=case.stay_registration, left_on=clock.today()
    )
    ended_at = Case.objects.get(pk=case.pk).closed_at
    assert ended_at is not None
    later = ended_at + dt.timedelta(days=10)
    with clock.frozen_at(later):
        case = Case.objects.get(pk=case.pk)
        stay_registration_annul(
            actor=world.alice,
            case=case,
            expected_version=case.version,
            legal_ground=LegalGround.objects.get(code="mc-21-false-information"),
            note="The guest gave a false address.",
        )
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.closed_at) == ("annulled", ended_at)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    closed = page.split('id="closed-at"', 1)[1].split("</dd>", 1)[0]
    annulled = page.split('id="annulled-at"', 1)[1].split("</dd>", 1)[0]
    assert closed.endswith(timezone.localtime(ended_at).strftime(">%d.%m.%Y %H:%M</time>"))
    assert annulled.endswith(timezone.localtime(later).strftime(">%d.%m.%Y %H:%M</time>"))
