"""`umis worker`: the task worker (django-tasks database backend) plus the periodic jobs, and
its heartbeat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from umis.core.collector import collector_tune
from umis.core.heartbeat import worker_beat_in_background, worker_name
from umis.core.periodic import run_due_jobs


def pool_keep(
    pool: list[subprocess.Popen[bytes]],
    start: Callable[[], subprocess.Popen[bytes]],
    say: Callable[[str], Any],
) -> int:
    """Start again every task process of `pool` that has stopped (an error it did not
    survive: a database locked for longer than its busy timeout during a long import, a
    lost connection), so that queued work goes on and `umis serve` does not stop the web
    server with it (outbox rows it was handling are released with its connection and taken
    up again). Returns how many were started."""
    started = 0
    for i, process in enumerate(pool):
        code = process.poll()
        if code is None:
            continue
        say(f"A task process stopped (exit code {code}); starting a new one.")
        pool[i] = start()
        started += 1
    return started


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (audit sealing, ...)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=10.0, help="seconds between periodic runs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        collector_tune()
        command = [
            sys.executable,
            "-m",
            "umis.cli",
            "task_worker",
            "--interval",
            os.environ.get("UMIS_TASK_POLL_SECONDS", "0.2"),
            "--no-startup-delay",
        ]
        # Several task processes share the queue safely (tasks and outbox rows are claimed
        # with FOR UPDATE SKIP LOCKED on PostgreSQL).

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(command, env=dict(os.environ))  # noqa: S603

        pool = [start() for _ in range(max(1, int(os.environ.get("UMIS_TASK_WORKERS", "1"))))]
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # the pages that wait for this worker say whether it runs (`core.heartbeat`)
        beating = worker_beat_in_background(name=worker_name())
        try:
            while not stopping:
                pool_keep(pool, start, self.stderr.write)
                for line in run_due_jobs():
                    self.stdout.write(line)
                for _ in range(int(options["interval"] * 2)):
                    if stopping:
                        break
                    time.sleep(0.5)
        finally:
            beating.set()
            for t in pool:
                if t.poll() is None:
                    t.terminate()
            for t in pool:
                t.wait(timeout=15)
