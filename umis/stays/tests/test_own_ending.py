"""The foreigner who filed his own stay ends it online when he leaves the address: after the
look-up with the registration number and his document number, as a host ends a guest's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from umis.audit.models import AuditEvent
from umis.cases.models import Case, CaseEvent
from umis.core import clock
from umis.core.errors import NotFound
from umis.core.testing import World
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registration_end_own
from umis.stays.testing import register
from umis.stays.tests.test_own_filing import file_own

pytestmark = pytest.mark.django_db


def yesterday() -> dt.date:
    return clock.today() - dt.timedelta(days=1)


def own_filing(**overrides: Any) -> StayRegistration:
    reg = file_own(**overrides).registration
    assert reg is not None
    return reg


def looked_up(reg: StayRegistration, lang: str = "/en") -> Client:
    """Another browser, which looked the registration up with its number and document."""
    client = Client()
    response = client.post(
        f"{lang}/stay/status/",
        {"reference": reg.case.reference, "document_number": reg.travel_document.number},
    )
    assert response.status_code == 302
    return client


def state(reg: StayRegistration) -> tuple[Any, ...]:
    reg.refresh_from_db()
    case = Case.objects.get(pk=reg.case_id)
    return (
        reg.active,
        reg.ended_on,
        case.state,
        case.version,
        CaseEvent.objects.filter(case=case).count(),
        IssuedDocument.objects.get(case=case).valid_until,
    )


def test_the_status_page_offers_to_end_it_after_the_look_up(world: World) -> None:
    reg = own_filing()
    page = looked_up(reg).get(f"/en/stay/status/{reg.case.reference}/").content.decode()
    form = page.split('id="end-form"', 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in page.split('id="end-form"', 1)[0].rsplit("<form", 1)[1]
    assert f'action="/en/stay/status/{reg.case.reference}/end/"' in page
    assert "csrfmiddlewaretoken" in form and 'name="left_on"' in form
    assert "I have left this address" in form


def test_leaving_ends_it_as_a_host_s_guest_left_does(world: World, client: Client) -> None:
    reg = own_filing()
    browser = looked_up(reg)
    left_on = yesterday()
    response = browser.post(
        f"/en/stay/status/{reg.case.reference}/end/", {"left_on": left_on.isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/stay/status/{reg.case.reference}/"
    reg.refresh_from_db()
    assert (reg.active, reg.ended_on) == (False, left_on)
    case = Case.objects.get(pk=reg.case_id)
    assert case.state == "ended" and not case.is_open
    ended = CaseEvent.objects.get(case=case, action="STAY_REGISTRATION_ENDED")
    assert ended.data == {"left_on": left_on.isoformat(), "by": "foreigner"}
    audit = AuditEvent.objects.get(action="STAY_REGISTRATION_ENDED")
    assert audit.data["left_on"] == left_on.isoformat() and audit.data["by"] == "foreigner"
    assert AuditEvent.objects.get(action="DOCUMENT_VALIDITY_SHORTENED").data["reason"] == (
        "guest_left"
    )
    # the border officer's check says what it says of any ended registration
    document = IssuedDocument.objects.get(case=case)
    verified = client.get(f"/api/v1/documents/verify/{document_verify_code(document)}").json()
    assert (verified["status"], verified["valid_until"]) == ("expired", left_on.isoformat())
    page = browser.get(response["Location"]).content.decode()
    assert 'data-state="ended"' in page and 'id="end-form"' not in page
    assert "Your registration has ended." in page
    assert f"Ended on {left_on:%d.%m.%Y}: you left this address." in page


def test_a_browser_that_did_not_look_it_up_cannot_end_it(world: World) -> None:
    reg = own_filing()
    before = state(reg)
    response = Client().post(
        f"/en/stay/status/{reg.case.reference}/end/", {"left_on": yesterday().isoformat()}
    )
    assert response.status_code == 404
    assert state(reg) == before
    assert AuditEvent.objects.filter(
        action="STAY_REGISTRATION_ACCESS_DENIED", entity_id=reg.case.reference
    ).exists()


def test_the_end_is_posted_with_the_csrf_token(world: World) -> None:
    reg = own_filing()
    browser = Client(enforce_csrf_checks=True)
    browser.post(
        "/en/stay/status/",
        {"reference": reg.case.reference, "document_number": reg.travel_document.number},
    )
    before = state(reg)
    response = browser.post(
        f"/en/stay/status/{reg.case.reference}/end/", {"left_on": yesterday().isoformat()}
    )
    assert response.status_code == 403
    assert state(reg) == before


def test_a_host_s_registration_is_not_ended_by_the_foreigner_s_service(world: World) -> None:
    case = register(world)
    reg = StayRegistration.objects.get(case=case)
    before = state(reg)
    with pytest.raises(NotFound):
        stay_registration_end_own(actor=AnonymousUser(), registration=reg, left_on=clock.today())
    assert state(reg) == before


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "",
            "Ünvanı tərk etdiyiniz gün gəliş tarixi ilə bu gün arasında olmalı və "
            "planlaşdırılan gediş tarixindən sonra olmamalıdır.",
        ),
        (
            "/en",
            "The day you left must be between the arrival and today, and not after the "
            "planned departure.",
        ),
        (
            "/ru",
            "День, когда вы покинули адрес, должен быть между датой прибытия и сегодняшним "
            "днём и не позже планируемой даты выезда.",
        ),
    ],
)
@pytest.mark.parametrize("which", ["future", "before_arrival", "after_planned_departure"])
def test_a_day_out_of_the_stay_is_refused_beside_the_field(
    world: World, lang: str, message: str, which: str
) -> None:
    arrival = clock.today() - dt.timedelta(days=10)
    planned = clock.today() - dt.timedelta(days=3)  # an expired stay still to be ended
    filed_on = dt.datetime.combine(arrival, dt.time(12), tzinfo=dt.UTC)
    with clock.frozen_at(filed_on):
        reg = own_filing(arrival_date=arrival.isoformat(), planned_departure=planned.isoformat())
    typed = {
        "future": clock.today() + dt.timedelta(days=1),
        "before_arrival": arrival - dt.timedelta(days=1),
        "after_planned_departure": planned + dt.timedelta(days=1),
    }[which].isoformat()
    browser = looked_up(reg, lang)
    before = state(reg)
    response = browser.post(f"{lang}/stay/status/{reg.case.reference}/end/", {"left_on": typed})
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="error" id="error_left_on" role="alert">{message}</p>' in page
    assert f'value="{typed}"' in page
    assert state(reg) == before


def test_a_day_that_is_no_date_is_refused_beside_the_field(world: World) -> None:
    reg = own_filing()
    browser = looked_up(reg)
    before = state(reg)
    response = browser.post(f"/en/stay/status/{reg.case.reference}/end/", {"left_on": "24.11"})
    assert response.status_code == 422
    assert (
        '<p class="error" id="error_left_on" role="alert">Enter a date as YYYY-MM-DD.</p>'
        in response.content.decode()
    )
    assert state(reg) == before


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("", "Bu sahə mütləqdir."),
        ("/en", "This field is required."),
        ("/ru", "Это поле обязательно."),
    ],
)
def test_an_empty_day_is_refused_as_required_beside_the_field(
    world: World, lang: str, message: str
) -> None:
    reg = own_filing()
    browser = looked_up(reg, lang)
    before = state(reg)
    response = browser.post(f"{lang}/stay/status/{reg.case.reference}/end/", {"left_on": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="error" id="error_left_on" role="alert">{message}</p>' in page
    assert state(reg) == before


def test_an_ended_registration_is_not_ended_again(world: World) -> None:
    reg = own_filing()
    browser = looked_up(reg)
    url = f"/en/stay/status/{reg.case.reference}/end/"
    assert browser.post(url, {"left_on": yesterday().isoformat()}).status_code == 302
    before = state(reg)
    again = browser.post(url, {"left_on": clock.today().isoformat()}, follow=True)
    assert "This registration has already ended or was annulled." in again.content.decode()
    assert state(reg) == before


@pytest.mark.parametrize(
    ("lang", "ended", "by"),
    [
        ("/en", "Stay ended", "reported by the foreigner"),
        ("", "Qalma başa çatıb", "əcnəbinin özü bildirib"),
        ("/ru", "Пребывание завершено", "сообщил сам иностранец"),
    ],
)
def test_the_officer_reads_in_the_history_that_the_foreigner_reported_it(
    world: World, client: Client, lang: str, ended: str, by: str
) -> None:
    reg = own_filing()
    browser = looked_up(reg)
    browser.post(f"/en/stay/status/{reg.case.reference}/end/", {"left_on": yesterday().isoformat()})
    client.force_login(world.alice)
    history = client.get(f"{lang}/office/cases/{reg.case.reference}/").content.decode()
    entry = history.split('data-action="STAY_REGISTRATION_ENDED">', 1)[1].split("</li>", 1)[0]
    assert entry.startswith(f"{ended}</span> · {by} · ")


def test_endings_past_their_limit_get_429_in_the_visitor_s_language_and_end_nothing(
    world: World, settings: Any
) -> None:
    """Ending one's own registration has its own allowance a minute per address, apart from
    the look-ups: past it the page says so in his language, and nothing is ended."""
    settings.UMIS_RATE_LIMITS = {"lookup": 5, "stay_ending": 2}
    reg = own_filing()
    browser = looked_up(reg, "/ru")
    before = state(reg)
    end = f"/ru/stay/status/{reg.case.reference}/end/"
    with clock.frozen_at(dt.datetime.combine(clock.today(), dt.time(9, 15, 20), tzinfo=dt.UTC)):
        wrong = [browser.post(end, {"left_on": "2020-01-01"}).status_code for _ in range(2)]
        refused = browser.post(end, {"left_on": yesterday().isoformat()})
        # the look-ups are counted apart: he can still find his registration
        found = browser.post(
            "/ru/stay/status/",
            {"reference": reg.case.reference, "document_number": reg.travel_document.number},
        )
    assert wrong == [422, 422]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert (
        "Слишком много запросов. Подождите 40 секунд и попробуйте снова."
        in refused.content.decode()
    )
    assert state(reg) == before
    assert found.status_code == 302
    assert AuditEvent.objects.filter(action="RATE_LIMITED", entity_id="stay_ending").count() == 1


@pytest.mark.parametrize(
    ("sex", "lang", "button"),
    [
        ("M", "/ru", "Я покинул этот адрес"),
        ("F", "/ru", "Я покинула этот адрес"),
        ("X", "/ru", "Я больше не живу по этому адресу"),
        ("F", "/en", "I have left this address"),
        ("X", "/en", "I have left this address"),
        ("F", "", "Bu ünvanı tərk etmişəm"),
        ("X", "", "Bu ünvanı tərk etmişəm"),
    ],
)
def test_the_button_to_end_ones_own_stay_agrees_with_the_foreigners_sex(
    world: World, sex: str, lang: str, button: str
) -> None:
    reg = own_filing(sex=sex)
    page = looked_up(reg, lang).get(f"{lang}/stay/status/{reg.case.reference}/")
    form = page.content.decode().split('id="end-form"', 1)[1].split("</form>", 1)[0]
    assert f'<button type="submit" class="secondary">{button}</button>' in form
