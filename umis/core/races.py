"""Two transactions that store the same new thing at the same moment.

Two hotels' clerks register the same guest at once, or two border batches carry the same
first-time traveller: both read "no such passport on file", both create it, and the
database's unique constraint refuses the second insert once the first has committed.
`atomic_retried` runs such a unit of work again, once: the second attempt reads the row
the other transaction stored and goes on from there (links to its person, or refuses a
second registration for the same dates), instead of answering 500.

The same holds for a transaction that PostgreSQL aborted to break a deadlock (two
transactions each waiting for a row the other holds): it runs again once the other has
gone on. Writers that lock many rows lock them in one order (a batch's people by id), so
this stays rare. The victim waits a moment before it runs again: at once, its new
transaction could take back a row the other transaction was waiting for (a row whose
locker has gone is free to whoever asks first) and deadlock with it a second time.

Some work keeps things outside its transaction on purpose (`audit_refusal` rows survive a
rollback); an app registers a `Rewind` so that a retried attempt does not leave them twice.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DatabaseError, IntegrityError, OperationalError, transaction

log = logging.getLogger(__name__)

T = TypeVar("T")

UNIQUE_VIOLATION = "23505"
DEADLOCK = "40P01"
DEADLOCK_BACKOFF_SECONDS = (0.1, 0.2)


@dataclass(frozen=True)
class Rewind:
    """`mark()` before an attempt; `rewind(token)` when that attempt is to be run again."""

    mark: Callable[[], Any]
    rewind: Callable[[Any], None]


_rewinds: list[Rewind] = []


def rewind_register(rewind: Rewind) -> None:
    if rewind not in _rewinds:
        _rewinds.append(rewind)


def is_race(exc: DatabaseError) -> bool:
    """Whether the database refused a duplicate (PostgreSQL's SQLSTATE 23505, SQLite's
    "UNIQUE constraint failed") or chose this transaction as a deadlock's victim (40P01):
    not some other broken rule."""
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate in (UNIQUE_VIOLATION, DEADLOCK):
        return True
    return isinstance(exc, IntegrityError) and "UNIQUE constraint failed" in str(exc)


def atomic_retried(work: Callable[[], T], *, attempts: int = 2) -> T:
    """`work()` in a transaction (a savepoint inside an outer one); run again, up to
    `attempts` times in all, when a unique constraint refused what a concurrent
    transaction had just stored, or the database broke a deadlock by aborting this one."""
    for attempt in range(1, attempts + 1):
        marks = [(r, r.mark()) for r in _rewinds]
        try:
            with transaction.atomic():
                return work()
        except (IntegrityError, OperationalError) as exc:
            if attempt == attempts or not is_race(exc):
                raise
            # the code and constraint only: the error's own text holds the duplicate values
            cause = exc.__cause__
            constraint = getattr(getattr(cause, "diag", None), "constraint_name", None)
            log.info(
                "lost a race with a concurrent transaction (%s %s): run again",
                getattr(cause, "sqlstate", ""),
                constraint or "",
            )
            for r, token in marks:
                r.rewind(token)
            if getattr(cause, "sqlstate", None) == DEADLOCK:
                time.sleep(random.uniform(*DEADLOCK_BACKOFF_SECONDS))
    raise AssertionError("unreachable")
