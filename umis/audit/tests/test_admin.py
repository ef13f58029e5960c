"""Whatever the admin adds, changes or deletes is in the audit log, in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import Client

from umis.audit.admin import AuditedModelAdmin
from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.reference.models import Holiday

pytestmark = pytest.mark.django_db


def test_every_page_of_the_admin_writes_to_the_audit_log() -> None:
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedModelAdmin)
    ]
    assert unaudited == []


def test_adding_and_deleting_in_the_admin_is_audited(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    response = client.post(
        "/en/admin/reference/holiday/add/", {"date": "2031-03-20", "name": "Novruz"}
    )
    assert response.status_code == 302
    added = Holiday.objects.get(date=dt.date(2031, 3, 20))
    kept = Holiday.objects.create(date=dt.date(2031, 3, 21), name="Novruz")
    bulk = Holiday.objects.create(date=dt.date(2031, 3, 22), name="Novruz")
    response = client.post(f"/en/admin/reference/holiday/{kept.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = client.post(
        "/en/admin/reference/holiday/",
        {"action": "delete_selected", "_selected_action": [str(added.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Holiday.objects.values_list("pk", flat=True)) == [bulk.pk]
    events = AuditEvent.objects.filter(entity_type="reference.holiday").order_by("id")
    assert [(e.action, e.entity_id, e.actor_id, e.data) for e in events] == [
        ("ADMIN_RECORD_CREATED", str(added.pk), world.admin.pk, {"fields": ["date", "name"]}),
        ("ADMIN_RECORD_DELETED", str(kept.pk), world.admin.pk, {}),
        ("ADMIN_RECORD_DELETED", str(added.pk), world.admin.pk, {}),
    ]
