"""A host who later registers, at the same address, a guest who had registered his own stay
takes the foreigner's own filing over: it ends for that reason, not as a move."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.cases.models import Case, CaseEvent
from umis.core import clock
from umis.core.testing import World, guest
from umis.documents.models import IssuedDocument
from umis.stays.models import StayRegistration
from umis.stays.testing import post, register
from umis.stays.tests.test_own_filing import file_own

pytestmark = pytest.mark.django_db


def own_filing(arrival: dt.date) -> StayRegistration:
    """The foreigner registered himself at Nizami küçəsi 10, Baku, on the day he arrived."""
    with clock.frozen_at(dt.datetime.combine(arrival, dt.time(12), tzinfo=dt.UTC)):
        reg = file_own(arrival_date=arrival.isoformat()).registration
    assert reg is not None
    return reg


def test_the_host_s_registration_at_the_same_address_takes_the_own_filing_over(
    world: World,
) -> None:
    arrival = clock.today() - dt.timedelta(days=20)
    own = own_filing(arrival)
    # the hotel registers him at the same address (written differently) from the same day
    case = register(world, arrival_date=arrival.isoformat(), street="NIZAMI  küçəsi 10 ")
    new = StayRegistration.objects.get(case=case)
    assert (new.moved_on, new.move_deadline, new.late) == (None, None, False)
    assert not Case.objects.get(pk=case.pk).needs_attention
    submitted = case.events.get(action="CASE_SUBMITTED")
    assert submitted.data["took_over"] == [own.case.reference]
    assert "moved_from" not in submitted.data
    audit = AuditEvent.objects.get(action="STAY_REGISTRATION_SUBMITTED", entity_id=str(new.pk))
    assert audit.data["took_over"] == [own.case.reference] and "moved_from" not in audit.data

    own.refresh_from_db()
    assert (own.active, own.ended_on, own.superseded_by) == (False, arrival, new)
    own_case = Case.objects.get(pk=own.case_id)
    assert own_case.state == "ended"
    ended = CaseEvent.objects.get(case=own_case, to_state="ended")
    assert ended.action == "STAY_REGISTRATION_TAKEN_OVER"
    assert ended.data == {
        "left_on": arrival.isoformat(),
        "reason": "taken_over",
        "registered_at": case.reference,
    }
    assert AuditEvent.objects.filter(
        action="STAY_REGISTRATION_TAKEN_OVER", entity_id=str(own_case.pk)
    ).exists()
    assert not AuditEvent.objects.filter(action="STAY_REGISTRATION_SUPERSEDED").exists()
    shortened = AuditEvent.objects.get(action="DOCUMENT_VALIDITY_SHORTENED")
    assert shortened.data["reason"] == "taken_over"
    assert IssuedDocument.objects.get(case=own_case).valid_until == arrival


@pytest.mark.parametrize(
    ("lang", "label", "stay"),
    [
        (
            "/en",
            "Stay ended: the receiving party registered the guest at the same address",
            "ended: the receiving party's registration at this address replaced it",
        ),
        (
            "",
            "Qalma başa çatıb: qəbul edən tərəf qonağı həmin ünvanda qeydiyyata alıb",
            "başa çatıb: qəbul edən tərəfin bu ünvandakı qeydiyyatı onu əvəz edib",
        ),
        (
            "/ru",
            "Пребывание завершено: принимающая сторона зарегистрировала гостя по тому же адресу",
            "завершена: её заменила регистрация принимающей стороны по этому адресу",
        ),
    ],
)
def test_the_officer_reads_why_the_own_filing_ended(
    world: World, client: Client, lang: str, label: str, stay: str
) -> None:
    own = own_filing(clock.today() - dt.timedelta(days=1))
    register(world)
    client.force_login(world.alice)
    page = client.get(f"{lang}/office/cases/{own.case.reference}/").content.decode()
    history = page.split('id="history"', 1)[1]
    assert f'data-action="STAY_REGISTRATION_TAKEN_OVER">{label}</span>' in history
    assert stay in page.split('id="stay">', 1)[1].split("</dd>", 1)[0]


def test_at_another_address_it_stays_a_move(world: World) -> None:
    own = own_filing(clock.today() - dt.timedelta(days=3))
    case = register(world, street="Füzuli küçəsi 3")
    new = StayRegistration.objects.get(case=case)
    assert new.moved_on == clock.today() - dt.timedelta(days=1)
    assert case.events.get(action="CASE_SUBMITTED").data["moved_from"] == [own.case.reference]
    own.refresh_from_db()
    assert not own.active and own.superseded_by == new
    ended = CaseEvent.objects.get(case_id=own.case_id, to_state="ended")
    assert (ended.action, ended.data["reason"]) == ("STAY_REGISTRATION_SUPERSEDED", "moved")


def test_the_foreigner_reads_that_the_host_s_registration_replaced_his(world: World) -> None:
    own = own_filing(clock.today() - dt.timedelta(days=1))
    browser = Client()
    browser.post(
        "/en/stay/status/",
        {"reference": own.case.reference, "document_number": own.travel_document.number},
    )
    register(world, arrival_date=clock.today().isoformat())
    page = browser.get(f"/en/stay/status/{own.case.reference}/").content.decode()
    assert (
        f'<p id="ending" data-how="taken_over">From {clock.today():%d.%m.%Y} the receiving '
        "party's registration at this address replaces this one.</p>"
    ) in page
    assert 'id="end-form"' not in page


@pytest.mark.parametrize(
    ("lang", "told"),
    [
        (
            "/en",
            "The guest had registered this stay himself; from {date} your registration "
            "replaces his.",
        ),
        (
            "",
            "Qonaq bu qalmanı özü qeydiyyata alıb; {date} tarixindən sizin qeydiyyatınız onu əvəz edir.",
        ),
        (
            "/ru",
            "Гость сам зарегистрировал это пребывание; с {date} его регистрацию заменяет ваша.",
        ),
    ],
)
def test_the_web_form_tells_the_host_it_took_the_own_filing_over(
    world: World, client: Client, lang: str, told: str
) -> None:
    own_filing(clock.today() - dt.timedelta(days=2))
    client.force_login(world.harry)
    arrival = clock.today() - dt.timedelta(days=1)
    form = guest(street="Nizami küçəsi 10", arrival_date=arrival.isoformat())
    page = client.post(f"{lang}/host/register/", form, follow=True).content.decode()
    assert told.format(date=f"{arrival:%d.%m.%Y}") in page
    assert "Recorded as a move" not in page


API = "/api/v1/stay-registrations"
TOLD = {
    "en": "The guest had registered this stay himself; from {date} your registration replaces his.",
    "az": "Qonaq bu qalmanı özü qeydiyyata alıb; {date} tarixindən sizin qeydiyyatınız onu əvəz edir.",
    "ru": "Гость сам зарегистрировал это пребывание; с {date} его регистрацию заменяет ваша.",
}


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
def test_the_api_answer_tells_the_host_it_took_the_own_filing_over(
    world: World, client: Client, lang: str
) -> None:
    own = own_filing(clock.today() - dt.timedelta(days=2))
    arrival = clock.today() - dt.timedelta(days=1)
    body = guest(street="Nizami küçəsi 10", arrival_date=arrival.isoformat())
    response = post(client, API, body, world.hotel_key, lang)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["move"] is None
    assert created["taken_over"] == {
        "code": "own_filing_taken_over",
        "ended_registrations": [own.case.reference],
        "ended_on": arrival.isoformat(),
        "message": TOLD[lang].format(date=f"{arrival:%d.%m.%Y}"),
    }
    # every later read of the registration tells the same, in the reader's language
    read = client.get(
        f"{API}/{created['reference']}", HTTP_X_API_KEY=world.hotel_key, HTTP_ACCEPT_LANGUAGE="ru"
    ).json()
    assert read["taken_over"] == {
        **created["taken_over"],
        "message": TOLD["ru"].format(date=f"{arrival:%d.%m.%Y}"),
    }


def test_each_item_of_a_batch_tells_whether_it_took_an_own_filing_over(
    world: World, client: Client
) -> None:
    own = own_filing(clock.today() - dt.timedelta(days=2))
    arrival = clock.today() - dt.timedelta(days=1)
    items = [
        guest(document_number="C7654321", surname="Quliyev", birth_date="1990-05-05"),
        guest(arrival_date=arrival.isoformat()),
    ]
    response = post(client, f"{API}/bulk", {"items": items}, world.hotel_key, "en")
    assert response.status_code == 200, response.content
    first, second = response.json()["items"]
    assert (first["status"], first["taken_over"]) == ("accepted", None)
    assert second["status"] == "accepted"
    assert second["taken_over"] == {
        "code": "own_filing_taken_over",
        "ended_registrations": [own.case.reference],
        "ended_on": arrival.isoformat(),
        "message": TOLD["en"].format(date=f"{arrival:%d.%m.%Y}"),
    }


def test_a_registration_that_took_nothing_over_says_so(world: World, client: Client) -> None:
    other = guest(document_number="C7654321", surname="Quliyev", birth_date="1990-05-05")
    response = post(client, API, other, world.hotel_key, "en")
    assert response.status_code == 201, response.content
    assert response.json()["taken_over"] is None
    own = own_filing(clock.today() - dt.timedelta(days=3))
    # at another address it is a move: the guest's own filing is not named
    moved = post(client, API, guest(street="Füzuli küçəsi 3"), world.hotel_key, "en").json()
    assert moved["taken_over"] is None and moved["move"] is not None
    assert own.case.reference not in json.dumps(moved)
