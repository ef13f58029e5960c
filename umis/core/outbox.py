"""The outbox: work that must follow a commit survives a crash between commit and work.

`outbox_put` writes a row in the caller's transaction (one row per topic and key, so a
retried write adds nothing). After the commit a django-tasks job is enqueued to drain the
outbox at once; should that be lost (the process died), the worker's periodic sweep
drains it anyway. A message's handler runs in the same transaction that marks it done,
so a worker killed mid-way leaves the message pending and the work undone, never half.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from umis.core import clock
from umis.core.models import OutboxMessage

log = logging.getLogger("umis.outbox")

Handler = Callable[[OutboxMessage], None]
_handlers: dict[str, Handler] = {}
MAX_ATTEMPTS = 8


def register(topic: str, handler: Handler) -> None:
    _handlers[topic] = handler


def outbox_put(*, topic: str, key: str, payload: dict[str, Any] | None = None) -> bool:
    """Queue work after the current transaction commits; False when already queued."""
    now = clock.now()
    try:
        with transaction.atomic():
            OutboxMessage.objects.create(
                topic=topic, key=key, payload=payload or {}, created_at=now, available_at=now
            )
    except IntegrityError:
        return False
    transaction.on_commit(_kick)
    return True


def _kick() -> None:
    from umis.core.tasks import outbox_drain_task

    try:
        outbox_drain_task.enqueue()
    except Exception:  # the periodic sweep picks the message up anyway
        log.exception("could not enqueue the outbox drain")


def outbox_process_one(*, topics: list[str] | None = None) -> bool:
    """Claim and handle one pending message; False when nothing is pending."""
    now = clock.now()
    failed: tuple[int, int, str] | None = None
    with transaction.atomic():
        qs = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            done_at__isnull=True, available_at__lte=now
        )
        if topics:
            qs = qs.filter(topic__in=topics)
        message = qs.order_by("available_at", "id").first()
        if message is None:
            return False
        handler = _handlers.get(message.topic)
        try:
            if handler is None:
                raise LookupError(f"no outbox handler for {message.topic}")
            with transaction.atomic():
                handler(message)
            OutboxMessage.objects.filter(pk=message.pk).update(
                done_at=clock.now(), attempts=message.attempts + 1
            )
        except Exception as exc:
            log.exception("outbox message %s/%s failed", message.topic, message.key)
            failed = (message.pk, message.attempts + 1, repr(exc)[:2000])
    if failed is not None:
        pk, attempts, error = failed
        delay = dt.timedelta(seconds=min(600, 2**attempts))
        OutboxMessage.objects.filter(pk=pk).update(
            attempts=attempts,
            last_error=error,
            available_at=clock.now() + delay
            if attempts < MAX_ATTEMPTS
            else now + dt.timedelta(days=3650),
        )
    return True


def outbox_drain(*, limit: int = 1000, topics: list[str] | None = None) -> int:
    """Handle pending messages until none is left (or `limit`); returns how many were claimed."""
    done = 0
    while done < limit and outbox_process_one(topics=topics):
        done += 1
    return done


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(done_at__isnull=True).count()
