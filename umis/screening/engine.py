"""The process's candidate index, rebuilt from the database and kept current.

Each process (web worker, task worker) holds one index. Every watchlist write bumps
`WatchlistSequence` and stamps the entries it touched with the new value; before a
search the index reads that one number and, if it moved, loads only the entries changed
since (so an import is visible to the next screening in every process). See
docs/adr/0008-screening-candidate-index.md for how this scales.

The web server and the task worker warm the index at start (`index_warm_start`, with
`UMIS_SCREENING_WARM`): a background thread builds it while the process already
serves, then another keeps it caught up every few seconds (`index_follow_start`,
`UMIS_SCREENING_FOLLOW_SECONDS`), so a large import is not caught up inside a request. A screening that arrives during the build waits for it (the build holds the
index lock), so it is never answered from a partial index; see docs/benchmarks.md for why
waiting beats a fallback scan.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from umis.core.prepared import Prepared
from umis.screening.index import CandidateIndex, Record
from umis.screening.models import WatchlistEntry, WatchlistSequence

log = logging.getLogger("umis.screening")

_lock = threading.Lock()


class _State:
    index: CandidateIndex | None = None
    seq: int = -1
    db: object = None
    builds: int = 0  # full builds in this process
    last_build_s: float = 0.0


_state = _State()


def screening_threshold() -> float:
    return float(getattr(settings, "UMIS_SCREENING_THRESHOLD", 85.0))


def name_match_threshold() -> float:
    return float(getattr(settings, "UMIS_NAME_MATCH_THRESHOLD", 85.0))


_RECORD_FIELDS = (
    "id",
    "full_name",
    "aliases_text",
    "birth_date",
    "birth_year",
    "nationality",
    "document_number",
    "issuing_state",
    "kind",
)


def _records(qs: QuerySet[WatchlistEntry]) -> Iterator[Record]:
    """The index records of the entries, read as plain rows (no model instances: a million
    of them cost half a minute), the aliases as text, decoded only when there are some."""
    rows = (
        qs.order_by("id")
        .annotate(aliases_text=Cast("aliases", TextField()))
        .values_list(*_RECORD_FIELDS)
        .iterator(chunk_size=5000)
    )
    for pk, full_name, aliases_text, *rest in rows:
        aliases = json.loads(aliases_text) if aliases_text and aliases_text != "[]" else []
        names = tuple(n for n in [full_name, *aliases] if n)
        birth_date, birth_year, nationality, document_number, issuing_state, kind = rest
        yield Record(
            id=pk,
            names=names,
            birth_date=birth_date,
            birth_year=birth_year,
            nationality=nationality,
            document_number=document_number,
            issuing_state=issuing_state,
            kind=kind,
        )


def entries_index(qs: QuerySet[WatchlistEntry]) -> CandidateIndex:
    """An index of these entries alone, read as the process's index reads them (one query):
    to search entries it does not hold, the withdrawn ones, as it searches its own."""
    index = CandidateIndex()
    index.add_many(_records(qs))
    return index


_SEQUENCE = Prepared(
    lambda p: WatchlistSequence.objects.filter(pk=1).values_list("value", flat=True)
)


def current_sequence() -> int:
    row = _SEQUENCE.first()
    return int(row or 0)


def index_current() -> CandidateIndex:
    """The index, caught up with the database."""
    from django.db import connection

    seq = current_sequence()
    db = connection.settings_dict.get("NAME")
    with _lock:
        index = _state.index
        if index is None or _state.db != db or _state.seq > seq:
            started = time.perf_counter()
            index = CandidateIndex()
            for record in _records(WatchlistEntry.objects.filter(active=True)):
                index.add(record)
            _state.builds += 1
            _state.last_build_s = time.perf_counter() - started
            # A million indexed names are millions of long-lived objects: keep the cyclic
            # garbage collector from walking them on every full collection (latency spikes).
            if len(index) >= 10_000:
                gc.collect()
                gc.freeze()
        elif _state.seq < seq:
            # every entry changed since: out, then back in when still active (read as plain
            # rows, as the build reads them; one changed between the two reads is read again
            # at the next catch-up, its stamp being above `seq`)
            changed = WatchlistEntry.objects.filter(change_seq__gt=_state.seq)
            for pk in changed.values_list("id", flat=True).iterator(chunk_size=5000):
                index.remove(pk)
            for record in _records(changed.filter(active=True)):
                index.add(record)
        _state.index, _state.seq, _state.db = index, seq, db
        return index


def index_reset() -> None:
    """Forget the index (tests; a restored database)."""
    with _lock:
        _state.index, _state.seq, _state.db = None, -1, None
        _state.builds, _state.last_build_s = 0, 0.0
    with _warm_lock:
        _warm.thread, _warm.pid = None, 0
        _follow.stop.set()
        _follow.thread, _follow.pid = None, 0


@dataclass(frozen=True)
class IndexStatus:
    ready: bool  # built in this process
    entries: int
    builds: int
    last_build_s: float
    warming: bool  # the warm-up thread is still running


def index_status() -> IndexStatus:
    """What this process's index holds (read without waiting for a build in progress)."""
    index = _state.index
    thread = _warm.thread
    return IndexStatus(
        ready=index is not None,
        entries=len(index) if index is not None else 0,
        builds=_state.builds,
        last_build_s=round(_state.last_build_s, 3),
        warming=thread is not None and thread.is_alive() and _warm.pid == os.getpid(),
    )


