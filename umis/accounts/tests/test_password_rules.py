"""Common and short passwords are refused wherever a password is set: the admin's forms,
`createsuperuser` (prompted or from DJANGO_SUPERUSER_PASSWORD) and code; the demo's own
credentials file is checked in umis/demo/tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from umis.accounts.models import User
from umis.core.testing import PASSWORD, World

pytestmark = pytest.mark.django_db

COMMON = "qwerty123456"  # 12 characters, on the list of common passwords


def test_createsuperuser_without_prompts_refuses_a_common_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", COMMON)
    with translation.override("en"), pytest.raises(CommandError, match="too common"):
        call_command(
            "createsuperuser", interactive=False, username="boss", email="boss@example.org"
        )
    assert not User.objects.filter(username="boss").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="boss", email="boss@example.org")
    assert User.objects.get(username="boss").check_password(PASSWORD)


def test_accounts_made_in_code_obey_the_rules(db: None) -> None:
    with pytest.raises(ValidationError) as refused:
        User.objects.create_user("clerk", password=COMMON)
    assert "password_too_common" in {e.code for e in refused.value.error_list}
    with pytest.raises(ValidationError):
        User.objects.create_superuser("boss", password="short-1")
    assert not User.objects.exists()


def test_the_admin_refuses_a_common_password_for_a_new_or_existing_account(
    world: World,
) -> None:
    admin = Client()
    admin.force_login(world.admin)
    response = admin.post(
        "/en/admin/accounts/user/add/",
        {"username": "clerk", "password1": COMMON, "password2": COMMON, "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(username="clerk").exists()
    response = admin.post(
        f"/en/admin/accounts/user/{world.alice.pk}/password/",
        {"password1": COMMON, "password2": COMMON, "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.check_password(PASSWORD)
