from __future__ import annotations

from dataclasses import dataclass

import pytest

from umis.accounts.models import Role, Scope
from umis.accounts.services import api_client_create
from umis.core.testing import World, make_user


@dataclass
class Agency:
    key: str
    world: World


@pytest.fixture
def agency(world: World) -> Agency:
    user = make_user("agnes", Role.AGENCY)
    _client, key = api_client_create(
        actor=None, name="Travel agency", user=user, scopes=[Scope.EVISA]
    )
    return Agency(key=key, world=world)
