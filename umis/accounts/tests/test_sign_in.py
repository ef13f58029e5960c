"""Staff sign-in: Argon2 hashes, the TOTP second factor, lockout, session rotation and timeouts."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings as SettingsWrapper

from umis.audit.models import AuditEvent
from umis.core.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str = PASSWORD, otp: str = "") -> int:
    response = client.post(
        "/en/accounts/login/",
        {"username": username, "password": password, "otp_token": otp},
        REMOTE_ADDR="10.9.8.7",
    )
    return response.status_code


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_passwords_are_hashed_with_argon2(settings: SettingsWrapper) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    assert make_password("a-long-pass-phrase-7").startswith("argon2$argon2id$")


def test_staff_need_the_one_time_code_when_the_second_factor_is_on(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    settings.UMIS_STAFF_MFA = True
    device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)

    assert sign_in(client, "alice") == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "alice", otp="000000" if current_code(device) != "000000" else "111111")
    assert "_auth_user_id" not in client.session

    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows the next try down (django-otp's throttling)
    code = current_code(device)
    assert sign_in(client, "alice", otp=code) == 302
    assert client.session["_auth_user_id"] == str(world.alice.pk)
    assert AuditEvent.objects.filter(action="USER_SIGNED_IN", actor=world.alice).count() == 1

    # the same code cannot be used twice
    other = Client()
    assert sign_in(other, "alice", otp=code) == 200
    assert "_auth_user_id" not in other.session


def test_staff_without_an_enrolled_factor_cannot_sign_in(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    settings.UMIS_STAFF_MFA = True
    response = client.post(
        "/en/accounts/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 200
    assert "no second factor" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_hosts_sign_in_with_a_password_alone(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    settings.UMIS_STAFF_MFA = True
    assert sign_in(client, "harry") == 302
    assert client.session["_auth_user_id"] == str(world.harry.pk)


def test_five_failures_lock_the_account_out(world: World, client: Client) -> None:
    for _ in range(5):
        sign_in(client, "alice", password="wrong-password-1")
    assert sign_in(client, "alice") == 429
    assert "_auth_user_id" not in client.session


def test_signing_in_gives_a_new_session_id(world: World, client: Client) -> None:
    client.get("/en/accounts/login/")
    session = client.session
    session["before"] = True
    session.save()
    before = session.session_key
    assert sign_in(client, "alice") == 302
    assert client.session.session_key != before


def test_an_idle_staff_session_ends(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    client.force_login(world.alice)
    assert client.get("/en/office/queue/").status_code == 200
    session = client.session
    session["umis_seen"] = int(time.time()) - settings.UMIS_STAFF_IDLE_SECONDS - 5
    session.save()
    response = client.get("/en/office/queue/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_disabled_account_loses_its_session(world: World, client: Client) -> None:
    client.force_login(world.alice)
    world.alice.is_active = False
    world.alice.save()
    response = client.get("/en/office/queue/")
    assert response.status_code == 302
