from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.outbox import outbox_drain
from umis.payments import purposes
from umis.payments.gateway import SIGNATURE_HEADER, sign, statement_render
from umis.payments.models import PaymentEvent, PaymentOrder, Refund
from umis.payments.services import (
    FeeLine,
    fees_load_defaults,
    payment_checkout_url,
    payment_order_create,
    payment_refund_record,
)

pytestmark = pytest.mark.django_db

PAID: list[str] = []


@pytest.fixture(autouse=True)
def _purpose() -> Any:
    fees_load_defaults()
    PAID.clear()
    purposes.register(
        purposes.Purpose(
            code="test",
            on_paid=lambda order: PAID.append(order.number),
            return_path=lambda o, cancelled: "/",
        )
    )
    yield


def _order(quantity: int = 1) -> PaymentOrder:
    return payment_order_create(
        actor=None, purpose="test", subject="T-1", lines=[FeeLine("evisa.standard", quantity)]
    )


def _event(o: PaymentOrder, **overrides: Any) -> dict[str, Any]:
    body = {
        "event_id": "EV1",
        "kind": "payment.succeeded",
        "order": o.number,
        "transaction_id": "TX1",
        "amount": str(o.amount),
        "currency": o.currency,
        "paid_at": "2026-11-22T10:00:00+00:00",
    }
    body.update(overrides)
    return body


def _post(client: Client, body: Any, *, secret: str | None = None, raw: bytes | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body).encode()
    return client.post(
        "/payments/callback",
        data=data,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(secret or settings.UMIS_PAYMENT_SECRET, data)},
    )


def test_order_amount_comes_from_the_fee_schedule() -> None:
    order = _order(quantity=3)
    assert order.amount == Decimal("60.00")
    assert order.currency == "USD"
    assert order.status == PaymentOrder.Status.PENDING


def test_callback_twice_applies_the_payment_once(client: Client) -> None:
    order = _order()
    first = _post(client, _event(order))
    second = _post(client, _event(order))
    assert first.status_code == 200 and first.json()["status"] == "applied"
    assert second.status_code == 200 and second.json()["duplicate"] is True
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert order.transaction_id == "TX1"
    assert [order.number] == PAID
    assert PaymentEvent.objects.count() == 1


def test_a_second_payment_for_a_paid_order_is_recorded_to_be_refunded(client: Client) -> None:
    order = _order()
    _post(client, _event(order))
    again = _post(client, _event(order, event_id="EV2", transaction_id="TX2"))
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate_payment"
    assert [order.number] == PAID
    order.refresh_from_db()
    assert order.transaction_id == "TX1"
    assert PaymentEvent.objects.get(event_id="EV2").outcome == "duplicate_payment"
    [audit] = AuditEvent.objects.filter(action="PAYMENT_DUPLICATE_RECEIVED")
    assert audit.entity_id == str(order.pk)
    assert audit.data["transaction_id"] == "TX2"
    assert audit.data["paid_with"] == "TX1"
    assert audit.data["amount"] == "20.00"
    # the gateway repeating that notification is not a third payment
    assert _post(client, _event(order, event_id="EV2", transaction_id="TX2")).json() == {
        "status": "duplicate_payment",
        "duplicate": True,
        "order": order.number,
    }
    assert AuditEvent.objects.filter(action="PAYMENT_DUPLICATE_RECEIVED").count() == 1


def test_a_second_payment_for_a_paid_order_is_given_back_once(client: Client) -> None:
    order = _order()
    _post(client, _event(order))
    _post(client, _event(order, event_id="EV2", transaction_id="TX2"))
    assert not Refund.objects.exists()  # the worker gives it back, after the commit
    outbox_drain()
    [refund] = Refund.objects.all()
    assert (refund.order_id, refund.subject, refund.status) == (
        order.pk,
        "duplicate:TX2",
        Refund.Status.REFUNDED,
    )
    assert (refund.amount, refund.currency, refund.gateway_reference) == (
        Decimal("20.00"),
        "USD",
        "RF-TX2",
    )
    [audit] = AuditEvent.objects.filter(action="PAYMENT_REFUNDED")
    assert audit.data["subject"] == "duplicate:TX2"
    order.refresh_from_db()
    assert (order.status, order.transaction_id) == (PaymentOrder.Status.PAID, "TX1")
    # the gateway telling it again, and the worker running again, give nothing more back
    _post(client, _event(order, event_id="EV2", transaction_id="TX2"))
    outbox_drain()
    assert Refund.objects.count() == 1
    assert AuditEvent.objects.filter(action="PAYMENT_REFUNDED").count() == 1


def test_the_same_payment_told_again_under_a_new_event_id_is_already_paid(
    client: Client,
) -> None:
    order = _order()
    _post(client, _event(order))
    again = _post(client, _event(order, event_id="EV2"))
    assert again.json()["status"] == "already_paid"
    assert not AuditEvent.objects.filter(action="PAYMENT_DUPLICATE_RECEIVED").exists()
    assert [order.number] == PAID


