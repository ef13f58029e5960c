"""The process's candidate index, rebuilt from the database and kept current.

Each process (web worker, task worker) holds one index. Every watchlist write bumps
`WatchlistSequence` and stamps the entries it touched with the new value; before a
search the index reads that one number and, if it moved, loads only the entries changed
since (so an import is visible to the next screening in every process). See
docs/adr/0008-screening-candidate-index.md for how this scales.

The web server and the task worker warm the index at start (`index_warm_start`, with
`UMIS_SCREENING_WARM`): a background thread builds it while the process already
serves. A screening that arrives during the build waits for it (the build holds the
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


def entry_record(e: WatchlistEntry) -> Record:
    return Record(
        id=e.pk,
        names=tuple(e.names),
        birth_date=e.birth_date,
        birth_year=e.birth_year,
        nationality=e.nationality,
        document_number=e.document_number,
        issuing_state=e.issuing_state,
        kind=e.kind,
    )


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


def _rows(qs: QuerySet[WatchlistEntry]) -> QuerySet[WatchlistEntry]:
    return qs.only(
        "id",
        "kind",
        "full_name",
        "aliases",
        "birth_date",
        "birth_year",
        "nationality",
        "document_number",
        "issuing_state",
        "active",
        "change_seq",
    ).order_by("id")


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
            changed = WatchlistEntry.objects.filter(change_seq__gt=_state.seq)
            for e in _rows(changed).iterator(chunk_size=5000):
                index.remove(e.pk)
                if e.active:
                    index.add(entry_record(e))
        _state.index, _state.seq, _state.db = index, seq, db
        return index


def index_reset() -> None:
    """Forget the index (tests; a restored database)."""
    with _lock:
        _state.index, _state.seq, _state.db = None, -1, None
        _state.builds, _state.last_build_s = 0, 0.0
    with _warm_lock:
        _warm.thread, _warm.pid = None, 0


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
        if _state.index is not None:  # a screening built it first
            return
        index = index_current()
        log.info(
            "screening index warm: %d entries in %.1f s", len(index), time.perf_counter() - started
        )
    except Exception:  # the first screening builds it instead; never crash the process
        log.exception("screening index warm-up failed")
    finally:
        connection.close()


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
    if started and _state.index is None:
        index_warm_start(force=True)


os.register_at_fork(after_in_child=_after_fork_in_child)
