"""A failed e-mail to an applicant is logged by its reference, never with the address that
an SMTP refusal repeats in its text."""

from __future__ import annotations

import logging
import smtplib
from types import SimpleNamespace
from typing import Any

import pytest

from umis.visas import notify


def test_a_refused_e_mail_is_logged_without_the_address(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPRecipientsRefused(
            {"anna.muller@example.org": (550, b"5.1.1 <anna.muller@example.org> unknown")}
        )

    monkeypatch.setattr(notify.EmailMessage, "send", refuse)
    app = SimpleNamespace(email="anna.muller@example.org", group_reference="EV-2026-000042")
    with caplog.at_level(logging.INFO, logger="umis.visas"):
        notify._send(app, "subject", "body")  # type: ignore[arg-type]
    assert "e-mail to the applicant of EV-2026-000042 failed: SMTPRecipientsRefused" in caplog.text
    assert "anna.muller" not in caplog.text