def test_failure_arriving_after_success_changes_nothing(client: Client) -> None:
    order = _order()
    _post(client, _event(order, event_id="EV-OK"))
    _post(client, _event(order, event_id="EV-FAIL", kind="payment.failed"))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID


def test_failure_then_success_in_any_order_pays(client: Client) -> None:
    order = _order()
    _post(client, _event(order, event_id="EV-FAIL", kind="payment.failed"))
    _post(client, _event(order, event_id="EV-OK"))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID


def test_bad_signature_is_rejected_and_logged(client: Client) -> None:
    order = _order()
    response = _post(client, _event(order), secret="forged-secret")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_signature"
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING
    assert AuditEvent.objects.filter(action="PAYMENT_CALLBACK_REJECTED").exists()
    assert PAID == []


def test_wrong_amount_is_refused_and_not_paid(client: Client) -> None:
    order = _order()
    response = _post(client, _event(order, amount="1.00"))
    assert response.status_code == 422
    assert response.json()["code"] == "amount_mismatch"
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING
    # the gateway retrying the same event gets the same refusal, nothing paid
    assert _post(client, _event(order, amount="1.00")).status_code == 422
    assert PAID == []


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b"{}",
        json.dumps({"event_id": "E", "kind": "payment.succeeded", "order": "X"}).encode(),
        json.dumps(
            {
                "event_id": "E",
                "kind": "payment.succeeded",
                "order": "X",
                "transaction_id": "T",
                "amount": "NaN",
                "currency": "USD",
            }
        ).encode(),
        b"x" * 20_000,
    ],
)
def test_malformed_callbacks_get_a_clear_400(client: Client, raw: bytes) -> None:
    response = _post(client, None, raw=raw)
    assert response.status_code == 400
    assert response.json()["code"] in {"callback_malformed", "callback_too_large"}


def test_callback_for_an_unknown_order_pays_nothing(client: Client) -> None:
    order = _order()
    response = _post(client, _event(order, order="PNOSUCH"))
    assert response.json()["status"] == "unknown_order"
    assert PAID == []


def test_reconciliation_settles_a_payment_whose_callback_was_lost(tmp_path: Path) -> None:
    paid, unpaid = _order(), _order()
    statement = statement_render(
        settings.UMIS_PAYMENT_SECRET,
        [{**_event(paid), "status": "payment.succeeded"}],
    )
    path = tmp_path / "statement.csv"
    path.write_bytes(statement)
    call_command("payments", "reconcile", str(path))
    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert paid.status == PaymentOrder.Status.PAID
    assert paid.settled_by == PaymentOrder.SettledBy.RECONCILIATION
    assert unpaid.status == PaymentOrder.Status.PENDING
    call_command("payments", "reconcile", str(path))  # a second run changes nothing
    assert [paid.number] == PAID


def test_reconciliation_after_the_callback_does_not_pay_twice(
    client: Client, tmp_path: Path
) -> None:
    order = _order()
    _post(client, _event(order))
    path = tmp_path / "s.csv"
    path.write_bytes(
        statement_render(
            settings.UMIS_PAYMENT_SECRET, [{**_event(order), "status": "payment.succeeded"}]
        )
    )
    call_command("payments", "reconcile", str(path))
    assert [order.number] == PAID


def test_a_tampered_statement_is_refused(tmp_path: Path) -> None:
    order = _order()
    good = statement_render(
        settings.UMIS_PAYMENT_SECRET, [{**_event(order), "status": "payment.succeeded"}]
    )
    path = tmp_path / "s.csv"
    path.write_bytes(good.replace(b"20.00", b"2.00", 1))
    with pytest.raises(CommandError, match="bad_signature"):
        call_command("payments", "reconcile", str(path))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING


def test_refund_is_recorded_not_refundable_by_default(client: Client) -> None:
    order = _order()
    _post(client, _event(order))
    order.refresh_from_db()
    row = payment_refund_record(
        actor=None, order=order, subject="T-1", amount=order.amount, reason="refused"
    )
    assert row is not None and row.status == Refund.Status.NOT_REFUNDABLE
    assert row.amount == 0
    again = payment_refund_record(
        actor=None, order=order, subject="T-1", amount=order.amount, reason="refused"
    )
    assert again is not None and again.pk == row.pk
    refunded = payment_refund_record(
        actor=None, order=order, subject="T-2", amount=order.amount, reason="refused", refund=True
    )
    assert refunded is not None and refunded.status == Refund.Status.REFUNDED
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUNDED


