"""E-mails to applicants are owed durably: the decision's transaction writes an outbox message,
and the e-mail goes when the outbox is drained, so a worker dying right after its commit loses
no e-mail; a message queued again for the same application and step sends nothing more."""

from __future__ import annotations

import json
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from umis.core.models import OutboxMessage
from umis.core.outbox import outbox_drain
from umis.payments.models import PaymentOrder
from umis.visas import notify, services, workflow
from umis.visas.models import VisaApplication
from umis.visas.testing import application, pay_callback
from umis.visas.tests.conftest import Agency
from umis.visas.tests.test_portal import _form

pytestmark = pytest.mark.django_db


def _owed() -> list[str]:
    return sorted(
        OutboxMessage.objects.filter(topic=notify.MAIL_TOPIC, done_at__isnull=True).values_list(
            "key", flat=True
        )
    )


def _apply_and_pay(client: Client, agency: Agency) -> VisaApplication:
    response = client.post(
        "/api/v1/evisa/applications",
        data=json.dumps(application()),
        content_type="application/json",
        headers={"X-API-Key": agency.key},
    )
    order = PaymentOrder.objects.get(subject=response.json()["reference"])
    assert pay_callback(client, order).status_code == 200
    return VisaApplication.objects.select_related("case").get()


def test_the_received_e_mail_is_owed_once_the_application_is_stored(
    client: Client, agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the process dies after its commit
        assert client.post("/en/evisa/apply/", _form()).status_code == 302
    app = VisaApplication.objects.get()
    assert mail.outbox == []
    assert _owed() == [f"submitted:{app.group_reference}"]
    outbox_drain()
    [received] = mail.outbox
    assert received.to == ["anna@example.org"]
    assert received.subject == f"E-visa application {app.group_reference} received"
    assert _owed() == []


def test_the_issued_e_mail_survives_a_worker_dying_right_after_its_decision(
    client: Client, agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    app = _apply_and_pay(client, agency)
    outbox_drain(topics=[notify.MAIL_TOPIC])  # the received e-mail is out
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False):
        outbox_drain(topics=[services.DECIDE_TOPIC])  # decides, commits, and dies
    app.refresh_from_db()
    assert app.case.state == workflow.ISSUED
    assert mail.outbox == []
    assert _owed() == [f"issued:{app.case.reference}"]
    outbox_drain()  # the worker after its restart
    [issued] = mail.outbox
    assert app.visa_number in issued.subject
    assert _owed() == []


def test_an_e_mail_queued_again_for_the_same_step_is_sent_once(
    client: Client, agency: Agency
) -> None:
    app = _apply_and_pay(client, agency)
    outbox_drain()
    sent = len(mail.outbox)
    assert sent == 2  # received, issued
    assert not notify.mail_owe(kind=notify.ISSUED, application=app)
    services.visa_decide_automatically(case_id=app.case_id)  # a redelivered decision
    outbox_drain()
    assert len(mail.outbox) == sent


def test_an_e_mail_sent_again_after_a_crash_carries_the_same_message_id(
    client: Client, agency: Agency
) -> None:
    app = _apply_and_pay(client, agency)
    outbox_drain()
    app.refresh_from_db()
    key = f"issued:{app.case.reference}"
    # the worker sent the e-mail and died before its commit: the message is pending again
    OutboxMessage.objects.filter(topic=notify.MAIL_TOPIC, key=key).update(done_at=None)
    outbox_drain()
    first, again = [m for m in mail.outbox if app.visa_number in m.subject]
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"] == (
        f"<evisa.issued.{app.case.reference}@migration.gov.az>"
    )
    assert first.message()["Message-ID"] == first.extra_headers["Message-ID"]


def test_an_e_mail_the_server_could_not_take_is_sent_again_later(
    client: Client, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mail server that is down, or says "try again later" (4xx), is retried by the outbox;
    the error it keeps names no address."""
    sent = notify.EmailMessage.send
    failures = [
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPRecipientsRefused({"anna@example.org": (451, b"4.7.1 anna@example.org later")}),
    ]

    def flaky(self: Any, *args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop(0)
        return sent(self, *args, **kwargs)

    monkeypatch.setattr(notify.EmailMessage, "send", flaky)
    assert client.post("/en/evisa/apply/", _form()).status_code == 302
    app = VisaApplication.objects.get()
    for attempt in (1, 2):
        outbox_drain()
        assert mail.outbox == []
        message = OutboxMessage.objects.get(topic=notify.MAIL_TOPIC)
        assert (message.done_at, message.attempts) == (None, attempt)
        assert "anna" not in message.last_error
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=message.created_at)
    outbox_drain()
    [received] = mail.outbox
    assert received.subject == f"E-visa application {app.group_reference} received"
    assert _owed() == []


def test_an_address_the_server_refuses_for_good_is_not_tried_again(
    client: Client, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise smtplib.SMTPRecipientsRefused({"anna@example.org": (550, b"5.1.1 unknown user")})

    monkeypatch.setattr(notify.EmailMessage, "send", refuse)
    assert client.post("/en/evisa/apply/", _form()).status_code == 302
    outbox_drain()
    message = OutboxMessage.objects.get(topic=notify.MAIL_TOPIC)
    assert message.done_at is not None and message.attempts == 1
