"""A worker process killed with SIGKILL in the middle of issuing: after a restart the e-visa
is issued exactly once. Needs PostgreSQL (the worker is a second process on the test
database); skipped on SQLite's in-memory test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from umis.cases.models import Case
from umis.core.models import OutboxMessage
from umis.core.outbox import outbox_drain
from umis.core.testing import audit_triggers_dropped_for_flush, audit_triggers_restore
from umis.documents.models import IssuedDocument
from umis.payments.models import PaymentOrder
from umis.visas import workflow
from umis.visas.testing import application, pay_callback
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    from umis.visas import services
    real = services.document_issue_visa
    def slow(**kwargs):
        document = real(**kwargs)  # the seal is written inside the transaction ...
        print("issuing", flush=True)
        time.sleep(60)  # ... and the process is killed before it commits
        return document
    services.document_issue_visa = slow
    from umis.core.outbox import outbox_drain
    outbox_drain()
    """
)


@pytest.fixture
def _audit_triggers() -> Any:
    audit_triggers_restore()
    yield
    audit_triggers_dropped_for_flush()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database two processes share"
)
def test_worker_killed_while_issuing_issues_exactly_once_after_restart(
    client: Client, agency: Agency, _audit_triggers: None
) -> None:
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(),
        content_type="application/json",
        headers={"X-API-Key": agency.key},
    )
    order = PaymentOrder.objects.get(subject=response.json()["reference"])
    pay_callback(client, order)
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT']}/{db['NAME']}"
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", WORKER],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # the owed e-mails go out in the same drain: not to this pipe
            "UMIS_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        },
        stdout=subprocess.PIPE,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == b"issuing"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    case = Case.objects.get()
    assert case.state == workflow.SCREENING
    assert not IssuedDocument.objects.exists()
    deadline = time.monotonic() + 20  # the database notices the dead connection and rolls back
    while OutboxMessage.objects.filter(done_at__isnull=True).exists():
        assert time.monotonic() < deadline
        outbox_drain()
        time.sleep(0.1)
    outbox_drain()
    case.refresh_from_db()
    assert case.state == workflow.ISSUED
    assert IssuedDocument.objects.filter(case=case).count() == 1