def test_mutated_signed_callbacks_never_cause_a_server_error(client: Client) -> None:
    """A small fuzz: valid-signature bodies with fields dropped, retyped or garbled."""
    import random

    order = _order()
    rng = random.Random(9303)
    values: list[Any] = [None, "", 0, -1, 1e309, "1e5", "20.001", [], {}, "x" * 500, "\u0000", True]
    for _ in range(300):
        body: Any = _event(order, event_id=f"F{rng.randrange(10**9)}")
        for _m in range(rng.randint(1, 3)):
            key = rng.choice(list(body))
            if rng.random() < 0.3:
                body.pop(key)
            else:
                body[key] = rng.choice(values)
        if rng.random() < 0.1:
            body = rng.choice([[body], "text", 42, None])
        response = _post(client, body)
        assert response.status_code in (200, 400, 422), response.content
    order.refresh_from_db()
    assert PAID.count(order.number) <= 1


@pytest.mark.parametrize("paid_at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_paid_at_out_of_range_is_refused_with_a_400_and_logged(
    client: Client, paid_at: str
) -> None:
    order = _order()
    response = _post(client, _event(order, paid_at=paid_at))
    assert response.status_code == 400
    assert response.json()["code"] == "callback_malformed"
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING
    assert not PaymentEvent.objects.exists()
    assert AuditEvent.objects.filter(action="PAYMENT_CALLBACK_REJECTED").count() == 1
    assert PAID == []


def test_a_callback_nested_too_deep_is_refused_with_a_400_and_logged(client: Client) -> None:
    response = _post(client, None, raw=b"[" * 8000 + b"]" * 8000)  # under the size limit
    assert response.status_code == 400
    assert response.json()["code"] == "callback_malformed"
    assert AuditEvent.objects.filter(action="PAYMENT_CALLBACK_REJECTED").count() == 1


def test_a_transaction_id_already_on_another_order_is_recorded_and_refused(
    client: Client,
) -> None:
    first, second = _order(), _order()
    assert _post(client, _event(first, event_id="E1", transaction_id="TX")).status_code == 200
    response = _post(client, _event(second, event_id="E2", transaction_id="TX"))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_transaction"
    second.refresh_from_db()
    assert second.status == PaymentOrder.Status.PENDING
    assert second.transaction_id == ""
    event = PaymentEvent.objects.get(event_id="E2")
    assert (event.order, event.outcome) == (second, "duplicate_transaction")
    [audit] = AuditEvent.objects.filter(action="PAYMENT_EVENT_REFUSED")
    assert audit.entity_id == str(second.pk)
    assert audit.data["outcome"] == "duplicate_transaction"
    # the gateway retrying gets the same answer, and nothing more is written
    assert _post(client, _event(second, event_id="E2", transaction_id="TX")).status_code == 409
    assert AuditEvent.objects.filter(action="PAYMENT_EVENT_REFUSED").count() == 1
    assert [first.number] == PAID


