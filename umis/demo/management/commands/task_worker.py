"""`umis task_worker`: django-tasks' database worker, with the screening index warmed at
start (UMIS_SCREENING_WARM) so the first task that screens a person does not wait for it."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from umis.core.collector import collector_tune
from umis.screening.engine import index_warm_start


class Command(DbWorkerCommand):
    help = "Run background tasks (the database worker), the screening index warmed at start."

    def handle(self, *args: Any, **options: Any) -> None:
        collector_tune()
        index_warm_start()
        super().handle(*args, **options)
