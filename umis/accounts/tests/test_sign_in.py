"""Staff sign-in: Argon2 hashes, the TOTP second factor, lockout, session rotation and timeouts."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings as SettingsWrapper

from config import settings as configured
from umis.accounts.models import Role, User
from umis.audit.models import AuditEvent
from umis.core.testing import (
    PASSWORD,
    World,
    at_the_same_moment,
    descriptions_missing,
    field_tag,
    in_threads,
    make_world,
    production_env,
    run_django,
)

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


def test_passwords_are_hashed_with_argon2(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    # the hashers the application is configured with (the suite swaps in a fast one)
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    assert make_password("a-long-pass-phrase-7").startswith("argon2$argon2id$")
    # an older hash is replaced by an Argon2 one when its owner next signs in
    world.harry.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    world.harry.save()
    assert sign_in(client, "harry") == 302
    world.harry.refresh_from_db()
    assert world.harry.password.startswith("argon2$argon2id$")


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
    response = other.post(
        "/en/accounts/login/",
        {"username": "alice", "password": PASSWORD, "otp_token": code},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 200
    assert "wrong or was already used" in response.content.decode()
    assert "_auth_user_id" not in other.session
    refusals = AuditEvent.objects.filter(
        action="USER_SIGN_IN_REFUSED", entity_id=str(world.alice.pk)
    )
    assert [e.data["reason"] for e in refusals.order_by("id")] == [
        "mfa_invalid",
        "mfa_invalid",
        "mfa_invalid",
    ]


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


def test_five_failures_lock_the_account_out_and_are_in_the_audit_log(
    world: World, client: Client
) -> None:
    for _ in range(5):
        sign_in(client, "alice", password="wrong-password-1")
    response = client.post(
        "/en/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 429
    assert "Account locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    rows = AuditEvent.objects.filter(
        action__in=("USER_SIGN_IN_REFUSED", "USER_LOCKED_OUT"), entity_id=str(world.alice.pk)
    ).order_by("id")
    assert [(e.action, e.data["reason"]) for e in rows] == [
        *[("USER_SIGN_IN_REFUSED", "password")] * 4,
        *[("USER_LOCKED_OUT", "locked_out")] * 2,
    ]
    # a name that is no account is logged without the name (it may be a mistyped password)
    client.post(
        "/en/accounts/login/",
        {"username": "my-Secret-passw0rd", "password": "x"},
        REMOTE_ADDR="10.9.8.99",
    )
    unknown = AuditEvent.objects.filter(action="USER_SIGN_IN_REFUSED", entity_id="").get()
    assert unknown.data == {"reason": "password", "known_account": False}
    assert "my-Secret" not in str(unknown.data)


def test_signing_in_to_ones_own_account_does_not_clear_the_failures_on_another(
    world: World,
) -> None:
    """Anyone with an account (a hotel clerk) guesses an officer's password four times,
    signs in to their own account and out again, and guesses once more: the fifth failure
    locks the officer's account as if there had been no sign-in between."""
    for _ in range(4):
        sign_in(Client(), "alice", password="wrong-password-1")
    own = Client()
    assert sign_in(own, "harry") == 302
    own.post("/en/accounts/logout/")
    sign_in(Client(), "alice", password="wrong-password-1")
    assert sign_in(Client(), "alice") == 429


def test_signing_in_clears_ones_own_failures(world: World) -> None:
    for _ in range(4):
        sign_in(Client(), "harry", password="wrong-password-1")
    assert sign_in(Client(), "harry") == 302
    for _ in range(4):
        sign_in(Client(), "harry", password="wrong-password-1")
    assert sign_in(Client(), "harry") == 302


