from __future__ import annotations

import pytest

from umis.core.testing import World, make_world


@pytest.fixture(autouse=True)
def _fast_hashing(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    # each test builds its own reference data: no snapshot shared between tests
    settings.UMIS_REFERENCE_CACHE_SECONDS = 0  # type: ignore[attr-defined]


@pytest.fixture
def world(db: None) -> World:
    return make_world()
