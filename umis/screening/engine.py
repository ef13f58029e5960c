"""The process's candidate index, rebuilt from the database and kept current.

Each process (web worker, task worker) holds one index. Every watchlist write bumps
`WatchlistSequence` and stamps the entries it touched with the new value; before a
search the index reads that one number and, if it moved, loads only the entries changed
since (so an import is visible to the next screening in every process). See
docs/adr/0008-screening-candidate-index.md for how this scales.
"""

from __future__ import annotations

import gc
import threading

from django.conf import settings
from django.db.models import QuerySet

from umis.screening.index import CandidateIndex, Record
from umis.screening.models import WatchlistEntry, WatchlistSequence

_lock = threading.Lock()


class _State:
    index: CandidateIndex | None = None
    seq: int = -1
    db: object = None


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


def current_sequence() -> int:
    row = WatchlistSequence.objects.filter(pk=1).values_list("value", flat=True).first()
    return int(row or 0)


def index_current() -> CandidateIndex:
    """The index, caught up with the database."""
    from django.db import connection

    seq = current_sequence()
    db = connection.settings_dict.get("NAME")
    with _lock:
        index = _state.index
        if index is None or _state.db != db or _state.seq > seq:
            index = CandidateIndex()
            for e in _rows(WatchlistEntry.objects.filter(active=True)).iterator(chunk_size=5000):
                index.add(entry_record(e))
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
