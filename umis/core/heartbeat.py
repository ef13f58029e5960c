"""Whether the background worker (`umis worker`) is running: it writes the time it was
last seen every few seconds (`worker_beat`), and a page that waits for it says, once it has
not been seen for WORKER_GONE_AFTER, that it is not running, instead of only "waiting"."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading

from django.db import DatabaseError, close_old_connections, connection

from umis.core import clock
from umis.core.models import WorkerHeartbeat

log = logging.getLogger("umis.heartbeat")

BEAT_EVERY_SECONDS = 5.0
# a worker not seen for longer than this (twelve beats missed) is not running
WORKER_GONE_AFTER = dt.timedelta(minutes=1)


def worker_name() -> str:
    """The name a worker's row is kept under: its machine's (one worker per machine; two
    on one machine share the row, either's beat saying one runs)."""
    return socket.gethostname()[:100] or "worker"


def worker_beat(*, name: str) -> None:
    """Record that the worker `name` is running now."""
    now = clock.now()
    if not WorkerHeartbeat.objects.filter(name=name).update(seen_at=now):
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"seen_at": now})


def worker_last_seen() -> dt.datetime | None:
    """When a worker was last seen running (any of them), or None if none ever was."""
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def worker_running() -> bool:
    """Whether a worker was seen running within WORKER_GONE_AFTER."""
    seen = worker_last_seen()
    return seen is not None and clock.now() - seen <= WORKER_GONE_AFTER


def worker_beat_in_background(*, name: str, every: float = BEAT_EVERY_SECONDS) -> threading.Event:
    """Beat every `every` seconds in a thread of its own (a periodic job or a task that
    takes long does not hold the beat up) until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        try:
            while True:
                close_old_connections()
                try:
                    worker_beat(name=name)
                except DatabaseError:  # the database busy or away: the next beat tries again
                    log.warning("could not record the worker's heartbeat", exc_info=True)
                if stop.wait(every):
                    break
        finally:
            connection.close()

    threading.Thread(target=run, name="umis-heartbeat", daemon=True).start()
    return stop
