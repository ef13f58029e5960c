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

from django.conf import settings
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


TASK_PATH = "umis.core.tasks.outbox_drain_task"


def _kick() -> None:
    """Wake the worker unless a drain is already waiting to run (it will see this message)."""
    from umis.core.tasks import outbox_drain_task

    try:
        if "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
            from django_tasks_db.models import DBTaskResult

            if DBTaskResult.objects.filter(status="READY", task_path=TASK_PATH).exists():
                return
        outbox_drain_task.enqueue()
    except Exception:  # the periodic sweep picks the message up anyway
        log.exception("could not enqueue the outbox drain")


def outbox_process_batch(*, size: int = 20, topics: list[str] | None = None) -> int:
    """Claim up to `size` pending messages and handle each in its own savepoint, all in one
    transaction (one commit for the batch); returns how many were claimed."""
    now = clock.now()
    with transaction.atomic():
        qs = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            done_at__isnull=True, available_at__lte=now
        )
        if topics:
            qs = qs.filter(topic__in=topics)
        messages = list(qs.order_by("available_at", "id")[:size])
        for message in messages:
            handler = _handlers.get(message.topic)
            try:
                if handler is None:
                    raise LookupError(f"no outbox handler for {message.topic}")
                with transaction.atomic():
                    handler(message)
            except Exception as exc:
                log.exception("outbox message %s/%s failed", message.topic, message.key)
                attempts = message.attempts + 1
                delay = dt.timedelta(seconds=min(600, 2**attempts))
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=attempts,
                    last_error=repr(exc)[:2000],
                    available_at=clock.now() + delay
                    if attempts < MAX_ATTEMPTS
                    else now + dt.timedelta(days=3650),
                )
                continue
            OutboxMessage.objects.filter(pk=message.pk).update(
                done_at=clock.now(), attempts=message.attempts + 1
            )
    return len(messages)


def outbox_drain(*, limit: int = 1000, topics: list[str] | None = None) -> int:
    """Handle pending messages until none is left (or `limit`); returns how many were claimed."""
    done = 0
    while done < limit:
        claimed = outbox_process_batch(size=min(20, limit - done), topics=topics)
        if not claimed:
            break
        done += claimed
    return done


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(done_at__isnull=True).count()
