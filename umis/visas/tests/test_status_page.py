"""The e-visa pages as an applicant sees them: the link from the e-mail, paying once, the fee."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from umis.payments.models import PaymentOrder
from umis.payments.testing import return_path
from umis.visas.models import VisaApplication
from umis.visas.testing import application, photo_png, traveller
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


def apply(client: Client) -> VisaApplication:
    fields = {k: v for k, v in application().items() if k != "applicants"}
    person = {k: v for k, v in traveller().items() if k != "photo"}
    photo = SimpleUploadedFile("me.png", photo_png(), "image/png")
    assert client.post("/en/evisa/apply/", {**fields, **person, "photo": photo}).status_code == 302
    return VisaApplication.objects.get()


def test_the_link_in_another_browser_asks_for_the_passport_with_the_reference_filled_in(
    client: Client, agency: Agency
) -> None:
    app = apply(client)
    stranger = Client()
    response = stranger.get(f"/ru/evisa/status/{app.group_reference}", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/ru/evisa/status/?reference={app.group_reference}"
    assert (
        f'id="id_reference" name="reference" maxlength="30" required aria-required="true" value="{app.group_reference}"'
        in page
    )
    assert (
        f"Чтобы открыть заявление {app.group_reference}, подтвердите его номером паспорта" in page
    )
    assert app.travel_document.number not in page


def test_the_lookup_form_ignores_a_reference_of_another_form(client: Client) -> None:
    page = client.get('/en/evisa/status/?reference=<b>"x').content.decode()
    assert "confirm it with the passport number" not in page
    assert "<b>" not in page


def test_paid_in_the_address_alone_does_not_hold_the_payment_as_being_confirmed(
    client: Client, agency: Agency
) -> None:
    app = apply(client)
    page = client.get(f"/en/evisa/status/{app.group_reference}?paid=1")
    text = page.content.decode()
    assert 'id="payment-waiting"' not in text
    assert f'id="pay-link" href="/en/evisa/status/{app.group_reference}/pay"' in text
    assert "Refresh" not in page
    assert PaymentOrder.objects.get().returned_at is None


def test_while_the_bank_confirms_there_is_no_second_pay_button(
    client: Client, agency: Agency
) -> None:
    app = apply(client)
    client.get(return_path(app.payment_order))
    waiting = client.get(f"/en/evisa/status/{app.group_reference}").content.decode()
    assert 'id="payment-waiting"' in waiting
    assert 'id="pay-link"' not in waiting
    assert f'href="/en/evisa/status/{app.group_reference}"' in waiting


def test_the_apply_form_shows_the_fee_per_traveller(client: Client, agency: Agency) -> None:
    page = client.get("/en/evisa/apply/").content.decode()
    assert (
        '<li data-speed="standard">Standard (3 working days): 25.00 USD per traveller '
        "(state fee 20.00 + service fee 5.00)</li>"
    ) in page
    assert (
        '<li data-speed="urgent">Urgent (3 hours): 65.00 USD per traveller '
        "(state fee 60.00 + service fee 5.00)</li>"
    ) in page


def test_back_from_the_bank_in_another_browser_the_payer_is_told_what_to_do(
    client: Client, agency: Agency
) -> None:
    app = apply(client)
    other_browser = Client()
    response = other_browser.get(return_path(app.payment_order), follow=True)
    assert response.redirect_chain[-1][0] == "/en/evisa/status/?payment=returned"
    page = response.content.decode()
    assert (
        '<p class="alert warn" role="status" id="back-from-bank" data-payment="returned">'
        "You are back from the bank's payment page. To see the application and whether its fee "
        "is paid, enter the application reference and the passport number of one of its "
        "travellers. The reference (EV-…) is in the e-mail sent when the application was made."
        "</p>"
    ) in page
    # the payment's address names no application: the reference is not given away
    assert app.group_reference not in page
    assert 'name="reference" maxlength="30" required aria-required="true" value=""' in page
    shown = other_browser.post(
        "/en/evisa/status/",
        {"reference": app.group_reference, "passport_number": app.travel_document.number},
        follow=True,
    )
    assert 'id="payment-status" data-status="pending"' in shown.content.decode()


def test_cancelled_at_the_bank_in_another_browser_the_payer_is_told_how_to_pay(
    client: Client, agency: Agency
) -> None:
    fields = {k: v for k, v in application().items() if k != "applicants"}
    person = {k: v for k, v in traveller().items() if k != "photo"}
    photo = SimpleUploadedFile("me.png", photo_png(), "image/png")
    assert client.post("/ru/evisa/apply/", {**fields, **person, "photo": photo}).status_code == 302
    app = VisaApplication.objects.get()
    response = Client().get(return_path(app.payment_order, cancelled=True), follow=True)
    assert response.redirect_chain[-1][0] == "/ru/evisa/status/?payment=cancelled"
    page = response.content.decode()
    assert "Платёж на странице банка отменён: пошлина не оплачена." in page
    assert app.group_reference not in page
