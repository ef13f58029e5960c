"""`make run PORT=8123`: the links the system writes (payment return and callback, e-mails,
the certificate's code) point to the port it serves on, unless an address is configured; a
port already in use is said so, and the payment simulator finds a free port of its own."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from umis.demo.management.commands import serve
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


def _listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_port_in_use_is_refused_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serve, "call_command", _must_not_run)
    with _listening() as taken:
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port} is already in use"):
            call_command("serve", "--port", str(port), "--no-demo")


def _must_not_run(*args: Any, **kwargs: Any) -> None:
    raise AssertionError(f"nothing may start on a port in use: {args}")


def test_the_simulator_moves_off_a_taken_port(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.delenv("UMIS_PAYMENT_GATEWAY_URL", raising=False)
    monkeypatch.delenv("UMIS_PAYMENT_SIMULATOR_PORT", raising=False)
    with _listening() as taken:
        settings.UMIS_PAYMENT_SIMULATOR_PORT = taken.getsockname()[1]
        moved, held = serve._simulator_port(8131)
    assert held is not None
    held.close()
    port = int(moved["UMIS_PAYMENT_SIMULATOR_PORT"])
    assert port > 8131
    assert moved["UMIS_PAYMENT_GATEWAY_URL"] == f"http://127.0.0.1:{port}"
    assert f"http://127.0.0.1:{port}" == settings.UMIS_PAYMENT_GATEWAY_URL


def test_the_simulator_never_takes_the_web_servers_port(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.delenv("UMIS_PAYMENT_GATEWAY_URL", raising=False)
    monkeypatch.delenv("UMIS_PAYMENT_SIMULATOR_PORT", raising=False)
    settings.UMIS_PAYMENT_SIMULATOR_PORT = 8001
    moved, held = serve._simulator_port(8001)
    assert held is not None
    held.close()
    assert int(moved["UMIS_PAYMENT_SIMULATOR_PORT"]) > 8001


def test_the_simulators_port_is_held_until_the_simulator_starts(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Another UMIS starting while this one migrates and loads its demo (a minute) must not
    take the port chosen for this one's simulator."""
    monkeypatch.delenv("UMIS_PAYMENT_GATEWAY_URL", raising=False)
    monkeypatch.delenv("UMIS_PAYMENT_SIMULATOR_PORT", raising=False)
    settings.UMIS_PAYMENT_SIMULATOR_PORT = 8001
    chosen, held = serve._simulator_port(8141)
    assert held is not None
    port = int(chosen["UMIS_PAYMENT_SIMULATOR_PORT"])
    try:
        assert not serve._port_free("127.0.0.1", port)
        other = socket.socket(socket.AF_INET)  # as the simulator's HTTP server binds
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with other, pytest.raises(OSError):
            other.bind(("127.0.0.1", port))
        settings.UMIS_PAYMENT_SIMULATOR_PORT = port  # a second UMIS wanting the same port
        second, second_held = serve._simulator_port(8141)
        assert second_held is not None
        second_held.close()
        assert int(second["UMIS_PAYMENT_SIMULATOR_PORT"]) != port
    finally:
        held.close()
    assert serve._port_free("127.0.0.1", port)  # released for the simulator


def test_a_configured_simulator_address_is_kept(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setenv("UMIS_PAYMENT_GATEWAY_URL", "http://127.0.0.1:9999")
    assert serve._simulator_port(8001) == ({}, None)