@pytest.mark.parametrize(
    ("language", "username", "lands_on"),
    [
        ("/en", "alice", "/en/office/"),
        ("/ru", "harry", "/ru/host/"),
        ("", "alice", "/office/"),  # Azerbaijani, the default, has no prefix
    ],
)
def test_signing_in_keeps_the_language_of_the_form(
    world: World, client: Client, language: str, username: str, lands_on: str
) -> None:
    response = client.post(
        f"{language}/accounts/login/",
        {"username": username, "password": PASSWORD},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_signing_in_returns_to_the_page_asked_for(world: World, client: Client) -> None:
    response = client.post(
        "/en/accounts/login/?next=/en/office/people/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response["Location"] == "/en/office/people/"


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


def test_a_staff_session_ends_after_eight_hours_however_busy(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    client.force_login(world.alice)
    assert client.get("/en/office/queue/").status_code == 200
    session = client.session
    session["umis_started"] = int(time.time()) - settings.UMIS_STAFF_ABSOLUTE_SECONDS - 5
    session["umis_seen"] = int(time.time()) - 30  # active a moment ago
    session.save()
    response = client.get("/en/office/queue/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_superuser_made_with_createsuperuser_is_an_administrator_and_times_out(
    client: Client, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="boss", email="b@example.org")
    boss = User.objects.get(username="boss")
    assert (boss.role, boss.is_staff, boss.is_superuser) == (Role.ADMINISTRATOR, True, True)
    client.force_login(boss)
    assert client.get("/en/admin/accounts/user/").status_code == 200
    session = client.session
    session["umis_seen"] = int(time.time()) - settings.UMIS_STAFF_IDLE_SECONDS - 5
    session.save()
    response = client.get("/en/admin/accounts/user/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_an_account_the_admin_may_open_times_out_like_staff_whatever_its_role(
    world: World, client: Client, settings: SettingsWrapper, flag: str
) -> None:
    setattr(world.oscar, flag, True)  # an applicant by role
    world.oscar.save()
    client.force_login(world.oscar)
    assert client.get("/en/").status_code == 200
    session = client.session
    session["umis_started"] = int(time.time()) - settings.UMIS_STAFF_ABSOLUTE_SECONDS - 5
    session["umis_seen"] = int(time.time()) - 30  # active a moment ago
    session.save()
    client.get("/en/")
    assert "_auth_user_id" not in client.session


def test_a_disabled_account_loses_its_session(world: World, client: Client) -> None:
    client.force_login(world.alice)
    assert client.get("/en/office/queue/").status_code == 200
    world.alice.is_active = False
    world.alice.save()
    response = client.get("/en/office/queue/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    # the session is over: enabling the account again does not bring it back
    world.alice.is_active = True
    world.alice.save()
    assert client.get("/en/office/queue/").status_code == 302


def test_a_staff_session_not_confirmed_with_the_code_ends(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    """Any way in other than the sign-in page (a password reset that signs in, a future
    single sign-on) leaves a session without the second factor: it is not a staff session."""
    settings.UMIS_STAFF_MFA = True
    TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
    client.force_login(world.alice)
    response = client.get("/en/office/queue/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session
    harry = Client()  # a host signs in with a password alone
    harry.force_login(world.harry)
    assert harry.get("/en/host/").status_code == 200


def test_the_admin_has_no_sign_in_form_of_its_own(world: World, client: Client) -> None:
    response = client.get("/en/admin/login/?next=/en/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/admin/accounts/user/"
    response = client.post(
        "/en/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    # a signed-in user the admin is not for is refused, not sent round in a loop
    client.force_login(world.alice)
    assert client.get("/en/admin/").status_code == 302
    assert client.get("/en/admin/login/?next=/en/admin/").status_code == 403


def test_an_account_the_admin_may_open_needs_the_code_whatever_its_role(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    settings.UMIS_STAFF_MFA = True
    world.oscar.is_staff = True
    world.oscar.save()
    TOTPDevice.objects.create(user=world.oscar, name="phone", confirmed=True)
    assert sign_in(client, "oscar") == 200
    assert "_auth_user_id" not in client.session


def test_a_new_password_from_an_administrator_still_needs_the_code(
    world: World, client: Client, settings: SettingsWrapper
) -> None:
    """There is no self-service password reset; an administrator sets a new password in the
    admin, and the second factor stays what it was."""
    device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
    admin = Client()
    admin.force_login(world.admin)
    new = "another-Long-phrase-42"
    response = admin.post(
        f"/en/admin/accounts/user/{world.alice.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    settings.UMIS_STAFF_MFA = True
    assert sign_in(client, "alice", password=new) == 200
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "alice", password=new, otp=current_code(device)) == 302


@pytest.mark.django_db(transaction=True)
def test_two_sign_ins_racing_with_the_same_code_let_one_in(
    settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Somebody who saw the password and the code typed races the officer: both requests
    check the code at the same moment; only one gets in."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: run on PostgreSQL (as CI does)")
    world = make_world()
    settings.UMIS_STAFF_MFA = True
    device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
    code = current_code(device)
    # both requests check the code at the same moment (unless one is held by a row lock)
    monkeypatch.setattr(TOTPDevice, "verify_token", at_the_same_moment(TOTPDevice.verify_token))
    statuses = in_threads(
        lambda: sign_in(Client(), "alice", otp=code), lambda: sign_in(Client(), "alice", otp=code)
    )
    assert sorted(statuses) == [200, 302]
    assert AuditEvent.objects.filter(action="USER_SIGNED_IN").count() == 1


def test_production_refuses_to_start_without_the_lockout(tmp_path: Path) -> None:
    started = run_django("", production_env(tmp_path))
    assert started.returncode == 0, started.stderr
    refused = run_django("", production_env(tmp_path, UMIS_AXES_ENABLED="false"))
    assert refused.returncode != 0
    assert "UMIS_AXES_ENABLED cannot be switched off in production" in refused.stderr


def test_expired_sessions_are_forgotten_by_the_worker(world: World) -> None:
    from django.contrib.sessions.models import Session

    from umis.core import periodic

    gone, kept = Client(), Client()
    gone.get("/en/evisa/apply/")  # an anonymous visitor's session
    kept.force_login(world.harry)
    assert Session.objects.count() == 2
    Session.objects.exclude(session_key=kept.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    periodic._jobs["sessions-prune"].run()
    assert list(Session.objects.values_list("session_key", flat=True)) == [kept.session.session_key]


@pytest.mark.parametrize("lang", ["", "/ru"])
def test_the_code_fields_description_is_on_the_page(client: Client, lang: str) -> None:
    page = client.get(f"{lang}/accounts/login/").content.decode()
    assert 'aria-describedby="id_otp_token_helptext"' in field_tag(page, "id_otp_token")
    assert descriptions_missing(page) == []


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("", "* ilə işarələnmiş sahələr"),
        ("/ru", "Поля, отмеченные *"),
        ("/en", "Fields marked with *"),
    ],
)
def test_the_sign_in_form_says_which_fields_must_be_filled_in(
    client: Client, lang: str, note: str
) -> None:
    """As every other form: a mark beside the label, explained above the form, and
    aria-required for a screen reader; the optional one-time code has neither."""
    page = client.get(f"{lang}/accounts/login/").content.decode()
    assert note in page
    for name in ("username", "password"):
        assert 'aria-required="true"' in field_tag(page, f"id_{name}")
        label = re.search(rf'<label for="id_{name}">(.*?)</label>', page, re.S)
        assert label and 'class="required-mark" aria-hidden="true"> *<' in label.group(1)
    assert "aria-required" not in field_tag(page, "id_otp_token")
    label = re.search(r'<label for="id_otp_token">(.*?)</label>', page, re.S)
    assert label and "required-mark" not in label.group(1)


def test_a_sign_in_fields_error_is_beside_it_and_read_with_it(client: Client) -> None:
    page = client.post(
        "/ru/accounts/login/", {"username": "x" * 151, "password": PASSWORD}
    ).content.decode()
    tag = field_tag(page, "id_username")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="id_username_error"' in tag
    assert '<p class="error" id="id_username_error">Не более 150 символов.</p>' in page
    assert descriptions_missing(page) == []
