from __future__ import annotations

import pytest

from umis.core.testing import World, make_world


@pytest.fixture(autouse=True)
def _fast_hashing(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    # each test builds its own reference data: no snapshot shared between tests
    settings.UMIS_REFERENCE_CACHE_SECONDS = 0  # type: ignore[attr-defined]
    # no background index build unless a test asks for one
    settings.UMIS_SCREENING_WARM = False  # type: ignore[attr-defined]


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def _fresh_screening_index() -> None:
    """Each test's watchlists live in its own transaction: start from an empty index."""
    from umis.screening.engine import index_reset

    index_reset()
