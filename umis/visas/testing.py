"""Test helpers for the e-visa: images, a valid application, a paid order."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from typing import Any

from django.conf import settings
from django.test import Client
from PIL import Image

from umis.core import clock
from umis.payments.gateway import SIGNATURE_HEADER, sign
from umis.payments.models import PaymentOrder


def photo_png(width: int = 400, height: int = 500) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_b64(**kwargs: Any) -> str:
    return base64.b64encode(photo_png(**kwargs)).decode()


def traveller(**overrides: Any) -> dict[str, Any]:
    today = clock.today()
    data: dict[str, Any] = {
        "surname": "Müller",
        "given_names": "Anna Maria",
        "birth_date": "1980-05-17",
        "sex": "F",
        "nationality": "DE",
        "issuing_state": "DEU",
        "document_number": "C01X00T47",
        "document_expiry": (today + dt.timedelta(days=1500)).isoformat(),
        "photo": photo_b64(),
    }
    data.update(overrides)
    return data


def application(*travellers: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    today = clock.today()
    data: dict[str, Any] = {
        "purpose": "tourism",
        "entry_date": (today + dt.timedelta(days=10)).isoformat(),
        "stay_days": 14,
        "speed": "standard",
        "email": "anna@example.org",
        "region": "baku",
        "city": "Bakı",
        "street": "Nizami küçəsi 10",
        "applicants": list(travellers) or [traveller()],
    }
    data.update(overrides)
    return data


def pay_callback(
    client: Client, order: PaymentOrder, *, event_id: str | None = None, amount: str | None = None
) -> Any:
    body = json.dumps(
        {
            "event_id": event_id or f"EV-{order.number}",
            "kind": "payment.succeeded",
            "order": order.number,
            "transaction_id": f"TX-{order.number}",
            "amount": amount or str(order.amount),
            "currency": order.currency,
            "paid_at": clock.now().isoformat(),
        }
    ).encode()
    return client.post(
        "/payments/callback",
        data=body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(settings.UMIS_PAYMENT_SECRET, body)},
    )


def watchlist_entry(*, category: str = "entry_ban", **fields: Any) -> Any:
    """Put a person or a travel document on a screening watchlist (through screening's
    import service, as an operator would)."""
    from umis.screening.models import WatchlistEntry
    from umis.screening.services import watchlist_get_or_create, watchlist_import

    watchlist = watchlist_get_or_create(actor=None, code=f"test-{category}")
    external_id = f"T-{WatchlistEntry.objects.count() + 1}"
    raw = {
        "category": category,
        "external_id": external_id,
        "reason": "test",
        "source": "test",
        **fields,
    }
    result = watchlist_import(actor=None, watchlist=watchlist, raws=[raw])
    assert not result.errors, result.errors
    return WatchlistEntry.objects.get(watchlist=watchlist, external_id=external_id)
