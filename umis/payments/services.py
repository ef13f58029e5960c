"""Payment orders: create from the fee schedule, apply gateway events exactly once, reconcile,
record refunds."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from umis.audit.services import audit_record
from umis.core import clock, outbox
from umis.core.errors import Conflict, DomainError, NotFound
from umis.core.models import OutboxMessage
from umis.core.text import storable
from umis.payments import purposes
from umis.payments.gateway import GatewayError, GatewayEvent, gateway_get
from umis.payments.models import Fee, PaymentEvent, PaymentOrder, Refund

log = logging.getLogger("umis.payments")


def fee_get(*, code: str, on: dt.date) -> Fee:
    fee = (
        Fee.objects.filter(code=code, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )
    if fee is None:
        raise DomainError("no_fee", _("No fee is in force for this service."), "fee")
    return fee


@dataclass(frozen=True)
class FeeLine:
    code: str
    quantity: int = 1


def _order_number() -> str:
    return f"P{clock.today():%y%m%d}{secrets.token_hex(5).upper()}"


def payment_order_create(
    *, actor: Any, purpose: str, subject: str, lines: Sequence[FeeLine]
) -> PaymentOrder:
    """An order for fee-schedule lines in one currency (inside the caller's transaction)."""
    today = clock.today()
    fees = [(fee_get(code=line.code, on=today), line.quantity) for line in lines]
    currencies = {f.currency for f, _q in fees}
    if len(currencies) != 1:
        raise DomainError("mixed_currencies", _("One payment is in one currency."), "fee")
    now = clock.now()
    order = PaymentOrder.objects.create(
        number=_order_number(),
        purpose=purpose,
        subject=subject,
        lines=[
            {"fee": f.code, "quantity": q, "unit": str(f.amount), "amount": str(f.amount * q)}
            for f, q in fees
        ],
        amount=sum((f.amount * q for f, q in fees), Decimal("0")),
        currency=currencies.pop(),
        refundable=all(f.refundable for f, _q in fees),
        gateway=gateway_get().name,
        created_at=now,
        updated_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="PAYMENT_ORDER_CREATED",
        entity=order,
        data={"number": order.number, "amount": str(order.amount), "currency": order.currency},
    )
    return order


RETURN_SALT = "umis.payments.return"


def _return_signature(number: str) -> str:
    return signing.Signer(salt=RETURN_SALT).signature(number)


def payment_return_url(*, order: PaymentOrder) -> str:
    """Where the gateway sends the payer's browser back: an address signed for this order
    (the gateway adds `cancelled=1` when the payer cancelled on its page), so that knowing
    an order's number is not enough to record a return on it."""
    path = reverse("payments:return", args=[order.number])
    query = urlencode({"signature": _return_signature(order.number)})
    return f"{settings.UMIS_PUBLIC_URL}{path}?{query}"


def payment_checkout_url(*, order: PaymentOrder, description: str) -> str:
    return gateway_get().checkout_url(
        order=order.number,
        amount=order.amount,
        currency=order.currency,
        description=description,
        return_url=payment_return_url(order=order),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


@dataclass(frozen=True)
class ReturnChecked:
    order: PaymentOrder
    signed: bool  # False: an unsigned return shown its payer's own page, nothing recorded


def payment_return_verify(
    *,
    number: str,
    signature: str,
    remote_addr: str = "",
    open_subjects: Mapping[str, Sequence[str]] | None = None,
) -> ReturnChecked:
    """The order a payer's browser came back for, when the address is the one made for it
    at the start of the payment. A missing or wrong signature (or an order that does not
    exist) is refused and audited, and nothing is recorded on any order.

    A payment started before the return address was signed comes back without a signature.
    When it is the payer's own browser (the order's subject is among `open_subjects`, the
    subjects this browser has open, by purpose), it is sent to the page it can open anyway
    (`signed` False), still audited as refused and still recording nothing; any other
    browser gets the refusal a made-up number gets, so which orders exist is not told."""
    order = PaymentOrder.objects.filter(number=number).first() if storable(number) else None
    if (
        order is not None
        and signature
        and storable(signature)
        and constant_time_compare(_return_signature(order.number), signature)
    ):
        return ReturnChecked(order, signed=True)
    code = "return_bad_signature" if signature else "return_unsigned"
    payers_own = (
        order is not None
        and code == "return_unsigned"
        and order.subject in (open_subjects or {}).get(order.purpose, ())
    )
    log.warning("payment return refused: %s from %s", code, remote_addr)
    audit_record(
        actor=None,
        action="PAYMENT_RETURN_REFUSED",
        entity_type="payments.paymentorder",
        entity_id=str(order.pk) if order else (number[:60] or "-"),
        data={
            "code": code,
            "number": number[:30],
            "remote_addr": remote_addr[:60],
            **({"payers_browser": True} if payers_own else {}),
        },
    )
    if payers_own:
        assert order is not None
        return ReturnChecked(order, signed=False)
    raise DomainError(
        code,
        _(
            "This return address from the bank is not valid: it is incomplete or has been "
            "changed, so nothing has been recorded. If you paid, the bank confirms the payment "
            "to us directly, and your application's status page shows it."
        ),
    )


@dataclass
class ApplyResult:
    outcome: str
    order: PaymentOrder | None = None
    duplicate: bool = False


def _transaction_elsewhere(order: PaymentOrder, event: GatewayEvent) -> bool:
    """Whether the event's transaction already settled another order."""
    return (
        PaymentOrder.objects.filter(gateway=order.gateway, transaction_id=event.transaction_id)
        .exclude(pk=order.pk)
        .exists()
    )


def _order_settle(
    order: PaymentOrder, event: GatewayEvent, *, source: str, now: dt.datetime
) -> bool:
    """Mark a pending order paid; False if another order took the transaction since the look
    before (the unique constraint sees what that look missed), and then nothing is changed."""
    try:
        with transaction.atomic():
            updated = PaymentOrder.objects.filter(
                pk=order.pk, status=PaymentOrder.Status.PENDING
            ).update(
                status=PaymentOrder.Status.PAID,
                transaction_id=event.transaction_id,
                paid_at=event.paid_at or now,
                settled_by=source,
                updated_at=now,
            )
    except IntegrityError:
        return False
    assert updated == 1
    return True


def _apply(event: GatewayEvent, *, source: str) -> ApplyResult:
    """Apply one verified gateway event exactly once (its own transaction)."""
    now = clock.now()
    with transaction.atomic():
        previous = PaymentEvent.objects.filter(event_id=event.event_id).first()
        if previous is not None:
            return ApplyResult(previous.outcome, previous.order, duplicate=True)
        order = PaymentOrder.objects.select_for_update().filter(number=event.order).first()
        if order is None:
            outcome = PaymentEvent.Outcome.UNKNOWN_ORDER
        elif event.kind != "payment.succeeded":
            outcome = PaymentEvent.Outcome.IGNORED
        elif (
            order.status != PaymentOrder.Status.PENDING
            and event.transaction_id == order.transaction_id
        ):
            outcome = PaymentEvent.Outcome.ALREADY_PAID
        elif _transaction_elsewhere(order, event):
            outcome = PaymentEvent.Outcome.DUPLICATE_TRANSACTION
        elif order.status != PaymentOrder.Status.PENDING:  # a second payment: money to give back
            outcome = PaymentEvent.Outcome.DUPLICATE_PAYMENT
        elif event.amount != order.amount or event.currency != order.currency:
            outcome = PaymentEvent.Outcome.MISMATCH
        else:
            outcome = PaymentEvent.Outcome.APPLIED
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(
                    event_id=event.event_id,
                    order=order,
                    source=source,
                    kind=event.kind,
                    outcome=outcome,
                    data=event.to_dict(),
                    received_at=now,
                )
        except IntegrityError:  # the same event arrived twice at once: the other one won
            previous = PaymentEvent.objects.get(event_id=event.event_id)
            return ApplyResult(previous.outcome, previous.order, duplicate=True)
        if (
            order is not None
            and outcome == PaymentEvent.Outcome.APPLIED
            and not _order_settle(order, event, source=source, now=now)
        ):
            outcome = PaymentEvent.Outcome.DUPLICATE_TRANSACTION
            PaymentEvent.objects.filter(event_id=event.event_id).update(outcome=outcome)
        if order is not None and outcome == PaymentEvent.Outcome.APPLIED:
            order.refresh_from_db()
            audit_record(
                actor=None,
                action="PAYMENT_RECEIVED",
                entity=order,
                data={
                    "number": order.number,
                    "transaction_id": event.transaction_id,
                    "amount": str(event.amount),
                    "source": source,
                },
            )
            purpose = purposes.get(order.purpose)
            if purpose is not None:
                purpose.on_paid(order)
        elif order is not None and outcome == PaymentEvent.Outcome.DUPLICATE_PAYMENT:
            outbox.outbox_put(
                topic=DUPLICATE_REFUND_TOPIC,
                key=_duplicate_subject(event.transaction_id),
                payload={
                    "order": order.pk,
                    "transaction_id": event.transaction_id,
                    "amount": str(event.amount),
                    "currency": event.currency,
                },
            )
            audit_record(
                actor=None,
                action="PAYMENT_DUPLICATE_RECEIVED",
                entity=order,
                data={
                    "number": order.number,
                    "status": order.status,
                    "paid_with": order.transaction_id,
                    "event_id": event.event_id,
                    "transaction_id": event.transaction_id,
                    "amount": str(event.amount),
                    "currency": event.currency,
                    "source": source,
                },
            )
        elif outcome in (
            PaymentEvent.Outcome.MISMATCH,
            PaymentEvent.Outcome.UNKNOWN_ORDER,
            PaymentEvent.Outcome.DUPLICATE_TRANSACTION,
        ):
            audit_record(
                actor=None,
                action="PAYMENT_EVENT_REFUSED",
                entity_type="payments.paymentorder",
                entity_id=str(order.pk) if order else event.order[:60],
                data={"outcome": outcome, **event.to_dict()},
            )
    return ApplyResult(outcome, order)


def payment_callback_receive(
    *, body: bytes, headers: Mapping[str, str], remote_addr: str = ""
) -> ApplyResult:
    """A gateway notification: verified, then applied once; a forged one is refused and logged."""
    try:
        event = gateway_get().parse_callback(body=body, headers=headers)
    except GatewayError as exc:
        log.warning("payment callback refused: %s from %s", exc.code, remote_addr)
        audit_record(
            actor=None,
            action="PAYMENT_CALLBACK_REJECTED",
            entity_type="payments.callback",
            entity_id=remote_addr[:60] or "-",
            data={"code": exc.code, "bytes": len(body), "remote_addr": remote_addr[:60]},
        )
        raise DomainError(
            exc.code,
            _("The payment notification was refused: its signature or content is not valid."),
        ) from exc
    result = _apply(event, source=PaymentOrder.SettledBy.CALLBACK)
    if result.outcome == PaymentEvent.Outcome.MISMATCH:
        raise DomainError(
            "amount_mismatch",
            _("The amount or currency paid does not match the payment order."),
            "amount",
        )
    if result.outcome == PaymentEvent.Outcome.DUPLICATE_TRANSACTION:
        raise Conflict(
            "duplicate_transaction",
            _("This transaction has already paid another payment order."),
            "transaction_id",
        )
    return result


@dataclass
class ReconcileReport:
    lines: int = 0
    settled: list[str] = field(default_factory=list)  # orders paid only now
    already: int = 0
    mismatched: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    duplicate_transactions: list[str] = field(default_factory=list)  # the tx paid another order
    to_refund: list[str] = field(default_factory=list)  # orders paid again: money to give back
    refunded: list[tuple[str, str]] = field(default_factory=list)  # (order, tx) given back
    unpaid_pending: int = 0

    def summary(self) -> str:
        return (
            f"{self.lines} statement lines: {len(self.settled)} settled by reconciliation, "
            f"{self.already} already applied, {len(self.mismatched)} amount mismatches, "
            f"{len(self.unknown)} unknown orders, "
            f"{len(self.duplicate_transactions)} transaction ids already on another order, "
            f"{len(self.to_refund)} paid again (to be refunded), "
            f"{len(self.refunded)} paid again and refunded"
        )


def payments_reconcile(*, data: bytes, actor: Any = None) -> ReconcileReport:
    """Apply a daily statement: paid orders whose notification never came are settled now."""
    try:
        events = gateway_get().parse_statement(data=data)
    except GatewayError as exc:
        audit_record(
            actor=actor,
            action="PAYMENT_STATEMENT_REJECTED",
            entity_type="payments.statement",
            entity_id="-",
            data={"code": exc.code},
        )
        raise DomainError(
            exc.code, _("The statement was refused: %(why)s") % {"why": exc.message}
        ) from exc
    report = ReconcileReport(lines=len(events))
    for event in events:
        result = _apply(event, source=PaymentOrder.SettledBy.RECONCILIATION)
        # money still to give back, or a line to look into, is listed on every run that reads it
        if result.outcome == PaymentEvent.Outcome.DUPLICATE_PAYMENT:
            if Refund.objects.filter(subject=_duplicate_subject(event.transaction_id)).exists():
                report.refunded.append((event.order, event.transaction_id))
            else:
                report.to_refund.append(event.order)
        elif result.outcome == PaymentEvent.Outcome.DUPLICATE_TRANSACTION:
            report.duplicate_transactions.append(event.order)
        elif result.duplicate or result.outcome == PaymentEvent.Outcome.ALREADY_PAID:
            report.already += 1
        elif result.outcome == PaymentEvent.Outcome.APPLIED:
            report.settled.append(event.order)
        elif result.outcome == PaymentEvent.Outcome.MISMATCH:
            report.mismatched.append(event.order)
        elif result.outcome == PaymentEvent.Outcome.UNKNOWN_ORDER:
            report.unknown.append(event.order)
    audit_record(
        actor=actor,
        action="PAYMENT_STATEMENT_RECONCILED",
        entity_type="payments.statement",
        entity_id="-",
        data={
            "lines": report.lines,
            "settled": report.settled[:100],
            "already": report.already,
            "duplicate_transactions": report.duplicate_transactions[:100],
            "to_refund": report.to_refund[:100],
            "refunded": [number for number, _tx in report.refunded[:100]],
        },
    )
    return report


def payment_refund_record(
    *,
    actor: Any,
    order: PaymentOrder,
    subject: str,
    amount: Decimal,
    reason: str,
    refund: bool | None = None,
    transaction_id: str = "",
    currency: str = "",
) -> Refund | None:
    """Record what happens to the fee of a refused application (inside the caller's transaction).

    The fee is not refundable unless the schedule or the setting says so; either way a row
    records the decision. Nothing is recorded for an order that was never paid. With
    `transaction_id`, the money of that payment (not the one that settled the order) is given
    back (in its `currency`) and the order keeps its status."""
    if order.status != PaymentOrder.Status.PAID and not transaction_id:
        return None
    existing = Refund.objects.filter(subject=subject).first()
    if existing is not None:
        return existing
    give_back = order.refundable if refund is None else refund
    now = clock.now()
    gateway_reference = ""
    if give_back:
        gateway_reference = gateway_get().refund(
            order=f"{order.number}/{subject}",
            transaction_id=transaction_id or order.transaction_id,
            amount=amount,
            currency=currency or order.currency,
        )
        if amount >= order.amount and not transaction_id:
            PaymentOrder.objects.filter(pk=order.pk).update(
                status=PaymentOrder.Status.REFUNDED, updated_at=now
            )
    row = Refund.objects.create(
        order=order,
        subject=subject,
        amount=amount if give_back else Decimal("0"),
        currency=currency or order.currency,
        status=Refund.Status.REFUNDED if give_back else Refund.Status.NOT_REFUNDABLE,
        reason=reason[:200],
        gateway_reference=gateway_reference,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="PAYMENT_REFUNDED" if give_back else "PAYMENT_REFUND_DECLINED",
        entity=order,
        data={
            "number": order.number,
            "subject": subject,
            "amount": str(row.amount),
            "reason": reason[:200],
        },
    )
    return row


DUPLICATE_REFUND_TOPIC = "payments.duplicate_refund"


def _duplicate_subject(transaction_id: str) -> str:
    """The refund's subject for a payment made twice: its transaction (hashed when long)."""
    if len(transaction_id) > 50:
        transaction_id = hashlib.sha256(transaction_id.encode()).hexdigest()[:50]
    return f"duplicate:{transaction_id}"


def payment_duplicate_refund(message: OutboxMessage) -> None:
    """Give back a second payment for an order already paid (the worker, after the commit that
    recorded it; once per transaction, as the refund's subject is unique). The order stays
    paid by its first payment."""
    payload = message.payload
    payment_refund_record(
        actor=None,
        order=PaymentOrder.objects.get(pk=int(payload["order"])),
        subject=_duplicate_subject(payload["transaction_id"]),
        amount=Decimal(payload["amount"]),
        reason="paid twice",
        refund=True,
        transaction_id=payload["transaction_id"],
        currency=payload["currency"],
    )


def payment_confirmation_wait() -> dt.timedelta:
    """How long a return from the gateway's page holds the payment as being confirmed
    (`UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES`; a gateway notifies within seconds, retrying)."""
    return dt.timedelta(minutes=settings.UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES)


def payment_order_returned(*, order: PaymentOrder, cancelled: bool) -> None:
    """The payer's browser came back from the gateway's page: having paid there (the signed
    notification is awaited) or having cancelled, by the address signed for the order
    (`payment_return_verify`). Recorded on a pending order only, once while its
    confirmation is awaited; it decides nothing but what
    the payer is offered: while a payment is being confirmed (`payment_confirmation_awaited`),
    no new one is started."""
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().filter(pk=order.pk).first()
        if locked is None or locked.status != PaymentOrder.Status.PENDING:
            return
        returned_at = None if cancelled else clock.now()
        if locked.returned_at is None and returned_at is None:
            return
        if returned_at is not None and payment_confirmation_awaited(order=locked):
            return  # the same return again (a reload, the bank's page sending it twice)
        locked.returned_at, locked.updated_at = returned_at, clock.now()
        locked.save(update_fields=["returned_at", "updated_at"])
        order.returned_at = returned_at
        audit_record(
            actor=None,
            action="PAYMENT_RETURN_CANCELLED" if cancelled else "PAYMENT_RETURNED",
            entity=locked,
            data={"number": locked.number},
        )


def payment_confirmation_awaited(*, order: PaymentOrder, at: dt.datetime | None = None) -> bool:
    """Whether the payer came back from the gateway having paid, lately, and the gateway has
    not confirmed it yet: the fee is not to be paid again meanwhile (it would be charged
    twice). After `payment_confirmation_wait()` without a notification, paying is offered
    again."""
    return (
        order.status == PaymentOrder.Status.PENDING
        and order.returned_at is not None
        and (at or clock.now()) - order.returned_at < payment_confirmation_wait()
    )


def payment_start_allowed(*, order: PaymentOrder, actor: Any) -> bool:
    """Whether the payer may start paying this order: not while a payment made on the
    gateway's page is being confirmed (a stale page, a pay button pressed again), which
    would be charged too. A refused start is audited."""
    if not payment_confirmation_awaited(order=order):
        return True
    audit_record(
        actor=actor,
        action="PAYMENT_START_REFUSED",
        entity=order,
        data={"number": order.number, "code": "payment_being_confirmed"},
    )
    return False


def payment_order_get(*, number: str) -> PaymentOrder:
    order = PaymentOrder.objects.filter(number=number).first() if storable(number) else None
    if order is None:
        raise NotFound("not_found", _("Payment order not found."))
    return order


DEFAULT_FEES: list[dict[str, Any]] = [
    {
        "code": "evisa.standard",
        "name_az": "Elektron viza (standart), dövlət rüsumu",
        "name_en": "E-visa (standard), state fee",
        "name_ru": "Электронная виза (стандартная), госпошлина",
        "amount": Decimal("20.00"),
        "currency": "USD",
    },
    {
        "code": "evisa.urgent",
        "name_az": "Elektron viza (təcili), dövlət rüsumu",
        "name_en": "E-visa (urgent), state fee",
        "name_ru": "Электронная виза (срочная), госпошлина",
        "amount": Decimal("60.00"),
        "currency": "USD",
    },
    {
        "code": "evisa.service",
        "name_az": "Xidmət haqqı",
        "name_en": "Service fee",
        "name_ru": "Сервисный сбор",
        "amount": Decimal("5.00"),
        "currency": "USD",
    },
]


def fees_load_defaults() -> None:
    """The default fee schedule (idempotent); amounts per DOMAIN.md, marked there as uncertain."""
    for row in DEFAULT_FEES:
        Fee.objects.get_or_create(
            code=row["code"],
            valid_from=dt.date(2016, 1, 1),
            defaults={k: v for k, v in row.items() if k != "code"},
        )


def statement_path_for(day: dt.date) -> str:
    return str(settings.UMIS_PAYMENT_STATEMENT_DIR / f"statement-{day.isoformat()}.csv")
