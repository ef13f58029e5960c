"""A client cannot pass for another address, host or scheme with X-Forwarded-* headers: they
count only behind a proxy of ours (UMIS_BEHIND_PROXY), and then only the address our proxy
appended. The audit log, the rate limits and the sign-in lockout all see the same address."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from umis.audit.models import AuditEvent
from umis.core import clock
from umis.core.testing import PASSWORD, World, production_settings

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the address the application sees when a proxy of ours is in front
LOOKUP = {"reference": "EV-2026-000001", "passport_number": "C01234567"}


def _fail_sign_in(client: Client, username: str, forwarded: str) -> None:
    client.post(
        "/en/accounts/login/",
        {"username": username, "password": "wrong-password-1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def _sign_in(client: Client, forwarded: str) -> int:
    response = client.post(
        "/en/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return response.status_code


def test_the_audit_log_keeps_the_connections_address_not_the_claimed_one(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    _fail_sign_in(client, "alice", "198.51.100.7")
    assert AuditEvent.objects.get(action="USER_SIGN_IN_REFUSED").ip == PROXY
    settings.UMIS_BEHIND_PROXY = True
    # a client wrote the first address; our proxy appended the one it saw
    _fail_sign_in(client, "hannah", "198.51.100.7, 203.0.113.5")
    assert AuditEvent.objects.filter(action="USER_SIGN_IN_REFUSED").latest("id").ip == (
        "203.0.113.5"
    )


def test_a_new_forwarded_address_on_each_try_does_not_escape_the_lockout(
    world: World, client: Client
) -> None:
    for i in range(5):  # five failures, each for a made-up name and from a "new" address
        _fail_sign_in(client, f"nobody{i}", f"198.51.100.{i}")
    assert _sign_in(client, "198.51.100.99") == 429  # the address is locked out


def test_behind_our_proxy_the_lockout_is_per_client_not_for_everybody(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    settings.UMIS_BEHIND_PROXY = True
    for i in range(5):
        _fail_sign_in(client, f"nobody{i}", "198.51.100.1")
    assert _sign_in(client, "198.51.100.1") == 429
    assert _sign_in(Client(), "203.0.113.5") == 302  # another client, the same proxy


def test_a_new_forwarded_address_on_each_try_does_not_escape_the_rate_limit(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    settings.UMIS_RATE_LIMITS = {"lookup": 2}
    with clock.frozen_at(dt.datetime(2026, 11, 23, 9, 15, tzinfo=dt.UTC)):
        statuses = [
            client.post(
                "/en/evisa/status/", LOOKUP, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
            ).status_code
            for i in range(3)
        ]
        assert statuses[-1] == 429 and 429 not in statuses[:2]
        settings.UMIS_BEHIND_PROXY = True  # now each forwarded client counts on its own
        other = client.post(
            "/en/evisa/status/", LOOKUP, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
        assert other.status_code != 429


def test_a_forwarded_host_or_scheme_is_ignored(world: World, client: Client) -> None:
    response = client.get(
        "/en/accounts/login/",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_PORT="8443",
    )
    assert response.status_code == 200  # not a refused host: the header was not read
    request = response.wsgi_request
    assert request.get_host() == "testserver"
    assert request.is_secure() is False
    assert request.build_absolute_uri("/") == "http://testserver/"


def _production_proxy_settings(tmp: Path, **extra: str) -> dict[str, Any]:
    names = ("SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT")
    return production_settings(tmp, names, **extra)


def test_production_trusts_the_forwarded_scheme_only_behind_our_proxy(tmp_path: Path) -> None:
    alone = _production_proxy_settings(tmp_path)
    assert alone == {
        "SECURE_PROXY_SSL_HEADER": None,
        "USE_X_FORWARDED_HOST": False,
        "USE_X_FORWARDED_PORT": False,
    }
    behind = _production_proxy_settings(tmp_path, UMIS_BEHIND_PROXY="true")
    assert behind == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "USE_X_FORWARDED_HOST": False,
        "USE_X_FORWARDED_PORT": False,
    }
