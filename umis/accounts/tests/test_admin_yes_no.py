"""The admin's yes/no icons say yes, no or unknown to a screen reader in the administrator's
language, on every list and every record's page, not Python's "True", "False", "None"."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from umis.core.testing import World

pytestmark = pytest.mark.django_db

WORDS = {"az": ("Bəli", "Xeyr", "Məlum deyil"), "ru": ("Да", "Нет", "Неизвестно")}


def _icons(page: str) -> list[str]:
    return re.findall(
        r'<img src="[^"]*/admin/img/icon-(?:yes|no|unknown)\.svg" alt="([^"]*)"', page
    )


def _pages(client: Client, prefix: str) -> list[tuple[str, str]]:
    """Every model's list and the page of its first record."""
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        url = f"{prefix}/admin/{opts.app_label}/{opts.model_name}/"
        pages.append((url, client.get(url).content.decode()))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            url = f"{url}{first.pk}/change/"
            pages.append((url, client.get(url).content.decode()))
    return pages


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_yes_no_icon_of_the_admin_is_read_in_the_administrators_language(
    world: World, language: str
) -> None:
    TOTPDevice.objects.create(user=world.alice, name="Phone", confirmed=True)
    AccessFailureLog.objects.create(
        username="alice", ip_address="192.0.2.1", user_agent="x", locked_out=True
    )
    client = Client()
    client.force_login(world.admin)
    prefix = "" if language == "az" else f"/{language}"

    pages = _pages(client, prefix)

    yes, no, _unknown = WORDS[language]
    other = {url: alts for url, page in pages if (alts := set(_icons(page)) - {*WORDS[language]})}
    assert other == {}
    users = dict(pages)[f"{prefix}/admin/accounts/user/"]
    assert set(_icons(users)) == {yes}  # everybody is active
    assert re.search(r'<th scope="col" class="sortable column-is_active', users)

    # whoever may only view users reads a user's page with every field read-only
    world.harry.is_staff = True
    world.harry.save()
    world.harry.user_permissions.add(Permission.objects.get(codename="view_user"))
    viewer = Client()
    viewer.force_login(world.harry)
    page = viewer.get(f"{prefix}/admin/accounts/user/{world.alice.pk}/change/").content.decode()
    assert _icons(page) == [yes, no, no]  # active, not staff, not a superuser
