"""The foreigner registers his own stay (Migration Code art. 21: "the foreigner may also
file"): no account, the host's rules, the certificate at once, the case in the office queue
marked as filed by him, and his way back with the registration number and document number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.utils import translation

from umis.audit.models import AuditEvent
from umis.cases.models import Case
from umis.core import clock
from umis.core.models import OutboxMessage
from umis.core.outbox import outbox_drain
from umis.core.testing import World, annul, guest
from umis.documents.models import IssuedDocument
from umis.reference.models import RegistrationRule
from umis.screening.models import ScreeningHit
from umis.screening.tests.test_intake import listed
from umis.stays.models import StayRegistration
from umis.stays.services import ItemResult, stay_registration_file_own
from umis.stays.testing import counts, register

pytestmark = pytest.mark.django_db

REGISTER = "/stay/register/"
LOOKUP = "/stay/status/"


def own(**overrides: Any) -> dict[str, Any]:
    """A valid filing of one's own stay: the host's form, plus the provider and an e-mail."""
    data = guest(
        provider_name="Əliyev Kamran",
        provider_phone="+994 50 123 45 67",
        email="rashad@example.org",
    )
    data.update(overrides)
    return data


def file_own(**overrides: Any) -> ItemResult:
    return stay_registration_file_own(actor=AnonymousUser(), raw=own(**overrides), language="en")


def filed(client: Client, **overrides: Any) -> str:
    """File through the page; the registration number."""
    response = client.post(REGISTER, own(**overrides))
    assert response.status_code == 302, response.content.decode()[-3000:]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


# -- the service ------------------------------------------------------------------------


def test_the_foreigner_is_registered_at_once_with_a_certificate(world: World) -> None:
    result = file_own()
    reg = result.registration
    assert reg is not None and result.errors == []
    assert (reg.filed_by, reg.host_id) == ("foreigner", None)
    assert (reg.provider_name, reg.provider_phone, reg.email) == (
        "Əliyev Kamran",
        "+994 50 123 45 67",
        "rashad@example.org",
    )
    assert reg.receiving_party == "Əliyev Kamran"
    case = reg.case
    assert case.state == "registered"  # valid at once, waiting for the officer's check
    assert case.office.code == "baku"
    submitted = case.events.get(action="CASE_SUBMITTED")
    assert submitted.data["filed_by"] == "foreigner"
    assert submitted.data["provider"] == "Əliyev Kamran"
    certificate = IssuedDocument.objects.get(case=case)
    assert certificate.status == "valid" and certificate.number == case.reference
    event = AuditEvent.objects.get(action="STAY_REGISTRATION_SUBMITTED")
    assert event.data["filed_by"] == "foreigner" and event.data["host"] is None
    assert OutboxMessage.objects.filter(topic="stays.mail").count() == 1


def test_the_case_goes_to_the_office_of_the_address_region(world: World) -> None:
    reg = file_own(region="shaki", city="Şəki", street="M. F. Axundov 5").registration
    assert reg is not None
    assert reg.case.office.code == "shaki"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"document_expiry": "2020-01-01"}, "document_expiry", "passport_expired"),
        ({"arrival_date": "2999-01-01"}, "arrival_date", "arrival_in_future"),
        ({"surname": "Hüseynov1"}, "surname", None),
        ({"planned_departure": "2099-01-01"}, "planned_departure", "stay_too_long"),
        ({"provider_name": ""}, "provider_name", "required"),
        ({"provider_phone": "call me"}, "provider_phone", "invalid_phone"),
        ({"email": "not-an-address"}, "email", "invalid_email"),
        ({"email": ""}, "email", "required"),
    ],
)
def test_the_host_rules_apply_and_nothing_is_stored_on_an_error(
    world: World, overrides: dict[str, Any], field: str, code: str | None
) -> None:
    before = counts()
    result = file_own(**overrides)
    assert result.registration is None
    assert field in {e.field for e in result.errors}
    if code:
        assert code in {e.code for e in result.errors if e.field == field}
    assert counts() == before
    assert not OutboxMessage.objects.filter(topic="stays.mail").exists()
    assert not AuditEvent.objects.filter(action="STAY_REGISTRATION_SUBMITTED").exists()


def test_errors_of_the_passport_and_of_the_provider_are_told_together(world: World) -> None:
    result = file_own(document_expiry="2020-01-01", provider_name="", email="x")
    assert {e.field for e in result.errors} == {"document_expiry", "provider_name", "email"}


def test_a_late_filing_is_marked_late_as_a_host_s_would_be(world: World) -> None:
    arrival = clock.today() - dt.timedelta(days=40)
    reg = file_own(arrival_date=arrival.isoformat()).registration
    assert reg is not None and reg.late and reg.case.needs_attention


def test_a_listed_foreigner_is_screened_on_intake(world: World) -> None:
    listed(world)
    reg = file_own().registration
    assert reg is not None
    hit = ScreeningHit.objects.get(case=reg.case)
    assert hit.status == "open" and hit.office.code == "baku"
    case = Case.objects.get(pk=reg.case_id)
    assert case.state == "registered" and case.needs_attention


def test_filing_the_same_stay_twice_is_refused(world: World) -> None:
    assert file_own().registration is not None
    before = counts()
    again = file_own()
    assert again.registration is None
    assert [e.code for e in again.errors] == ["already_registered"]
    assert counts() == before


def test_a_stay_the_host_registered_at_the_address_is_not_filed_again(world: World) -> None:
    register(world)  # the hotel registered the same guest at Nizami küçəsi 10
    before = counts()
    result = file_own()
    assert [e.code for e in result.errors] == ["already_registered"]
    assert counts() == before


def test_a_move_to_a_flat_ends_the_hotel_s_registration(world: World) -> None:
    hotel_case = register(world, arrival_date=(clock.today() - dt.timedelta(days=3)).isoformat())
    result = file_own(street="Füzuli küçəsi 3")
    reg = result.registration
    assert reg is not None and result.move is not None
    assert result.move.deadline is not None  # judged by the move rule
    previous = StayRegistration.objects.get(case=hotel_case)
    assert not previous.active and previous.superseded_by == reg
    assert Case.objects.get(pk=hotel_case.pk).state == "ended"


def test_a_passport_on_file_for_somebody_else_is_refused(world: World) -> None:
    register(world)  # U12345678 is Hüseynov Rəşad's
    before = counts()
    result = file_own(
        surname="Quliyev", given_names="Elnur", birth_date="1990-05-05", street="Füzuli küçəsi 3"
    )
    assert [e.code for e in result.errors] == ["document_held_by_another"]
    assert counts() == before


def test_the_e_mail_gives_the_number_and_the_way_back(world: World) -> None:
    reg = file_own().registration
    assert reg is not None
    outbox_drain()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rashad@example.org"]
    assert reg.case.reference in message.subject and reg.case.reference in message.body
    assert "/en/stay/status/" in message.body


def test_the_e_mail_gives_the_address_in_the_foreigner_s_language(world: World) -> None:
    stay_registration_file_own(
        actor=AnonymousUser(), raw=own(region="absheron", city="sumqayit"), language="ru"
    )
    outbox_drain()
    assert "Адрес: Nizami küçəsi 10, город Сумгаит, Апшеронский район\n" in mail.outbox[0].body


def test_the_e_mail_names_the_region_s_own_city_once(world: World) -> None:
    file_own()  # typed "Bakı", in the region of the city of Baku
    outbox_drain()
    assert "Address: Nizami küçəsi 10, Baku city\n" in mail.outbox[0].body


# -- the pages --------------------------------------------------------------------------


def test_the_service_page_offers_the_foreigner_s_own_way_in(world: World, client: Client) -> None:
    page = client.get("/en/services/stay_registration/").content.decode()
    assert 'id="public-start" href="/en/stay/register/"' in page
    assert ">Register your own stay<" in page
    # the host's way in says whose it is
    assert (
        '<a class="button" href="/en/host/register/">Register a guest (hotels and owners)</a>'
        in page
    )


def test_the_form_is_public_and_asks_for_the_provider_and_an_e_mail(
    world: World, client: Client
) -> None:
    response = client.get("/en" + REGISTER)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("surname", "document_number", "region", "provider_name", "provider_phone"):
        assert f'name="{name}"' in page
    assert 'name="email"' in page and 'id="id_mrz"' in page
    assert "csrfmiddlewaretoken" in page


def test_filing_leads_to_the_status_page_and_the_certificate(world: World, client: Client) -> None:
    reference = filed(client)
    page = client.get(f"/en/stay/status/{reference}/").content.decode()
    assert f'<span id="reference">{reference}</span>' in page
    assert "Əliyev Kamran" in page and 'data-state="registered"' in page
    pdf = client.get(f"/en/stay/status/{reference}/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_an_annulled_filing_s_certificate_link_says_so_instead_of_giving_the_pdf(
    world: World, client: Client
) -> None:
    reference = filed(client)
    officer = Client()
    officer.force_login(world.alice)
    annul(officer, Case.objects.get(reference=reference), legal_ground="mc-21-not-residing")
    gone = client.get(f"/ru/stay/status/{reference}/certificate.pdf")
    assert (gone.status_code, gone["Content-Type"]) == (410, "text/html; charset=utf-8")
    page = gone.content.decode()
    assert '<h1 id="annulled-heading">Эта справка о регистрации аннулирована</h1>' in page
    assert "The guest gave a false address." not in page  # the officer's reasons stay inside
    assert (
        f'<a id="back-link" href="/ru/stay/status/{reference}/">'
        "Вернуться к вашей регистрации</a>" in page
    )


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("", "Səyahət sənədinin müddəti bitib."),
        ("/en", "The travel document has expired."),
        ("/ru", "Срок действия проездного документа истёк."),
    ],
)
def test_a_refused_filing_is_shown_again_with_the_error_beside_the_field(
    world: World, client: Client, lang: str, message: str
) -> None:
    before = counts()
    response = client.post(lang + REGISTER, own(document_expiry="2020-01-01", provider_name=""))
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="error" id="error_document_expiry" role="alert">{message}</p>' in page
    assert 'id="error_provider_name"' in page
    assert 'value="rashad@example.org"' in page  # as typed
    assert counts() == before


def test_the_form_is_protected_against_cross_site_posts(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    before = counts()
    assert client.post(REGISTER, own()).status_code == 403
    assert counts() == before


def test_another_browser_needs_the_document_number(world: World, client: Client) -> None:
    reference = filed(client)
    stranger = Client()
    status = stranger.get(f"/en/stay/status/{reference}/")
    assert status.status_code == 302
    assert status["Location"] == f"/en/stay/status/?reference={reference}"
    assert stranger.get(f"/en/stay/status/{reference}/certificate.pdf").status_code == 404
    wrong = stranger.post("/en" + LOOKUP, {"reference": reference, "document_number": "U99999999"})
    assert wrong.status_code == 404
    assert "Hüseynov" not in wrong.content.decode()
    assert AuditEvent.objects.filter(
        action="STAY_REGISTRATION_ACCESS_DENIED", entity_id=reference
    ).exists()
    assert stranger.get(f"/en/stay/status/{reference}/").status_code == 302
    right = stranger.post(
        "/en" + LOOKUP, {"reference": reference.lower(), "document_number": "u 12345678"}
    )
    assert right.status_code == 302 and right["Location"] == f"/en/stay/status/{reference}/"
    assert stranger.get(f"/en/stay/status/{reference}/").status_code == 200


def test_a_host_s_registration_is_not_found_by_the_foreigner_s_look_up(
    world: World, client: Client
) -> None:
    case = register(world)
    response = client.post(
        "/en" + LOOKUP, {"reference": case.reference, "document_number": "U12345678"}
    )
    assert response.status_code == 404
    assert client.get(f"/en/stay/status/{case.reference}/certificate.pdf").status_code == 404


def test_the_office_sees_who_filed(world: World, client: Client) -> None:
    reference = filed(client)
    hotel_case = register(
        world,
        document_number="S1234567",
        surname="Quliyev",
        given_names="Elnur",
        birth_date="1990-05-05",
    )
    client.force_login(world.alice)
    queue = client.get("/en/office/queue/").content.decode()
    row = queue.split(reference, 2)[2].split("</tr>", 1)[0]
    assert 'data-filed-by="foreigner"' in row and "filed by the foreigner" in row
    other = queue.split(hotel_case.reference, 2)[2].split("</tr>", 1)[0]
    assert "data-filed-by" not in other
    page = client.get(f"/en/office/cases/{reference}/").content.decode()
    assert 'data-filed-by="foreigner"' in page
    assert "the foreigner himself (no account)" in page
    assert "Əliyev Kamran" in page and "rashad@example.org" in page
    hotel_page = client.get(f"/en/office/cases/{hotel_case.reference}/").content.decode()
    assert 'data-filed-by="host"' in hotel_page


@pytest.mark.parametrize(
    ("lang", "button", "label"),
    [
        ("", "Öz qalmanızı qeydiyyata alın", "Yaşayış yerinin sahibi və ya icarəyə verən"),
        ("/ru", "Зарегистрировать своё пребывание", "Владелец или наймодатель жилья"),
    ],
)
def test_the_way_in_and_the_form_speak_the_visitor_s_language(
    world: World, client: Client, lang: str, button: str, label: str
) -> None:
    assert button in client.get(f"{lang}/services/stay_registration/").content.decode()
    assert label in client.get(lang + REGISTER).content.decode()


def test_filings_past_their_limit_get_429_and_store_nothing(
    world: World, client: Client, settings: Any
) -> None:
    settings.UMIS_RATE_LIMITS = {"lookup": 2, "stay_filing": 2}
    with clock.frozen_at(dt.datetime.combine(clock.today(), dt.time(9, 15, 20), tzinfo=dt.UTC)):
        first = client.post(REGISTER, own())
        second = client.post(REGISTER, own(document_expiry="2020-01-01"))
        before = counts()
        refused = client.post(REGISTER, own(document_number="U7654321"))
    assert (first.status_code, second.status_code, refused.status_code) == (302, 422, 429)
    assert refused["Retry-After"] == "40"
    assert counts() == before


def test_look_ups_do_not_use_up_the_filings_nor_filings_the_look_ups(
    world: World, client: Client, settings: Any
) -> None:
    """Each has its own allowance a minute per address: a family looking up its
    registrations can still file the next one, and the reverse."""
    settings.UMIS_RATE_LIMITS = {"lookup": 2, "stay_filing": 2}
    wrong = {"reference": "SR-2026-000001", "document_number": "X"}
    with clock.frozen_at(dt.datetime.combine(clock.today(), dt.time(9, 15, 20), tzinfo=dt.UTC)):
        looked = [client.post(LOOKUP, wrong).status_code for _ in range(3)]
        filed = client.post(REGISTER, own())
    assert looked == [404, 404, 429]
    assert filed.status_code == 302
    with clock.frozen_at(dt.datetime.combine(clock.today(), dt.time(9, 16, 20), tzinfo=dt.UTC)):
        filings = [
            client.post(REGISTER, own(document_expiry="2020-01-01")).status_code for _ in range(3)
        ]
        looked_up = client.post(LOOKUP, wrong)
    assert filings == [422, 422, 429]
    assert looked_up.status_code == 404


PROVIDER_HIDDEN = {
    "en": "The name of the owner or landlord contains an invisible character ({code})",
    "az": "Sahibin və ya icarəyə verənin adında görünməyən simvol var ({code})",
    "ru": "Имя владельца или наймодателя содержит невидимый символ ({code})",
}


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u200b", "\u034f", "\ufeff"])
def test_a_provider_s_name_holding_an_invisible_character_is_refused(
    world: World, char: str
) -> None:
    before = counts()
    with translation.override("en"):
        result = file_own(provider_name=f"Əliyev {char}Kamran")
    assert result.registration is None
    [error] = result.errors
    assert (error.code, error.field) == ("invisible_character", "provider_name")
    assert PROVIDER_HIDDEN["en"].format(code=f"U+{ord(char):04X}") in str(error.message)
    assert counts() == before
    assert not AuditEvent.objects.filter(action="STAY_REGISTRATION_SUBMITTED").exists()


@pytest.mark.parametrize(("lang", "language"), [("", "az"), ("/en", "en"), ("/ru", "ru")])
def test_a_provider_s_name_with_an_invisible_character_is_refused_beside_the_field(
    world: World, client: Client, lang: str, language: str
) -> None:
    before = counts()
    response = client.post(lang + REGISTER, own(provider_name="Əliyev Kamran\u2066"))
    assert response.status_code == 422
    page = response.content.decode()
    error = page.split('id="error_provider_name"', 1)[1].split("</p>", 1)[0]
    assert PROVIDER_HIDDEN[language].format(code="U+2066") in error
    assert counts() == before


def test_a_provider_s_name_in_arabic_script_keeps_its_joiner(world: World) -> None:
    result = file_own(provider_name="می\u200cخواهم Kamran")
    assert result.registration is not None, result.errors
    assert result.registration.provider_name == "می\u200cخواهم Kamran"


@pytest.mark.parametrize(
    ("n", "ru", "az"),
    [
        (1, "не более 1 дня;", "ən çoxu 1 gün"),
        (2, "не более 2 дней;", "ən çoxu 2 gün"),
        (5, "не более 5 дней;", "ən çoxu 5 gün"),
        (21, "не более 21 дня;", "ən çoxu 21 gün"),
        (22, "не более 22 дней;", "ən çoxu 22 gün"),
        (92, "не более 92 дней;", "ən çoxu 92 gün"),
    ],
)
def test_the_longest_registration_is_written_with_its_plural(
    world: World, n: int, ru: str, az: str
) -> None:
    RegistrationRule.objects.update(max_length_days=n)
    for language, text in (("ru", ru), ("az", az)):
        with translation.override(language):
            errors = file_own(planned_departure="2099-01-01").errors
        [message] = [e.message for e in errors if e.code == "stay_too_long"]
        assert text in message
