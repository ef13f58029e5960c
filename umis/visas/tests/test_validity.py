"""An e-visa covers the whole stay it is applied for: valid 90 days from its issue, it is
not issued for a stay that would end after that (in the API and the portal form alike)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from umis.cases.models import Case
from umis.core import clock
from umis.core.outbox import outbox_drain
from umis.documents.models import IssuedDocument
from umis.payments.models import PaymentOrder
from umis.visas import workflow
from umis.visas.models import VisaApplication
from umis.visas.testing import application, pay_callback, photo_png, traveller
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


def _apply(client: Client, agency: Agency, language: str, **trip: Any) -> Any:
    return client.post(
        "/api/v1/evisa/applications",
        data=application(traveller(), **trip),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": language},
    )


def _day(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "An e-visa is valid for 90 days from its issue: entering on {entry}, the stay can "
            "last at most 2 days (until {last}). Choose a shorter stay or an earlier entry date.",
        ),
        (
            "ru",
            "Электронная виза действительна 90 дней со дня выдачи: при въезде {entry} "
            "пребывание может длиться не более 2 дней (до {last}). Выберите более короткий "
            "срок пребывания или более раннюю дату въезда.",
        ),
    ],
)
def test_a_stay_ending_after_the_visas_validity_is_refused_naming_the_length_of_stay(
    client: Client, agency: Agency, language: str, message: str
) -> None:
    entry, last = _day(88), _day(89)
    response = _apply(client, agency, language, entry_date=entry.isoformat(), stay_days=30)
    assert response.status_code == 422, response.content
    [error] = response.json()["error"]["errors"]
    assert (error["code"], error["field"]) == ("stay_beyond_validity", "stay_days")
    assert error["message"] == message.format(
        entry=entry.strftime("%d.%m.%Y"), last=last.strftime("%d.%m.%Y")
    )
    assert not Case.objects.exists()
    assert not PaymentOrder.objects.exists()


def test_an_entry_after_the_last_day_of_validity_is_refused_naming_the_entry_date(
    client: Client, agency: Agency
) -> None:
    response = _apply(client, agency, "en", entry_date=_day(90).isoformat(), stay_days=1)
    assert response.status_code == 422, response.content
    [error] = response.json()["error"]["errors"]
    assert (error["code"], error["field"]) == ("stay_beyond_validity", "entry_date")
    assert error["message"] == (
        "An e-visa is valid for 90 days from its issue: the entry must be on "
        f"{_day(89):%d.%m.%Y} at the latest."
    )
    assert not Case.objects.exists()


def test_a_stay_ending_on_the_last_day_of_validity_is_issued_and_covered(
    client: Client, agency: Agency
) -> None:
    response = _apply(client, agency, "en", entry_date=_day(60).isoformat(), stay_days=30)
    assert response.status_code == 201, response.content
    order = PaymentOrder.objects.get()
    pay_callback(client, order)
    outbox_drain()
    app = VisaApplication.objects.select_related("case").get()
    assert app.case.state == workflow.ISSUED
    document = IssuedDocument.objects.get(case=app.case)
    assert document.valid_from <= app.entry_date
    assert document.valid_until == _day(89) == app.entry_date + dt.timedelta(days=29)


def test_the_portal_form_shows_the_refusal_beside_the_length_of_stay(
    client: Client, agency: Agency
) -> None:
    trip = {k: v for k, v in application().items() if k != "applicants"}
    person = {k: v for k, v in traveller().items() if k != "photo"}
    photo = SimpleUploadedFile("me.png", photo_png(), "image/png")
    entry = _day(88)
    response = client.post(
        "/evisa/apply/",
        {**trip, **person, "photo": photo, "entry_date": entry.isoformat(), "stay_days": "30"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<p class="error" id="error_stay_days" role="alert">Elektron viza verildiyi gündən '
        f"90 gün etibarlıdır: ölkəyə {entry:%d.%m.%Y} tarixində daxil olduqda qalma müddəti ən çoxu "
        f"2 gün ola bilər ({_day(89):%d.%m.%Y} tarixinədək). Daha qısa qalma müddəti və ya "
        "daha erkən giriş tarixi seçin.</p>"
    ) in page
    assert not VisaApplication.objects.exists()