# --- warm-up at process start ---------------------------------------------------------------


class _Warm:
    thread: threading.Thread | None = None
    pid: int = 0


_warm = _Warm()
_warm_lock = threading.Lock()


def _warm_run() -> None:
    from django.db import connection

    try:
        started = time.perf_counter()
        if _state.index is None:  # else a screening built it first
            index = index_current()
            log.info(
                "screening index warm: %d entries in %.1f s",
                len(index),
                time.perf_counter() - started,
            )
    except Exception:  # the first screening builds it instead; never crash the process
        log.exception("screening index warm-up failed")
    finally:
        connection.close()
    index_follow_start()


# --- catching up between screenings -----------------------------------------------------------


class _Follow:
    thread: threading.Thread | None = None
    pid: int = 0
    stop: threading.Event = threading.Event()


_follow = _Follow()


def _follow_run(every: float, stop: threading.Event) -> None:
    """Every `every` seconds, catch the index up with the watchlists when they changed.

    A large import (160,000 entries) is otherwise caught up by the first screening after it,
    inside that request: a minute on two cores, past the web server's request timeout. Caught
    up here, batch by batch as the import commits them, it is current when screenings come;
    one that arrives during a catch-up waits for it (the index lock), never reads half."""
    from django.db import connection

    while not stop.wait(every):
        try:
            if _state.index is not None and current_sequence() != _state.seq:
                started = time.perf_counter()
                index_current()
                log.info("screening index caught up in %.1f s", time.perf_counter() - started)
        except Exception:  # the next screening catches up instead; try again next round
            log.exception("screening index catch-up failed")
            connection.close()
    connection.close()


def index_follow_start(*, every: float | None = None) -> threading.Thread | None:
    """Keep this process's index caught up in a background thread (once per process), every
    `UMIS_SCREENING_FOLLOW_SECONDS` (default 2; 0 turns it off, as in tests). Started by the
    warm-up once the index is built. Returns the thread, or None when it did not start one."""
    if every is None:
        every = float(getattr(settings, "UMIS_SCREENING_FOLLOW_SECONDS", 2.0))
    if every <= 0:
        return None
    with _warm_lock:
        pid = os.getpid()
        if _follow.thread is not None and _follow.pid == pid and _follow.thread.is_alive():
            return None
        _follow.stop = threading.Event()
        _follow.thread = threading.Thread(
            target=_follow_run,
            args=(every, _follow.stop),
            name="umis-screening-follow",
            daemon=True,
        )
        _follow.pid = pid
        _follow.thread.start()
        return _follow.thread


def index_warm_start(*, force: bool = False) -> threading.Thread | None:
    """Build this process's index in a background thread, once per process.

    Call after Django is set up, from a serving process (the WSGI application, the task
    worker). Does nothing unless `UMIS_SCREENING_WARM` is on (or `force`). Returns the thread
    (already running), or None when it did not start one.
    """
    if not (force or getattr(settings, "UMIS_SCREENING_WARM", False)):
        return None
    with _warm_lock:
        pid = os.getpid()
        if _warm.thread is not None and _warm.pid == pid:
            return None  # already started in this process
        _warm.thread = threading.Thread(target=_warm_run, name="umis-screening-warm", daemon=True)
        _warm.pid = pid
        _warm.thread.start()
        return _warm.thread


def _after_fork_in_child() -> None:
    """A process forked during a build (gunicorn --preload) inherits the index lock held by
    a thread it does not have: give it fresh locks, and warm again if the build had not
    finished (an index built before the fork is shared copy-on-write)."""
    global _lock, _warm_lock
    _lock = threading.Lock()
    _warm_lock = threading.Lock()
    started = _warm.thread is not None
    _warm.thread, _warm.pid = None, 0
    _follow.thread, _follow.pid, _follow.stop = None, 0, threading.Event()
    if started and _state.index is None:
        index_warm_start(force=True)
    elif started:
        index_follow_start()


os.register_at_fork(after_in_child=_after_fork_in_child)
