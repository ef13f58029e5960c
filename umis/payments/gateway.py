"""The payment gateway adapter interface, and the adapter for the UMIS gateway simulator.

A real acquirer (the Government Payment Portal, a bank) gets its own adapter with the same
four operations: the hosted-page URL for an order, verification of a signed notification,
reading a daily statement, and a refund.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.utils.module_loading import import_string

SIGNATURE_HEADER = "X-Umis-Signature"
STATEMENT_COLUMNS = (
    "event_id",
    "transaction_id",
    "order",
    "amount",
    "currency",
    "status",
    "paid_at",
)
MAX_CALLBACK_BYTES = 16_384
# A payment time outside these bounds is a garbled field, not a payment (and some such times
# cannot even be told in UTC, where the database keeps them).
PAID_AT_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
PAID_AT_LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
MAX_STATEMENT_BYTES = 50 * 1024 * 1024


class GatewayError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class GatewayEvent:
    """A payment outcome as the gateway reports it (notification or statement line)."""

    event_id: str
    kind: str  # payment.succeeded | payment.failed
    order: str
    transaction_id: str
    amount: Decimal
    currency: str
    paid_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "kind": self.kind,
            "order": self.order,
            "transaction_id": self.transaction_id,
            "amount": str(self.amount),
            "currency": self.currency,
            "paid_at": self.paid_at.isoformat() if self.paid_at else None,
        }


class Gateway(Protocol):
    name: str

    def checkout_url(
        self,
        *,
        order: str,
        amount: Decimal,
        currency: str,
        description: str,
        return_url: str,
        language: str,
    ) -> str: ...

    def parse_callback(self, *, body: bytes, headers: Mapping[str, str]) -> GatewayEvent: ...

    def parse_statement(self, *, data: bytes) -> list[GatewayEvent]: ...

    def refund(self, *, order: str, transaction_id: str, amount: Decimal, currency: str) -> str: ...


def sign(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def signature_valid(secret: str, data: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, data), (signature or "").strip().lower())


def _text(raw: Mapping[str, Any], key: str, max_length: int = 100) -> str:
    value = raw.get(key)
    if (
        not isinstance(value, str)
        or not value
        or len(value) > max_length
        or not value.isprintable()
    ):
        raise GatewayError("callback_malformed", f"field {key} is missing or invalid")
    return value


def event_from_mapping(raw: Mapping[str, Any]) -> GatewayEvent:
    """Parse one event (callback body or statement row); raises GatewayError, never anything else."""
    if not isinstance(raw, Mapping):
        raise GatewayError("callback_malformed", "the event is not an object")
    try:
        amount = Decimal(_text(raw, "amount", 20))
    except InvalidOperation as exc:
        raise GatewayError("callback_malformed", "amount is not a number") from exc
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise GatewayError("callback_malformed", "amount is not a money amount")
    currency = _text(raw, "currency", 3)
    if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        raise GatewayError("callback_malformed", "currency is not an ISO 4217 code")
    kind = _text(raw, "kind", 40)
    if kind not in {"payment.succeeded", "payment.failed"}:
        raise GatewayError("callback_malformed", "unknown event kind")
    paid_at = None
    if raw.get("paid_at"):
        try:
            paid_at = dt.datetime.fromisoformat(_text(raw, "paid_at", 40))
        except ValueError as exc:
            raise GatewayError("callback_malformed", "paid_at is not a timestamp") from exc
        if paid_at.tzinfo is None:
            paid_at = paid_at.replace(tzinfo=dt.UTC)
        try:
            in_utc = paid_at.astimezone(dt.UTC)
        except OverflowError as exc:
            raise GatewayError("callback_malformed", "paid_at is out of range") from exc
        if not PAID_AT_EARLIEST <= in_utc < PAID_AT_LATEST:
            raise GatewayError("callback_malformed", "paid_at is out of range")
    return GatewayEvent(
        event_id=_text(raw, "event_id"),
        kind=kind,
        order=_text(raw, "order", 30),
        transaction_id=_text(raw, "transaction_id", 80),
        amount=amount,
        currency=currency,
        paid_at=paid_at,
    )


def statement_render(secret: str, events: list[dict[str, Any]]) -> bytes:
    """A daily statement: CSV rows, then a line with the HMAC of everything above it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STATEMENT_COLUMNS)
    for e in events:
        writer.writerow([e.get(c, "") for c in STATEMENT_COLUMNS])
    body = buffer.getvalue().encode()
    return body + f"#signature={sign(secret, body)}\n".encode()


class SimulatorGateway:
    """Adapter for `umis payments simulator` (the demo's and the tests' acquirer)."""

    name = "simulator"

    def __init__(self) -> None:
        self.base_url = settings.UMIS_PAYMENT_GATEWAY_URL.rstrip("/")
        self.secret = settings.UMIS_PAYMENT_SECRET
        self.callback_url = f"{settings.UMIS_PAYMENT_CALLBACK_BASE.rstrip('/')}/payments/callback"

    def checkout_url(
        self,
        *,
        order: str,
        amount: Decimal,
        currency: str,
        description: str,
        return_url: str,
        language: str,
    ) -> str:
        """The hosted page's address; `language` (az, en, ru) is the payer's, in which the
        page is shown, as acquirers take it with the order."""
        params = {
            "order": order,
            "amount": str(amount),
            "currency": currency,
            "description": description[:100],
            "callback": self.callback_url,
            "return": return_url,
            "lang": language,
        }
        query = urlencode(sorted(params.items()))
        return f"{self.base_url}/pay?{query}&sig={sign(self.secret, query.encode())}"

    def parse_callback(self, *, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        if len(body) > MAX_CALLBACK_BYTES:
            raise GatewayError("callback_too_large", "the notification is too large")
        if not signature_valid(self.secret, body, headers.get(SIGNATURE_HEADER, "")):
            raise GatewayError("bad_signature", "the notification's signature is not valid")
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # nested too deep
            raise GatewayError("callback_malformed", "the notification is not JSON") from exc
        return event_from_mapping(raw)

    def parse_statement(self, *, data: bytes) -> list[GatewayEvent]:
        if len(data) > MAX_STATEMENT_BYTES:
            raise GatewayError("statement_too_large", "the statement is too large")
        body, sep, trailer = data.rpartition(b"#signature=")
        if not sep or not signature_valid(self.secret, body, trailer.decode(errors="replace")):
            raise GatewayError("bad_signature", "the statement's signature is not valid")
        try:
            rows = list(csv.DictReader(io.StringIO(body.decode())))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise GatewayError("statement_malformed", "the statement is not CSV") from exc
        return [event_from_mapping({**row, "kind": row.get("status")}) for row in rows]

    def refund(self, *, order: str, transaction_id: str, amount: Decimal, currency: str) -> str:
        # The simulator books refunds on its side when asked; the reference is deterministic
        # so a repeated request cannot refund twice.
        return f"RF-{transaction_id}"


def gateway_get() -> Gateway:
    cls = import_string(settings.UMIS_PAYMENT_GATEWAY)
    gateway: Gateway = cls()
    return gateway
