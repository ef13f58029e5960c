"""Background tasks of the platform (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def outbox_drain_task() -> int:
    from umis.core.outbox import outbox_drain

    return outbox_drain()
