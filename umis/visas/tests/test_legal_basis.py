"""An issued e-visa is a legal basis of its holder's stay: the stay the border reads, the
daily overstay job and the officer's person page all count it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.outbox import outbox_drain
from umis.documents.models import IssuedDocument
from umis.documents.services import document_annul
from umis.payments.models import PaymentOrder
from umis.people.models import TravelDocument
from umis.reference.models import LegalGround
from umis.visas import services, workflow
from umis.visas.models import VisaApplication
from umis.visas.selectors import evisa_bases
from umis.visas.testing import application, pay_callback, traveller, watchlist_entry
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


def _issued(client: Client, agency: Agency, *travellers: dict[str, Any]) -> list[VisaApplication]:
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(*travellers, stay_days=14),
        content_type="application/json",
        headers={"X-API-Key": agency.key},
    )
    assert response.status_code == 201, response.content
    order = PaymentOrder.objects.get(subject=response.json()["reference"])
    assert pay_callback(client, order).status_code == 200
    outbox_drain()
    return list(
        VisaApplication.objects.filter(group_reference=response.json()["reference"])
        .select_related("case")
        .order_by("case_id")
    )


def _enter(
    client: Client, key: str, day: dt.date, number: str = "C01X00T47", direction: str = "entry"
) -> int:
    """The holder crosses into the country on `day` with the passport the visa names (or,
    `direction="exit"`, out of it)."""
    response = send(
        client,
        key,
        [
            event(
                direction=direction,
                document_number=number,
                issuing_state="DEU",
                nationality="DE",
                surname="Müller",
                given_names="Anna Maria",
                birth_date="1980-05-17",
                sex="F",
                timestamp=at_day(day, hour=0),
            )
        ],
    )
    assert response.status_code == 200, response.content
    return TravelDocument.objects.get(number=number).person_id


def _stay(client: Client, key: str, person_id: int, on: dt.date, language: str = "en") -> Any:
    response = client.get(
        f"/api/v1/people/{person_id}/stay?on={on.isoformat()}",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_an_issued_evisa_is_the_legal_basis_of_the_holders_stay(
    client: Client, agency: Agency
) -> None:
    [app] = _issued(client, agency)
    assert app.case.state == workflow.ISSUED
    today = clock.today()
    key = border_key()
    person_id = _enter(client, key, today)
    assert person_id == app.person_id

    body = _stay(client, key, person_id, today)

    assert body["legal_basis"] == {
        "kind": "evisa",
        "label": f"e-visa {app.visa_number}, single entry, 14 days",
        "reference": app.visa_number,
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=89)).isoformat(),
    }
    assert body["regime"] == "14"
    assert (body["days_used"], body["days_remaining"], body["overstay_days"]) == (1, 13, 0)
    assert body["last_legal_day"] == (today + dt.timedelta(days=13)).isoformat()
    russian = _stay(client, key, person_id, today, language="ru")
    assert russian["legal_basis"]["label"] == (
        f"э-виза {app.visa_number}, однократный въезд, 14 дней"
    )


def test_the_stay_of_an_evisa_ends_with_the_visas_validity(client: Client, agency: Agency) -> None:
    """Entering on the visa's last valid day leaves one day, not fourteen."""
    [app] = _issued(client, agency)
    last_valid = clock.today() + dt.timedelta(days=89)
    key = border_key()
    with clock.frozen_at(dt.datetime.fromisoformat(at_day(last_valid, hour=12))):
        person_id = _enter(client, key, last_valid)
        body = _stay(client, key, person_id, last_valid)

    assert body["legal_basis"]["reference"] == app.visa_number
    assert body["last_legal_day"] == last_valid.isoformat()


def test_an_evisa_holder_still_inside_after_the_last_legal_day_is_found(
    client: Client, agency: Agency
) -> None:
    [app] = _issued(client, agency)
    today = clock.today()
    key = border_key()
    person_id = _enter(client, key, today)
    last_legal = today + dt.timedelta(days=13)

    overstays_detect(on=last_legal)
    assert not OverstayFinding.objects.filter(person_id=person_id).exists()

    summary = overstays_detect(on=last_legal + dt.timedelta(days=2))

    finding = OverstayFinding.objects.get(person_id=person_id, kind="overstay")
    assert summary["overstays"] == 1
    assert finding.entry_day == today
    assert finding.nationality == "DE"
    assert finding.last_legal_day == last_legal
    assert finding.days_over == 2
    assert app.visa_number in finding.legal_basis


