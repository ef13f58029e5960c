"""The screening index is built in the background when a serving process starts, and a
screening that arrives while it is being built waits for it instead of missing entries."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from umis.core.testing import World, audit_triggers_dropped_for_flush, audit_triggers_restore
from umis.screening import engine
from umis.screening.index import Query
from umis.screening.models import WatchlistEntry
from umis.screening.selectors import screening_search
from umis.screening.services import watchlist_get_or_create, watchlist_import
from umis.screening.tests.test_intake import ban

# The warm-up thread reads through its own database connection: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def _audit_triggers() -> Iterator[None]:
    audit_triggers_restore()
    yield
    audit_triggers_dropped_for_flush()


def _two_bans(world: World) -> tuple[WatchlistEntry, WatchlistEntry]:
    wl = watchlist_get_or_create(actor=world.hannah, code="entry-bans", name="Entry bans")
    result = watchlist_import(
        actor=world.hannah,
        watchlist=wl,
        raws=[
            ban(),
            ban(
                external_id="EB-2",
                full_name="Məmmədov Elvin Rauf oğlu",
                aliases=["Rzayev Tofiq"],
                birth_date="1979-06-02",
                nationality="AZ",
            ),
        ],
    )
    assert not result.errors, result.to_dict()
    first, second = WatchlistEntry.objects.order_by("id")
    return first, second


def test_the_warm_up_builds_the_index_before_the_first_search(
    world: World, _audit_triggers: None, settings: Any
) -> None:
    rashad, elvin = _two_bans(world)
    engine.index_reset()
    assert engine.index_warm_start() is None  # off unless configured (tests, commands)
    settings.UMIS_SCREENING_WARM = True
    thread = engine.index_warm_start()
    assert thread is not None
    assert engine.index_warm_start() is None  # once per process
    thread.join(timeout=60)
    status = engine.index_status()
    assert (status.ready, status.entries, status.builds, status.warming) == (True, 2, 1, False)

    hits = screening_search(
        actor=world.hannah,
        query=Query(names=("HUSEYNOV RASHAD",), birth_date=rashad.birth_date, nationality="TR"),
    )
    assert [h.entry.pk for h in hits] == [rashad.pk]
    by_alias = screening_search(
        actor=world.hannah,
        query=Query(names=("TOFIQ RZAYEV",), birth_date=elvin.birth_date, nationality="AZ"),
    )
    assert [h.entry.pk for h in by_alias] == [elvin.pk]
    assert engine.index_status().builds == 1  # the first search found the index ready


def test_a_search_during_the_warm_up_waits_for_it_and_finds_every_entry(
    world: World, _audit_triggers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rashad, elvin = _two_bans(world)
    engine.index_reset()
    halfway, release = threading.Event(), threading.Event()
    real = engine._records

    def slow_records(qs: Any) -> Iterator[Any]:
        for i, record in enumerate(real(qs)):
            if i == 1:  # the first entry is in, the second not yet
                halfway.set()
                release.wait(timeout=30)
            yield record

    monkeypatch.setattr(engine, "_records", slow_records)
    thread = engine.index_warm_start(force=True)
    assert thread is not None
    assert halfway.wait(timeout=30)
    assert engine.index_status().warming
    threading.Timer(0.5, release.set).start()
    started = time.perf_counter()
    hits = screening_search(
        actor=world.hannah,
        query=Query(names=("MAMMADOV ELVIN",), birth_date=elvin.birth_date, nationality="AZ"),
    )
    waited = time.perf_counter() - started
    thread.join(timeout=30)
    assert [h.entry.pk for h in hits] == [elvin.pk]  # not answered from the half-built index
    assert waited >= 0.4
    assert engine.index_status().builds == 1  # the search used the warm-up's build


def test_the_warmed_index_follows_watchlist_changes(world: World, _audit_triggers: None) -> None:
    rashad, _elvin = _two_bans(world)
    engine.index_reset()
    thread = engine.index_warm_start(force=True)
    assert thread is not None
    thread.join(timeout=60)
    wl = rashad.watchlist
    watchlist_import(
        actor=world.hannah,
        watchlist=wl,
        raws=[ban(external_id="EB-3", full_name="Əliyeva Səbinə", birth_date="1990-01-01")],
    )
    hits = screening_search(
        actor=world.hannah,
        query=Query(names=("ALIYEVA SABINA",), birth_date=dt.date(1990, 1, 1)),
    )
    assert [h.entry.external_id for h in hits] == ["EB-3"]
    assert engine.index_status().builds == 1  # caught up, not rebuilt
    assert engine.index_status().entries == 3


def test_an_import_is_caught_up_in_the_background_not_by_the_next_screening(
    world: World, _audit_triggers: None, settings: Any
) -> None:
    rashad, _elvin = _two_bans(world)
    engine.index_reset()
    settings.UMIS_SCREENING_FOLLOW_SECONDS = 0.05
    warm = engine.index_warm_start(force=True)
    assert warm is not None
    warm.join(timeout=60)
    follower = engine._follow.thread
    assert follower is not None and follower.is_alive()
    try:
        watchlist_import(
            actor=world.hannah,
            watchlist=rashad.watchlist,
            raws=[
                ban(external_id=f"EB-{n}", full_name=name, birth_date="1990-01-01")
                for n, name in enumerate(["Əliyeva Səbinə", "Quliyev Vüsal", "Nəsirova Aygün"], 3)
            ],
        )
        deadline = time.monotonic() + 30
        while engine.index_status().entries < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        # in the index before any screening asked for it, caught up rather than rebuilt
        assert engine.index_status().entries == 5
        assert engine.index_status().builds == 1
        hits = screening_search(
            actor=world.hannah,
            query=Query(names=("NASIROVA AYGUN",), birth_date=dt.date(1990, 1, 1)),
        )
        assert [h.entry.external_id for h in hits] == ["EB-5"]
    finally:
        engine.index_reset()
        follower.join(timeout=10)
    assert not follower.is_alive()  # stopped with the index it followed
