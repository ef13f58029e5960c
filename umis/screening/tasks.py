"""Background tasks of the screening app (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def watchlist_import_task(import_id: int) -> str:
    """Import a file the head office uploaded (`watchlist_import_run`)."""
    from umis.screening.services import watchlist_import_run

    job = watchlist_import_run(import_id=import_id)
    return job.status if job is not None else "skipped"
