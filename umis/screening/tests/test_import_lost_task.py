"""A queued import whose task is gone (it failed before taking the import up: the database
locked past its busy timeout, a lost connection) is queued again by the worker's sweep
instead of waiting for ever, and imported once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from umis.audit.models import AuditEvent
from umis.core import clock
from umis.core.testing import World
from umis.screening import services
from umis.screening.models import WatchlistEntry, WatchlistImport
from umis.screening.tasks import watchlist_import_task
from umis.screening.tests.test_import_page import CSV, upload

pytestmark = pytest.mark.django_db

TASK = "umis.screening.tasks.watchlist_import_task"


def test_a_queued_import_whose_task_failed_is_queued_again_and_imported_once(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    upload(client, CSV)
    job = WatchlistImport.objects.get()
    # its task stopped before it took the import up
    DBTaskResult.objects.filter(task_path=TASK).update(status="FAILED")

    # while it may only be waiting its turn, it is left alone
    assert services.watchlist_imports_resume_stalled() == 0
    later = job.updated_at + services.IMPORT_LEASE + dt.timedelta(seconds=1)
    with clock.frozen_at(later):
        assert services.watchlist_imports_resume_stalled() == 1
        assert services.watchlist_imports_resume_stalled() == 0  # a task waits for it now
    retry = DBTaskResult.objects.get(task_path=TASK, status="READY")
    assert retry.args_kwargs["args"] == [job.pk]

    watchlist_import_task.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.attempts) == ("done", 2, 1)
    assert WatchlistEntry.objects.count() == 2
    assert list(
        AuditEvent.objects.filter(action__startswith="WATCHLIST_IMPORT")
        .exclude(action="WATCHLIST_IMPORT_VIEWED")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["WATCHLIST_IMPORT_QUEUED", "WATCHLIST_IMPORT_REQUEUED", "WATCHLIST_IMPORT_FINISHED"]


def test_a_queued_import_whose_task_waits_is_not_queued_twice(world: World, client: Client) -> None:
    client.force_login(world.hannah)
    upload(client, CSV)
    job = WatchlistImport.objects.get()
    # behind a long import, its task still waiting: nothing to do
    with clock.frozen_at(job.updated_at + dt.timedelta(hours=1)):
        assert services.watchlist_imports_resume_stalled() == 0
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
