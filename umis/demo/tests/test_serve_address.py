"""`make run PORT=8123`: the links the system writes (payment return and callback, e-mails,
the certificate's code) point to the port it serves on, unless an address is configured."""

from __future__ import annotations

from typing import Any

import pytest

from umis.demo.management.commands.serve import _public_url


def test_links_follow_the_port_served(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.delenv("UMIS_PUBLIC_URL", raising=False)
    monkeypatch.delenv("UMIS_PAYMENT_CALLBACK_BASE", raising=False)
    assert _public_url("0.0.0.0", 8131) == {  # noqa: S104
        "UMIS_PUBLIC_URL": "http://127.0.0.1:8131",
        "UMIS_PAYMENT_CALLBACK_BASE": "http://127.0.0.1:8131",
    }
    assert settings.UMIS_PUBLIC_URL == "http://127.0.0.1:8131"
    assert settings.UMIS_PAYMENT_CALLBACK_BASE == "http://127.0.0.1:8131"


def test_a_configured_address_is_kept(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("UMIS_PUBLIC_URL", "https://umis.example.gov.az")
    settings.UMIS_PUBLIC_URL = "https://umis.example.gov.az"
    assert _public_url("127.0.0.1", 8131) == {}
    assert settings.UMIS_PUBLIC_URL == "https://umis.example.gov.az"