def test_a_transaction_id_taken_at_the_same_moment_is_recorded_not_a_500(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from umis.payments import services

    first, second = _order(), _order()
    _post(client, _event(first, event_id="E1", transaction_id="TX"))
    # the other order took the transaction id after this one looked (only the constraint sees it)
    monkeypatch.setattr(services, "_transaction_elsewhere", lambda order, event: False)
    response = _post(client, _event(second, event_id="E2", transaction_id="TX"))
    assert response.status_code == 409
    second.refresh_from_db()
    assert second.status == PaymentOrder.Status.PENDING
    assert PaymentEvent.objects.get(event_id="E2").outcome == "duplicate_transaction"
    assert AuditEvent.objects.filter(action="PAYMENT_EVENT_REFUSED").count() == 1
    assert not AuditEvent.objects.filter(action="PAYMENT_RECEIVED", entity_id=str(second.pk))
    assert [first.number] == PAID


def _statement(*lines: tuple[str, PaymentOrder, str]) -> bytes:
    return statement_render(
        settings.UMIS_PAYMENT_SECRET,
        [
            {**_event(order, event_id=event_id, transaction_id=tx), "status": "payment.succeeded"}
            for event_id, order, tx in lines
        ],
    )


def test_reconciliation_goes_past_a_transaction_id_already_on_another_order(
    tmp_path: Path,
) -> None:
    a, b, c = _order(), _order(), _order()
    path = tmp_path / "s.csv"
    path.write_bytes(_statement(("S1", a, "TX"), ("S2", b, "TX"), ("S3", c, "TY")))
    out = io.StringIO()
    call_command("payments", "reconcile", str(path), stdout=out)
    for order in (a, b, c):
        order.refresh_from_db()
    assert (a.status, b.status, c.status) == ("paid", "pending", "paid")
    assert PaymentEvent.objects.get(event_id="S2").outcome == "duplicate_transaction"
    assert out.getvalue().splitlines() == [
        "3 statement lines: 2 settled by reconciliation, 0 already applied, 0 amount mismatches, "
        "0 unknown orders, 1 transaction ids already on another order, "
        "0 paid again (to be refunded), 0 paid again and refunded",
        f"settled {a.number}",
        f"settled {c.number}",
        f"DUPLICATE TRANSACTION {b.number}",
    ]
    call_command("payments", "reconcile", str(path), stdout=io.StringIO())  # a rerun: the same
    assert [a.number, c.number] == PAID
    assert AuditEvent.objects.filter(action="PAYMENT_EVENT_REFUSED").count() == 1


def test_reconciliation_lists_an_order_paid_twice_to_be_refunded(
    client: Client, tmp_path: Path
) -> None:
    order = _order()
    _post(client, _event(order))
    path = tmp_path / "s.csv"
    path.write_bytes(_statement(("EV1", order, "TX1"), ("S2", order, "TX2")))
    out = io.StringIO()
    call_command("payments", "reconcile", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "2 statement lines: 0 settled by reconciliation, 1 already applied, 0 amount mismatches, "
        "0 unknown orders, 0 transaction ids already on another order, "
        "1 paid again (to be refunded), 0 paid again and refunded",
        f"REFUND {order.number}",
    ]
    [audit] = AuditEvent.objects.filter(action="PAYMENT_DUPLICATE_RECEIVED")
    assert audit.data["transaction_id"] == "TX2"
    [reconciled] = AuditEvent.objects.filter(action="PAYMENT_STATEMENT_RECONCILED")
    assert reconciled.data["to_refund"] == [order.number]
    assert [order.number] == PAID

    # once the worker has given the money back, the next run says so instead
    outbox_drain()
    out = io.StringIO()
    call_command("payments", "reconcile", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "2 statement lines: 0 settled by reconciliation, 1 already applied, 0 amount mismatches, "
        "0 unknown orders, 0 transaction ids already on another order, "
        "0 paid again (to be refunded), 1 paid again and refunded",
        f"refunded {order.number} (TX2)",
    ]


def _return_address(order: PaymentOrder) -> str:
    """The address the gateway is told to send this order's payer back to."""
    checkout = payment_checkout_url(order=order, description="Test")
    back = dict(parse_qsl(urlsplit(checkout).query))["return"]
    assert back.startswith(f"{settings.UMIS_PUBLIC_URL}/payments/return/{order.number}?")
    return back.removeprefix(settings.UMIS_PUBLIC_URL)


def test_a_genuine_return_is_recorded_on_its_order(client: Client) -> None:
    order = _order()
    response = client.get(_return_address(order))
    assert (response.status_code, response["Location"]) == (302, "/")
    order.refresh_from_db()
    assert order.returned_at is not None
    assert AuditEvent.objects.filter(action="PAYMENT_RETURNED", entity_id=str(order.pk)).exists()


def test_a_return_address_not_made_for_the_order_marks_nothing_and_is_logged() -> None:
    order, other = _order(), _order()
    others = _return_address(other)
    forged = [
        f"/payments/return/{order.number}",
        f"/payments/return/{order.number}?signature=",
        f"/payments/return/{order.number}?signature=forged",
        others.replace(other.number, order.number),  # another order's signature
        f"/payments/return/{order.number}?signature=forged&cancelled=1",
    ]
    reader = Client(HTTP_ACCEPT_LANGUAGE="ru")
    for address in forged:
        response = reader.get(address)
        assert response.status_code == 400, address
        page = response.content.decode()
        assert "Адрес возврата из банка недействителен" in page, address
    order.refresh_from_db()
    assert order.returned_at is None
    refused = AuditEvent.objects.filter(action="PAYMENT_RETURN_REFUSED").order_by("pk")
    assert [(e.entity_id, e.data["code"]) for e in refused] == [
        (str(order.pk), "return_unsigned"),
        (str(order.pk), "return_unsigned"),
        (str(order.pk), "return_bad_signature"),
        (str(order.pk), "return_bad_signature"),
        (str(order.pk), "return_bad_signature"),
    ]
    assert not AuditEvent.objects.filter(action="PAYMENT_RETURNED").exists()
    # the payer's own return afterwards is recorded as before
    Client().get(_return_address(order))
    order.refresh_from_db()
    assert order.returned_at is not None
    # and a cancellation forged onto the address does not end the wait
    Client().get(f"/payments/return/{order.number}?signature=x&cancelled=1")
    order.refresh_from_db()
    assert order.returned_at is not None


def test_an_unknown_order_number_is_refused_like_a_forged_one() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/payments/return/P000000NOSUCH")
    assert response.status_code == 400
    assert "This return address from the bank is not valid" in response.content.decode()
    refused = AuditEvent.objects.get(action="PAYMENT_RETURN_REFUSED")
    assert (refused.entity_id, refused.data["code"]) == ("P000000NOSUCH", "return_unsigned")
