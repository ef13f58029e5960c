"""The administrator names a watchlist in each language; the names are shown to officers
in theirs, and the change is in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.screening.models import Watchlist
from umis.screening.services import watchlist_get_or_create

pytestmark = pytest.mark.django_db


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def test_the_administrator_names_an_imported_list_in_azerbaijani_and_russian(
    world: World,
) -> None:
    interpol = watchlist_get_or_create(actor=None, code="interpol-red", name="Interpol red notices")
    form = {
        "name": "Interpol red notices",
        "name_az": "İnterpolun qırmızı bildirişləri",
        "name_ru": "Красные уведомления Интерпола",
        "description": "",
        "code": "changed",  # read-only: imports and the API know the list by its code
    }
    response = _admin(world).post(f"/admin/screening/watchlist/{interpol.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    interpol.refresh_from_db()
    assert interpol.code == "interpol-red"
    for language, title in [
        ("az", "İnterpolun qırmızı bildirişləri"),
        ("ru", "Красные уведомления Интерпола"),
        ("en", "Interpol red notices"),
    ]:
        with translation.override(language):
            assert interpol.title == title
    event = AuditEvent.objects.get(action="ADMIN_RECORD_CHANGED", entity_type="screening.watchlist")
    assert event.data == {"fields": ["name_az", "name_ru"]}


def test_a_built_in_list_keeps_the_products_names_and_no_list_is_deleted(world: World) -> None:
    bans = Watchlist.objects.get(code="entry-bans")
    client = _admin(world)
    page = client.get(f"/admin/screening/watchlist/{bans.pk}/change/").content.decode()
    assert 'name="name_az"' not in page  # shown, not editable
    listed = client.get("/admin/screening/watchlist/").content.decode()
    assert "Giriş qadağaları" in listed
    assert "nəzarət siyahısı" in listed.split("</title>")[0]  # not "watchlist"
    assert (
        client.post(f"/admin/screening/watchlist/{bans.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Watchlist.objects.filter(code="entry-bans").exists()
