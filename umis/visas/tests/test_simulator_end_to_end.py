"""The e-visa paid through the real gateway simulator process, with its fault modes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from umis.cases.models import Case
from umis.core.models import OutboxMessage
from umis.core.outbox import outbox_drain
from umis.core.testing import audit_triggers_dropped_for_flush, audit_triggers_restore
from umis.documents.models import IssuedDocument
from umis.payments.models import PaymentEvent, PaymentOrder
from umis.payments.testing import RunningSimulator, simulator_running
from umis.visas import workflow
from umis.visas.services import DECIDE_TOPIC
from umis.visas.testing import application
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sim(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[RunningSimulator]:
    audit_triggers_restore()
    with simulator_running(
        secret=settings.UMIS_PAYMENT_SECRET, statement_dir=tmp_path / "statements"
    ) as running:
        settings.UMIS_PAYMENT_GATEWAY_URL = running.url
        settings.UMIS_PAYMENT_CALLBACK_BASE = live_server.url
        yield running
    audit_triggers_dropped_for_flush()


def _apply(client: Client, agency: Agency) -> dict[str, Any]:
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(),
        content_type="application/json",
        headers={"X-API-Key": agency.key},
    )
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    assert body["payment_url"].startswith("http://127.0.0.1:")
    return body


AWAITING = workflow.AWAITING_PAYMENT


def _wait_paid(number: str, timeout: float = 15) -> PaymentOrder:
    """Until the payment is applied in full: the order paid and the application moved on
    (on SQLite the live server shares the test's connection, so the order can be seen paid
    before the callback's transaction has finished)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = PaymentOrder.objects.get(number=number)
        states = set(Case.objects.values_list("state", flat=True))
        # the decision is owed once the case left "awaiting payment" (its outbox row is
        # written after the transition, in the same transaction)
        moved_on = AWAITING not in states and (
            workflow.SCREENING not in states
            or OutboxMessage.objects.filter(topic=DECIDE_TOPIC).exists()
        )
        if order.status == PaymentOrder.Status.PAID and moved_on:
            return order
        time.sleep(0.05)
    raise AssertionError("the payment was not applied")


def test_paid_on_the_simulator_and_issued(
    client: Client, agency: Agency, sim: RunningSimulator
) -> None:
    body = _apply(client, agency)
    sim.pay(body["payment_url"])
    _wait_paid(body["payment_number"])
    outbox_drain()
    assert Case.objects.get().state == workflow.ISSUED
    assert IssuedDocument.objects.count() == 1


def test_simulator_sends_the_callback_twice_paid_once(
    client: Client, agency: Agency, sim: RunningSimulator
) -> None:
    sim.faults(duplicate_callbacks=True)
    body = _apply(client, agency)
    sim.pay(body["payment_url"])
    _wait_paid(body["payment_number"])
    deadline = time.monotonic() + 10
    while (
        len([d for d in sim.deliveries() if d["status"] == 200]) < 2 and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert len([d for d in sim.deliveries() if d["status"] == 200]) == 2
    outbox_drain()
    assert PaymentEvent.objects.count() == 1
    assert IssuedDocument.objects.count() == 1


def test_callback_arrives_before_the_browser_returns(
    client: Client, agency: Agency, sim: RunningSimulator
) -> None:
    sim.faults(callback_first=True)
    body = _apply(client, agency)
    # the payer presses Pay on the gateway's page: the gateway notifies, then sends the
    # browser back by the address signed for the order
    back = sim.pay_in_browser(body["payment_url"])
    assert (
        PaymentOrder.objects.get(number=body["payment_number"]).status == PaymentOrder.Status.PAID
    )
    assert back.startswith(f"{settings.UMIS_PUBLIC_URL}/payments/return/")
    response = client.get(back.removeprefix(settings.UMIS_PUBLIC_URL))
    assert response.status_code == 302
    # a browser that does not have the application open is asked for it, naming none
    assert response["Location"].endswith("/evisa/status/?payment=returned")


def test_lost_callback_settled_from_the_simulators_statement_file(
    client: Client, agency: Agency, sim: RunningSimulator
) -> None:
    sim.faults(drop_callbacks=True)
    body = _apply(client, agency)
    sim.pay(body["payment_url"])
    time.sleep(0.3)
    assert (
        PaymentOrder.objects.get(number=body["payment_number"]).status
        == PaymentOrder.Status.PENDING
    )
    statement = sim.statement_dir / f"statement-{dt.datetime.now(dt.UTC).date().isoformat()}.csv"
    call_command("payments", "reconcile", str(statement))
    order = PaymentOrder.objects.get(number=body["payment_number"])
    assert order.status == PaymentOrder.Status.PAID
    assert order.settled_by == PaymentOrder.SettledBy.RECONCILIATION
    outbox_drain()
    assert Case.objects.get().state == workflow.ISSUED


def test_tampered_amount_from_the_gateway_is_refused_without_retry_storm(
    client: Client, agency: Agency, sim: RunningSimulator
) -> None:
    sim.faults(tamper_amount=True)
    body = _apply(client, agency)
    sim.pay(body["payment_url"])
    deadline = time.monotonic() + 10
    while not sim.deliveries() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim.deliveries()[0]["status"] == 422
    assert (
        PaymentOrder.objects.get(number=body["payment_number"]).status
        == PaymentOrder.Status.PENDING
    )
    assert Case.objects.get().state == workflow.AWAITING_PAYMENT
