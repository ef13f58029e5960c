"""`umis worker`: the task worker (django-tasks database backend) plus the periodic jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from umis.core.collector import collector_tune
from umis.core.periodic import run_due_jobs


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
        pool = [
            subprocess.Popen(command, env=dict(os.environ))  # noqa: S603
            for _ in range(max(1, int(os.environ.get("UMIS_TASK_WORKERS", "1"))))
        ]
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(t.poll() is None for t in pool):
                for line in run_due_jobs():
                    self.stdout.write(line)
                for _ in range(int(options["interval"] * 2)):
                    if stopping:
                        break
                    time.sleep(0.5)
        finally:
            for t in pool:
                if t.poll() is None:
                    t.terminate()
            for t in pool:
                t.wait(timeout=15)
