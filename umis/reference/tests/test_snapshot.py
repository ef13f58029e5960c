"""Reference data read by validation is shared for a short time, then read again."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from umis.core.testing import World
from umis.reference import selectors
from umis.reference.models import Region

pytestmark = pytest.mark.django_db


def test_a_snapshot_is_shared_until_it_expires(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.UMIS_REFERENCE_CACHE_SECONDS = 30
    monkeypatch.setattr(selectors, "_shared", None)
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])

    first = selectors.reference_snapshot()
    assert first.region("baku") is not None
    Region.objects.filter(code="baku").update(name_en="Baku (edited)")
    clock[0] += 10
    assert selectors.reference_snapshot() is first
    assert first.region("baku").name_en != "Baku (edited)"  # type: ignore[union-attr]

    clock[0] += 25
    fresh = selectors.reference_snapshot()
    assert fresh is not first
    assert fresh.region("baku").name_en == "Baku (edited)"  # type: ignore[union-attr]


def test_with_no_cache_every_call_reads_the_database(world: World, settings: Settings) -> None:
    settings.UMIS_REFERENCE_CACHE_SECONDS = 0
    assert selectors.reference_snapshot() is not selectors.reference_snapshot()
