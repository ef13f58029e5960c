from __future__ import annotations

from dataclasses import dataclass

import pytest

from umis.accounts.models import Role, Scope
from umis.accounts.services import api_client_create
from umis.core.testing import World, make_user
from umis.visas.reference import visa_reference_load_defaults


@dataclass
class Agency:
    key: str
    world: World


@pytest.fixture
def agency(world: World) -> Agency:
    visa_reference_load_defaults()  # transactional tests flush the migrations' data
    user = make_user("agnes", Role.AGENCY)
    _client, key = api_client_create(
        actor=None, name="Travel agency", user=user, scopes=[Scope.EVISA]
    )
    return Agency(key=key, world=world)