def test_the_job_looks_only_at_visa_required_people_who_hold_a_known_document(
    client: Client, agency: Agency
) -> None:
    """Someone of a nationality without visa-free stay and no e-visa may hold a consular
    visa or a permit the system does not keep yet: not taken for an overstayer, and the
    daily job spends nothing on them."""
    today = clock.today()
    key = border_key()
    person_id = _enter(client, key, today - dt.timedelta(days=100))
    summary = overstays_detect(on=today)
    assert summary["candidates"] == 0
    assert not OverstayFinding.objects.filter(person_id=person_id, kind="overstay").exists()


def test_an_annulled_evisa_is_no_legal_basis(client: Client, agency: Agency) -> None:
    [app] = _issued(client, agency)
    document = IssuedDocument.objects.get(case=app.case, kind=IssuedDocument.Kind.EVISA)
    document_annul(actor=None, document=document, reason="test")
    today = clock.today()
    key = border_key()
    person_id = _enter(client, key, today)

    body = _stay(client, key, person_id, today)

    assert body["in_country"] is True
    assert body["legal_basis"] is None
    assert body["last_legal_day"] is None
    assert evisa_bases({person_id: "DE"}, today, today) == {}


def test_a_refused_application_is_no_legal_basis(client: Client, agency: Agency) -> None:
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47")
    [app] = _issued(client, agency)
    assert app.case.state == workflow.REFERRED
    services.visa_refuse(
        actor=agency.world.alice,
        case=app.case,
        expected_version=app.case.version,
        note="The applicant is under an entry ban.",
        legal_ground=LegalGround.objects.get(code="mc-visa-entry-ban"),
    )
    today = clock.today()
    key = border_key()
    person_id = _enter(client, key, today)

    body = _stay(client, key, person_id, today)

    assert body["legal_basis"] is None
    assert body["last_legal_day"] is None
    assert evisa_bases({person_id: "DE"}, today, today) == {}


def test_the_officers_person_page_names_the_evisa(client: Client, agency: Agency) -> None:
    [app] = _issued(client, agency)
    today = clock.today()
    person_id = _enter(client, border_key(), today)
    client.force_login(agency.world.hannah)

    page = client.get(f"/en/office/people/{person_id}/?purpose=supervision").content.decode()

    label = f"e-visa {app.visa_number}, single entry, 14 days"
    assert f"<dd>{label}</dd>" in page  # the legal basis of the stay
    valid = f"<time>{today:%d.%m.%Y}</time>–<time>{today + dt.timedelta(days=89):%d.%m.%Y}</time>"
    assert f'<li data-kind="evisa">{valid} ·\n  {label} </li>' in page  # the time line
    assert (today + dt.timedelta(days=13)).strftime("%d.%m.%Y") in page  # last legal day


def test_the_evisas_of_a_batch_of_persons_are_read_in_one_query(
    client: Client, agency: Agency, django_assert_num_queries: Any
) -> None:
    apps = _issued(
        client,
        agency,
        traveller(),
        traveller(given_names="Lena", birth_date="2010-02-03", document_number="C01X00T48"),
    )
    today = clock.today()
    persons = {a.person_id: "DE" for a in apps} | {10**9: "US"}

    with django_assert_num_queries(1):
        bases = evisa_bases(persons, today - dt.timedelta(days=800), today)

    assert sorted(bases) == sorted(a.person_id for a in apps)
    assert {b[0].reference for b in bases.values()} == {a.visa_number for a in apps}


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.fromisoformat(at_day(day, hour=12))


def _issued_on(day: dt.date, client: Client, agency: Agency) -> VisaApplication:
    """An e-visa applied for, paid and issued on `day` (valid from that day for 90 days)."""
    with clock.frozen_at(_moment(day)):
        [app] = _issued(client, agency)
    return app


def test_a_single_entry_evisa_is_no_basis_for_a_second_entry(
    client: Client, agency: Agency
) -> None:
    """The holder enters, leaves after six days and comes back within the visa's validity:
    the visa was used by the first entry, so the second stay has no legal basis."""
    issued = clock.today() - dt.timedelta(days=60)
    app = _issued_on(issued, client, agency)
    key = border_key()
    person_id = _enter(client, key, issued)
    _enter(client, key, issued + dt.timedelta(days=5), direction="exit")
    again = issued + dt.timedelta(days=20)
    _enter(client, key, again)

    during_first = _stay(client, key, person_id, issued + dt.timedelta(days=3))
    between = _stay(client, key, person_id, issued + dt.timedelta(days=10))
    body = _stay(client, key, person_id, again + dt.timedelta(days=2))

    assert during_first["legal_basis"]["reference"] == app.visa_number
    assert during_first["last_legal_day"] == (issued + dt.timedelta(days=13)).isoformat()
    assert between["in_country"] is False
    assert between["legal_basis"] is None  # no entry left on the visa
    assert between["last_legal_day"] is None
    assert body["in_country"] is True
    assert body["current_entry"] == again.isoformat()
    assert body["legal_basis"] is None
    assert body["regime"] is None
    assert (body["days_used"], body["days_remaining"]) == (0, 0)
    assert body["last_legal_day"] is None


