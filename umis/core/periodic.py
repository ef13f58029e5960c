"""Periodic jobs: apps register idempotent functions; the worker runs the due ones."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("umis.periodic")


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], str | None]
    last_run: float = 0.0


_jobs: dict[str, PeriodicJob] = {}


def register(name: str, every_seconds: float, run: Callable[[], str | None]) -> None:
    _jobs[name] = PeriodicJob(name, every_seconds, run)


def run_due_jobs() -> list[str]:
    """Run every job whose interval has passed (jobs are idempotent, so two workers are safe)."""
    out = []
    now = time.monotonic()
    for job in _jobs.values():
        if now - job.last_run < job.every_seconds:
            continue
        job.last_run = now
        try:
            message = job.run()
        except Exception:  # a failing job must not stop the others
            log.exception("periodic job %s failed", job.name)
            continue
        if message:
            out.append(f"{job.name}: {message}")
    return out
