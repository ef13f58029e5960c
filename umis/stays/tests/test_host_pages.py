"""The host's registration page shows the stay as it really was: ended, or annulled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from umis.core import clock
from umis.core.testing import World, annul, descriptions_missing, field_tag, guest
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code, document_verify_url
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registration_end
from umis.stays.testing import counts, register

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "left"),
    [
        ("/en", "the guest left; planned departure {planned}"),
        ("", "qonaq gedib; planlaşdırılan gediş {planned}"),
        ("/ru", "гость выбыл; планируемый выезд {planned}"),
    ],
)
def test_an_ended_stay_shows_the_day_the_guest_left(
    world: World, client: Client, lang: str, left: str
) -> None:
    case = register(world)
    reg = StayRegistration.objects.get(case=case)
    stay_registration_end(actor=world.harry, registration=reg, left_on=clock.today())
    client.force_login(world.harry)
    page = client.get(f"{lang}/host/registrations/{case.reference}/").content.decode()
    row = page.split('id="stay">', 1)[1].split("</dd>", 1)[0]
    planned = f"{reg.planned_departure:%d.%m.%Y}"
    assert row.startswith(f"{reg.arrival_date:%d.%m.%Y} – {clock.today():%d.%m.%Y}")
    assert left.format(planned=planned) in row


def test_the_travel_document_names_its_issuing_state(world: World, client: Client) -> None:
    case = register(world)  # U12345678, issued by Türkiye
    client.force_login(world.harry)
    page = client.get(f"/host/registrations/{case.reference}/").content.decode()
    assert "U12345678 (Türkiyə)" in page and "(TR)" not in page


def test_an_active_stay_shows_the_planned_departure(world: World, client: Client) -> None:
    case = register(world)
    reg = StayRegistration.objects.get(case=case)
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{case.reference}/").content.decode()
    row = page.split('id="stay">', 1)[1].split("</dd>", 1)[0]
    assert row == f"{reg.arrival_date:%d.%m.%Y} – {reg.planned_departure:%d.%m.%Y}"
    assert reg.planned_departure > clock.today() + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("lang", "told"),
    [
        (
            "/en",
            "Annulled on {day} by the State Migration Service: "
            "The foreigner does not live at the address (Migration Code, art. 21)",
        ),
        (
            "",
            "{day} tarixində Dövlət Miqrasiya Xidməti tərəfindən ləğv edilib: "
            "Əcnəbi göstərilən ünvanda yaşamır (Miqrasiya Məcəlləsi, m. 21)",
        ),
        (
            "/ru",
            "Аннулирована {day} Государственной миграционной службой: "
            "Иностранец не проживает по указанному адресу (Миграционный кодекс, ст. 21)",
        ),
    ],
)
def test_the_host_is_told_when_and_on_what_legal_ground_a_registration_was_annulled(
    world: World, client: Client, lang: str, told: str
) -> None:
    case = register(world)
    officer = Client()
    officer.force_login(world.alice)
    annul(
        officer,
        case,
        legal_ground="mc-21-not-residing",
        note="Internal: neighbours say he moved to Ganja.",
    )
    client.force_login(world.harry)
    page = client.get(f"{lang}/host/registrations/{case.reference}/").content.decode()
    notice = page.split('id="annulment"', 1)[1].split("</div>", 1)[0]
    assert told.format(day=f"{clock.today():%d.%m.%Y}") in notice
    assert "neighbours" not in page  # the officer's reasons stay in the case file
    assert 'id="certificate-link"' not in page  # no certificate to download any more

    # the certificate's old link: as an annulled e-visa's, a page saying so, 410 Gone
    gone = client.get(f"{lang}/host/registrations/{case.reference}/certificate.pdf")
    assert (gone.status_code, gone["Content-Type"]) == (410, "text/html; charset=utf-8")
    text = gone.content.decode()
    heading = {
        "/en": "This registration certificate has been annulled",
        "": "Bu qeydiyyat arayışı ləğv edilib",
        "/ru": "Эта справка о регистрации аннулирована",
    }[lang]
    assert f'<h1 id="annulled-heading">{heading}</h1>' in text
    assert told.format(day=f"{clock.today():%d.%m.%Y}") in text
    assert "neighbours" not in text
    code = document_verify_code(IssuedDocument.objects.get(case=case))
    assert f'<a id="verify-link" href="{lang}/verify/{code}">' in text
    assert f'<a id="back-link" href="{lang}/host/registrations/{case.reference}/">' in text


def test_an_ended_registration_has_no_annulment_notice(world: World, client: Client) -> None:
    case = register(world)
    reg = StayRegistration.objects.get(case=case)
    stay_registration_end(actor=world.harry, registration=reg, left_on=clock.today())
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{case.reference}/").content.decode()
    assert 'id="annulment"' not in page


def test_another_host_still_cannot_open_an_annulled_registration(
    world: World, client: Client
) -> None:
    case = register(world)
    officer = Client()
    officer.force_login(world.alice)
    annul(officer, case)
    client.force_login(world.larisa)
    assert client.get(f"/en/host/registrations/{case.reference}/").status_code == 404


@pytest.mark.parametrize(("lang", "html_lang"), [("", "az"), ("/en", "en"), ("/ru", "ru")])
def test_the_verify_link_keeps_the_page_language(
    world: World, client: Client, lang: str, html_lang: str
) -> None:
    case = register(world)
    document = IssuedDocument.objects.get(case=case)
    code = document_verify_code(document)
    client.force_login(world.harry)
    page = client.get(f"{lang}/host/registrations/{case.reference}/").content.decode()
    link = page.split('id="verify-link"', 1)[0].rsplit("<a ", 1)[1]
    assert f'href="{lang}/verify/{code}"' in link
    verify = client.get(f"{lang}/verify/{code}")
    assert verify.status_code == 200
    assert f'<html lang="{html_lang}"' in verify.content.decode()
    # what the certificate's QR code holds names no language: the reader's own is used
    with translation.override("ru"):
        assert document_verify_url(document) == f"{settings.UMIS_PUBLIC_URL}/verify/{code}"


@pytest.mark.parametrize(
    ("days", "lang", "message"),
    [
        (-30, "/ru", "Дата выезда должна быть между датой прибытия и сегодняшним днём."),
        (3, "/en", "The departure date must be between the arrival and today."),
    ],
)
def test_a_departure_date_out_of_the_stay_is_refused_beside_the_field_as_typed(
    world: World, client: Client, days: int, lang: str, message: str
) -> None:
    case = register(world)
    reg = StayRegistration.objects.get(case=case)
    typed = (
        reg.arrival_date + dt.timedelta(days=days)
        if days < 0
        else clock.today() + dt.timedelta(days=days)
    ).isoformat()
    client.force_login(world.harry)
    response = client.post(f"{lang}/host/registrations/{case.reference}/end/", {"left_on": typed})
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        f'<input id="id_left_on" name="left_on" type="date" value="{typed}" required aria-required="true" '
        'aria-invalid="true" aria-describedby="error_left_on">'
    ) in page
    assert f'<p class="error" id="error_left_on" role="alert">{message}</p>' in page
    assert 'class="messages"' not in page  # not a banner at the top
    reg.refresh_from_db()
    assert (reg.active, reg.ended_on, reg.case.state) == (True, None, case.state)


def test_a_departure_date_that_is_no_date_is_refused_beside_the_field(
    world: World, client: Client
) -> None:
    case = register(world)
    client.force_login(world.harry)
    response = client.post(f"/en/host/registrations/{case.reference}/end/", {"left_on": "24.11"})
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<p class="error" id="error_left_on" role="alert">Enter a date as YYYY-MM-DD.</p>' in page
    )
    assert StayRegistration.objects.get(case=case).active


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("", "Bu sahə mütləqdir."),
        ("/en", "This field is required."),
        ("/ru", "Это поле обязательно."),
    ],
)
@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_departure_date_is_refused_as_required_beside_the_field(
    world: World, client: Client, lang: str, message: str, typed: str
) -> None:
    case = register(world)
    client.force_login(world.harry)
    response = client.post(f"{lang}/host/registrations/{case.reference}/end/", {"left_on": typed})
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="error" id="error_left_on" role="alert">{message}</p>' in page
    assert StayRegistration.objects.get(case=case).active


def test_the_guest_left_today_ends_the_registration(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.harry)
    response = client.post(
        f"/en/host/registrations/{case.reference}/end/",
        {"left_on": clock.today().isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/en/host/registrations/{case.reference}/"
    assert "The registration has ended." in response.content.decode()
    assert StayRegistration.objects.get(case=case).ended_on == clock.today()


def test_each_error_of_the_registration_form_is_read_with_its_field(
    world: World, client: Client
) -> None:
    client.force_login(world.harry)
    form = guest(surname="Smith2", nationality="")
    form["mrz"] = "P<UTO\nL898"
    response = client.post("/en/host/register/", form)
    assert response.status_code == 422
    page = response.content.decode()
    for field in ("surname", "nationality", "mrz"):
        tag = field_tag(page, f"id_{field}")
        assert f'aria-describedby="error_{field}"' in tag, tag
        assert 'aria-invalid="true"' in tag, tag
        assert f'<p class="error" id="error_{field}" role="alert">' in page
    assert "aria-describedby" not in field_tag(page, "id_given_names")
    assert descriptions_missing(page) == []
    assert counts() == (0, 0, 0, 0)