def test_the_job_finds_a_holder_back_on_a_used_single_entry_evisa(
    client: Client, agency: Agency
) -> None:
    issued = clock.today() - dt.timedelta(days=60)
    _issued_on(issued, client, agency)
    key = border_key()
    person_id = _enter(client, key, issued)
    _enter(client, key, issued + dt.timedelta(days=5), direction="exit")
    again = issued + dt.timedelta(days=20)
    _enter(client, key, again)

    summary = overstays_detect(on=again + dt.timedelta(days=2))

    finding = OverstayFinding.objects.get(person_id=person_id, kind="overstay")
    assert summary["overstays"] == 1
    assert finding.entry_day == again
    assert finding.last_legal_day is None
    assert finding.days_over == 3  # every day of the second stay
    assert finding.nationality == "DE"


def test_leaving_and_coming_back_the_same_day_starts_no_new_count(
    client: Client, agency: Agency
) -> None:
    """Leaving and coming back on the same day does not open a new count of days: the
    visa's stay ends with that exit day."""
    issued = clock.today() - dt.timedelta(days=60)
    _issued_on(issued, client, agency)
    key = border_key()
    person_id = _enter(client, key, issued)
    left = issued + dt.timedelta(days=5)
    _enter(client, key, left, direction="exit")
    response = send(
        client,
        key,
        [
            event(
                document_number="C01X00T47",
                issuing_state="DEU",
                nationality="DE",
                surname="Müller",
                given_names="Anna Maria",
                birth_date="1980-05-17",
                sex="F",
                timestamp=at_day(left, hour=20),
            )
        ],
    )
    assert response.status_code == 200, response.content

    body = _stay(client, key, person_id, left)
    assert body["current_entry"] == left.isoformat()
    assert body["last_legal_day"] == left.isoformat()
    assert not OverstayFinding.objects.filter(person_id=person_id).exists()
    overstays_detect(on=left + dt.timedelta(days=1))
    finding = OverstayFinding.objects.get(person_id=person_id, kind="overstay")
    assert (finding.entry_day, finding.last_legal_day, finding.days_over) == (left, left, 1)


def test_a_second_evisa_is_the_basis_of_a_second_visit(client: Client, agency: Agency) -> None:
    issued = clock.today() - dt.timedelta(days=60)
    _issued_on(issued, client, agency)
    key = border_key()
    person_id = _enter(client, key, issued)
    _enter(client, key, issued + dt.timedelta(days=5), direction="exit")
    second = _issued_on(issued + dt.timedelta(days=15), client, agency)
    again = issued + dt.timedelta(days=20)
    _enter(client, key, again)

    body = _stay(client, key, person_id, again + dt.timedelta(days=2))
    summary = overstays_detect(on=again + dt.timedelta(days=2))

    assert body["legal_basis"]["reference"] == second.visa_number
    assert (body["days_used"], body["days_remaining"]) == (3, 11)
    assert body["last_legal_day"] == (again + dt.timedelta(days=13)).isoformat()
    assert summary["overstays"] == 0
    assert not OverstayFinding.objects.filter(person_id=person_id).exists()


def test_two_evisas_held_before_the_first_trip_allow_two_visits(
    client: Client, agency: Agency
) -> None:
    """Both visas are valid at the first entry: that entry uses one of them (the one valid
    from earlier), the second entry the other."""
    issued = clock.today() - dt.timedelta(days=60)
    first = _issued_on(issued, client, agency)
    second = _issued_on(issued + dt.timedelta(days=1), client, agency)
    key = border_key()
    person_id = _enter(client, key, issued + dt.timedelta(days=2))
    _enter(client, key, issued + dt.timedelta(days=5), direction="exit")
    again = issued + dt.timedelta(days=20)
    _enter(client, key, again)

    during_first = _stay(client, key, person_id, issued + dt.timedelta(days=3))
    body = _stay(client, key, person_id, again + dt.timedelta(days=2))
    summary = overstays_detect(on=again + dt.timedelta(days=2))

    assert during_first["legal_basis"]["reference"] == first.visa_number
    assert body["legal_basis"]["reference"] == second.visa_number
    assert body["last_legal_day"] == (again + dt.timedelta(days=13)).isoformat()
    assert summary["overstays"] == 0
