"""What the API's tests share: a JSON request under a key, and a travel agency's key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Role, Scope
from umis.accounts.services import api_client_create
from umis.core.testing import World, make_user
from umis.visas.reference import visa_reference_load_defaults


def api_post(client: Client, path: str, body: Any, key: str, lang: str = "en") -> Any:
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


@pytest.fixture
def agency_key(world: World) -> str:
    """The key of a travel agency that files e-visa applications (the e-visa's reference
    data loaded)."""
    visa_reference_load_defaults()
    return api_client_create(
        actor=None, name="Travel agency", user=make_user("agnes", Role.AGENCY), scopes=[Scope.EVISA]
    )[1]


@pytest.fixture
def screening_key(world: World) -> str:
    """The key of an agency that searches the watchlists."""
    return api_client_create(
        actor=None, name="Agency", user=world.hannah, scopes=[Scope.SCREENING]
    )[1]
