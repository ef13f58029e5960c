"""Links to shared rows are not database constraints (ADR 9); the application still keeps
a user, country, office or host that rows point at from being deleted."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from umis.accounts.models import User
from umis.core.testing import World, guest
from umis.reference.models import Country, Office
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def test_rows_in_use_cannot_be_deleted(world: World) -> None:
    result = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])
    assert result[0].accepted
    registration = result[0].registration
    assert registration is not None
    in_use = [
        Country.objects.get(code=registration.person.nationality_id),
        Office.objects.get(pk=registration.case.office_id),
        User.objects.get(pk=world.harry.pk),
        world.hotel,
    ]
    for row in in_use:
        with pytest.raises(ProtectedError):
            row.delete()
    assert Country.objects.filter(pk=in_use[0].pk).exists()
    assert User.objects.filter(pk=world.harry.pk).exists()
