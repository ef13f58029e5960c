"""A few e-visa applications for the demo: issued, referred with reasons, awaiting payment."""

from __future__ import annotations

import json

from django.conf import settings

from umis.core import clock
from umis.core.outbox import outbox_drain
from umis.payments.gateway import SIGNATURE_HEADER, sign
from umis.payments.services import payment_callback_receive
from umis.screening.services import watchlist_get_or_create, watchlist_import
from umis.visas.models import VisaApplication
from umis.visas.reference import visa_reference_load_defaults
from umis.visas.services import visa_applications_submit
from umis.visas.testing import application, photo_b64, traveller

DEMO_TRAVELLERS = [
    ("Smith", "John", "GB", "GBR", "533401372", "M", True),
    ("Tanaka", "Yuki", "JP", "JPN", "TK1234567", "F", True),
    ("García", "Lucía", "ES", "ESP", "PAA123456", "F", True),
    ("Schwarz", "Peter", "DE", "DEU", "C4J6R2L19", "M", True),  # on the entry-ban list
    ("Rossi", "Marco", "IT", "ITA", "YA1234567", "M", True),  # passport reported stolen
    ("Dubois", "Claire", "FR", "FRA", "19AB12345", "F", False),  # not paid yet
]


def _watchlists() -> None:
    """Schwarz is on the entry-ban list (by name, birth date and passport), Rossi's passport
    is on the stolen-documents list: screening refers both applications to an officer."""
    bans = watchlist_get_or_create(actor=None, code="entry-bans")  # the built-in lists
    watchlist_import(
        actor=None,
        watchlist=bans,
        raws=[
            {
                "category": "entry_ban",
                "external_id": "DEMO-EVISA-1",
                "full_name": "Peter Schwarz",
                "birth_date": "1973-04-13",
                "nationality": "DE",
                "document_number": "C4J6R2L19",
                "issuing_state": "DE",
                "valid_from": "2024-01-01",
                "reason": "Demo: administrative expulsion 2024",
                "source": "Demo data",
            }
        ],
    )
    documents = watchlist_get_or_create(actor=None, code="documents")
    watchlist_import(
        actor=None,
        watchlist=documents,
        raws=[
            {
                "category": "stolen",
                "external_id": "DEMO-EVISA-2",
                "document_number": "YA1234567",
                "issuing_state": "IT",
                "reason": "Demo: passport reported stolen",
                "source": "Demo data",
            }
        ],
    )


def visa_demo_load() -> int:
    visa_reference_load_defaults()
    if VisaApplication.objects.exists():
        return 0
    _watchlists()
    made = 0
    for i, (surname, given, nat, state, number, sex, pay) in enumerate(DEMO_TRAVELLERS):
        raw = application(
            traveller(
                surname=surname,
                given_names=given,
                nationality=nat,
                issuing_state=state,
                document_number=number,
                sex=sex,
                birth_date=f"19{70 + i}-0{1 + i}-1{i}",
                photo=photo_b64(width=300 + 10 * i, height=400),
            ),
            speed="urgent" if i % 2 else "standard",
            email=f"traveller{i + 1}@example.org",
        )
        submission = visa_applications_submit(
            actor=None, raw=raw, language=["en", "az", "ru"][i % 3]
        )
        made += 1
        if not pay:
            continue
        order = submission.order
        body = json.dumps(
            {
                "event_id": f"DEMO-{order.number}",
                "kind": "payment.succeeded",
                "order": order.number,
                "transaction_id": f"DEMO-TX-{order.number}",
                "amount": str(order.amount),
                "currency": order.currency,
                "paid_at": clock.now().isoformat(),
            }
        ).encode()
        payment_callback_receive(
            body=body, headers={SIGNATURE_HEADER: sign(settings.UMIS_PAYMENT_SECRET, body)}
        )
    outbox_drain()
    return made
