"""Back from the payment gateway: the payer reads the language they were reading in, and
a payment cancelled on the gateway's page is said to be cancelled, with the pay button."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core import clock
from umis.core.outbox import outbox_drain
from umis.payments.models import PaymentOrder
from umis.payments.testing import return_path, simulator_running
from umis.visas import workflow
from umis.visas.models import VisaApplication
from umis.visas.testing import pay_callback
from umis.visas.tests.conftest import Agency
from umis.visas.tests.test_portal import _form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("switched_to", "status_page"), [("ru", "/ru/evisa/"), ("az", "/evisa/")])
def test_a_language_chosen_after_applying_is_kept_on_the_way_back(
    client: Client, agency: Agency, switched_to: str, status_page: str
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    client.post(
        "/language/",
        {"language": switched_to, "next": f"/en/evisa/status/{app.group_reference}"},
    )
    back = client.get(return_path(app.payment_order))
    assert back.status_code == 302
    assert back["Location"] == f"{status_page}status/{app.group_reference}"


def test_a_payment_cancelled_on_the_gateways_page_offers_the_pay_button_again(
    client: Client, agency: Agency, settings: Any, tmp_path: Path
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.select_related("case").get()
    with simulator_running(
        secret=settings.UMIS_PAYMENT_SECRET, statement_dir=tmp_path / "statements"
    ) as sim:
        settings.UMIS_PAYMENT_GATEWAY_URL = sim.url
        checkout = client.get(f"/en/evisa/status/{app.group_reference}/pay")["Location"]
        back = sim.cancel(checkout)
    assert back == settings.UMIS_PUBLIC_URL + return_path(app.payment_order, cancelled=True)
    response = client.get(back.removeprefix(settings.UMIS_PUBLIC_URL), follow=True)
    assert response.redirect_chain[-1][0] == (f"/en/evisa/status/{app.group_reference}?cancelled=1")
    page = response.content.decode()
    assert (
        '<p class="alert warn" role="status" id="payment-cancelled">The payment was cancelled: '
        "the fee is not paid. Pay it to have the application decided.</p>"
    ) in page
    assert f'id="pay-link" href="/en/evisa/status/{app.group_reference}/pay"' in page
    assert 'id="payment-waiting"' not in page
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.PENDING
    assert VisaApplication.objects.get().case.state == workflow.AWAITING_PAYMENT


def test_the_cancellation_is_said_in_the_applicants_language(
    client: Client, agency: Agency
) -> None:
    client.post("/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    page = client.get(return_path(app.payment_order, cancelled=True), follow=True).content.decode()
    assert "Ödəniş ləğv edildi: rüsum ödənilməyib." in page
    assert "Rüsumu ödəyin" in page


def test_a_cancellation_added_to_the_address_of_a_paid_order_changes_nothing(
    client: Client, agency: Agency
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    pay_callback(client, app.payment_order)
    outbox_drain()
    page = client.get(return_path(app.payment_order, cancelled=True), follow=True).content.decode()
    assert 'data-status="paid"' in page
    assert 'data-state="issued"' in page
    assert 'id="payment-cancelled"' not in page and 'id="pay-link"' not in page
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.PAID


def test_back_from_the_bank_before_its_confirmation_the_page_says_so_until_it_comes(
    client: Client, agency: Agency
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    order = app.payment_order
    status = f"/en/evisa/status/{app.group_reference}"

    moment = clock.now()
    with clock.frozen_at(moment):
        back = client.get(return_path(order), follow=True)
    assert back.redirect_chain[-1][0] == status
    stored = PaymentOrder.objects.get()
    assert (stored.status, stored.returned_at) == (PaymentOrder.Status.PENDING, moment)
    assert AuditEvent.objects.filter(action="PAYMENT_RETURNED", entity_id=str(order.pk)).exists()

    # read again (reloaded, opened later): still being confirmed, no second pay button
    again = client.get(status)
    page = again.content.decode()
    assert 'id="payment-waiting"' in page and 'id="pay-link"' not in page
    assert f'<a class="button secondary" id="payment-reload" href="{status}">' in page
    assert again["Refresh"] == "10"  # the page reloads itself while it waits
    # a pay button of a page read before (or the address typed): no second payment
    refused = client.get(f"{status}/pay", follow=True)
    assert refused.redirect_chain == [(status, 302)]
    assert "Your payment is being confirmed by the bank: do not pay again." in (
        refused.content.decode()
    )
    assert AuditEvent.objects.filter(
        action="PAYMENT_START_REFUSED", data__code="payment_being_confirmed"
    ).exists()

    # the bank's notification comes: paid, nothing more to wait for
    pay_callback(client, PaymentOrder.objects.get())
    outbox_drain()
    paid = client.get(status)
    assert 'data-status="paid"' in paid.content.decode()
    assert 'id="payment-waiting"' not in paid.content.decode()
    assert "Refresh" not in paid


def test_without_the_banks_confirmation_paying_is_offered_again_after_a_while(
    client: Client, agency: Agency
) -> None:
    client.post("/ru/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    client.get(return_path(app.payment_order))
    status = f"/ru/evisa/status/{app.group_reference}"
    waiting = client.get(status).content.decode()
    assert "Не платите повторно, пока банк подтверждает платёж" in waiting
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=16)):
        page = client.get(status).content.decode()
    assert 'id="pay-link"' in page and 'id="payment-waiting"' not in page
    # a cancellation on the gateway's page ends the wait at once
    client.get(return_path(app.payment_order))
    client.get(return_path(app.payment_order, cancelled=True))
    assert PaymentOrder.objects.get().returned_at is None
    assert 'id="pay-link"' in client.get(status).content.decode()


def test_a_return_address_made_up_from_the_order_number_does_not_hold_the_payment(
    client: Client, agency: Agency, settings: Any
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    order = app.payment_order
    # someone who learnt the order's number opens its return address without the signature
    refused = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/payments/return/{order.number}")
    assert refused.status_code == 400
    assert "This return address from the bank is not valid" in refused.content.decode()
    assert app.group_reference not in refused.content.decode()
    assert PaymentOrder.objects.get().returned_at is None
    assert AuditEvent.objects.filter(
        action="PAYMENT_RETURN_REFUSED", entity_id=str(order.pk), data__code="return_unsigned"
    ).exists()
    # the applicant is not made to wait: the pay button is there and leads to the gateway
    status = f"/en/evisa/status/{app.group_reference}"
    page = client.get(status)
    assert 'id="pay-link"' in page.content.decode()
    assert 'id="payment-waiting"' not in page.content.decode() and "Refresh" not in page
    assert client.get(f"{status}/pay")["Location"].startswith(settings.UMIS_PAYMENT_GATEWAY_URL)


def test_the_wait_for_the_banks_confirmation_and_the_reload_follow_the_settings(
    client: Client, agency: Agency, settings: Any
) -> None:
    settings.UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES = 3
    settings.UMIS_EVISA_STATUS_RELOAD_SECONDS = 25
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    status = f"/en/evisa/status/{app.group_reference}"
    client.get(return_path(app.payment_order))
    waiting = client.get(status)
    assert waiting["Refresh"] == "25"
    assert "If the bank has not confirmed the payment within 3 minutes" in (
        waiting.content.decode()
    )
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=2, seconds=50)):
        assert 'id="payment-waiting"' in client.get(status).content.decode()
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=3, seconds=10)):
        page = client.get(status).content.decode()
    assert 'id="pay-link"' in page and 'id="payment-waiting"' not in page


def test_a_wait_of_one_minute_is_told_in_the_singular(
    client: Client, agency: Agency, settings: Any
) -> None:
    settings.UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES = 1
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    client.get(return_path(app.payment_order))
    hint = client.get(f"/en/evisa/status/{app.group_reference}").content.decode()
    assert "If the bank has not confirmed the payment within 1 minute, you can pay again" in hint
    ru = client.get(f"/ru/evisa/status/{app.group_reference}").content.decode()
    assert "Если банк не подтвердит платёж в течение 1 минуты, вы сможете" in ru


@pytest.mark.parametrize("cancelled", [False, True])
def test_an_unsigned_return_of_a_payment_started_before_signing_shows_the_payers_own_page(
    client: Client, agency: Agency, cancelled: bool
) -> None:
    # a payment started before the return address was signed: the bank sends the payer
    # back by the address it was given then, without a signature
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    order = app.payment_order
    unsigned = f"/payments/return/{order.number}" + ("?cancelled=1" if cancelled else "")
    response = client.get(unsigned, follow=True)
    status = f"/en/evisa/status/{app.group_reference}"
    assert response.redirect_chain[-1] == (
        f"{status}?cancelled=1" if cancelled else status,
        302,
    )
    page = response.content.decode()
    assert 'id="payment-waiting"' not in page
    assert f'id="pay-link" href="{status}/pay"' in page
    # nothing recorded on the order: the address proves nothing
    stored = PaymentOrder.objects.get()
    assert (stored.status, stored.returned_at) == (PaymentOrder.Status.PENDING, None)
    assert not AuditEvent.objects.filter(action="PAYMENT_RETURNED").exists()
    refused = AuditEvent.objects.get(action="PAYMENT_RETURN_REFUSED")
    assert (refused.entity_id, refused.data["code"]) == (str(order.pk), "return_unsigned")
    # the bank's notification still settles it
    pay_callback(client, PaymentOrder.objects.get())
    assert 'data-status="paid"' in client.get(status).content.decode()


def test_an_unsigned_return_in_another_browser_says_no_more_than_a_made_up_number(
    client: Client, agency: Agency
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    order = app.payment_order
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    other = f"{order.number[:-3]}XYZ"
    known = stranger.get(f"/payments/return/{order.number}")
    made_up = stranger.get(f"/payments/return/{other}")
    assert (known.status_code, made_up.status_code) == (400, 400)
    # the same page but for the address itself (the language switch names it) and the
    # language form's token, new on every page

    def page(response: Any, number: str) -> str:
        text = response.content.decode().replace(number, "N")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)

    assert page(known, order.number) == page(made_up, other)
    assert app.group_reference not in known.content.decode()
    # and in the payer's own browser a signature not made for the order is still refused
    forged = client.get(f"/payments/return/{order.number}?signature=forged")
    assert forged.status_code == 400
    assert PaymentOrder.objects.get().returned_at is None


def test_the_banks_return_address_leads_to_the_status_page_without_a_paid_mark(
    client: Client, agency: Agency
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    status = f"/en/evisa/status/{app.group_reference}"
    back = client.get(return_path(app.payment_order), follow=True)
    assert back.redirect_chain[-1] == (status, 302)
    assert 'id="payment-waiting"' in back.content.decode()
    # an address with the mark, as the bank was given before, shows the same page
    old = client.get(f"{status}?paid=1")
    assert old.status_code == 200

    def shown(page: str) -> str:  # less the form tokens and the language switch's way back
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
        return page.replace(f'value="{status}?paid=1"', f'value="{status}"')

    assert shown(old.content.decode()) == shown(client.get(status).content.decode())


def test_the_return_from_the_bank_opened_twice_is_recorded_once(
    client: Client, agency: Agency
) -> None:
    # the bank's page sending the payer back twice, or the page reloaded: one return, one
    # audit row, and the wait for the bank's confirmation is not drawn out
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    order = app.payment_order
    status = f"/en/evisa/status/{app.group_reference}"
    moment = clock.now()
    with clock.frozen_at(moment):
        first = client.get(return_path(order), follow=True)
    with clock.frozen_at(moment + dt.timedelta(seconds=30)):
        again = client.get(return_path(order), follow=True)
    assert first.redirect_chain[-1][0] == again.redirect_chain[-1][0] == status
    assert 'id="payment-waiting"' in again.content.decode()
    assert PaymentOrder.objects.get().returned_at == moment
    assert AuditEvent.objects.filter(action="PAYMENT_RETURNED").count() == 1
    # once the payment is recorded, the return opened again changes nothing
    pay_callback(client, PaymentOrder.objects.get())
    outbox_drain()
    late = client.get(return_path(order), follow=True)
    assert 'data-status="paid"' in late.content.decode()
    assert AuditEvent.objects.filter(action="PAYMENT_RETURNED").count() == 1
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.PAID
