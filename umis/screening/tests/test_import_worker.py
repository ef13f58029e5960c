"""An import waiting for the background worker says so when the worker is not running (it
has not been seen for a minute: `umis worker` records a heartbeat every few seconds),
instead of only "waiting"."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from umis.core import clock
from umis.core.heartbeat import worker_beat
from umis.core.models import WorkerHeartbeat
from umis.core.testing import World
from umis.screening.models import WatchlistImport
from umis.screening.services import watchlist_get_or_create
from umis.screening.tests.test_import_page import CSV, upload

NOT_RUNNING = (
    "Фоновый обработчик не запущен: импорт начнётся, когда его запустят. "
    "Сообщите администратору системы."
)
NOT_RUNNING_EN = (
    "The background worker is not running: the import will start when it does. "
    "Tell the system administrator."
)
STOPPED = (
    "Фоновый обработчик не запущен: импорт продолжится с места остановки, когда "
    "его запустят. Сообщите администратору системы."
)


@pytest.mark.django_db
def test_an_import_waiting_while_no_worker_runs_says_the_worker_is_not_running(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    status_url = upload(client, CSV)["Location"]
    queued_at = WatchlistImport.objects.get().updated_at

    # no worker was ever seen: said at once, in the officer's language
    page = client.get(status_url).content.decode()
    english = client.get(status_url.replace("/ru/", "/en/")).content.decode()
    assert NOT_RUNNING in page
    assert NOT_RUNNING_EN in english
    assert '<meta http-equiv="refresh" content="3">' in page  # it goes on as soon as it can

    # a worker seen a minute ago at most is running: the import only waits its turn
    worker_beat(name="worker-1")
    seen = WorkerHeartbeat.objects.get().seen_at
    with clock.frozen_at(seen + dt.timedelta(minutes=1)):
        page = client.get(status_url).content.decode()
    assert "import-no-worker" not in page
    assert "В очереди" in page
    with clock.frozen_at(seen + dt.timedelta(minutes=1, seconds=1)):
        assert NOT_RUNNING in client.get(status_url).content.decode()

    # taken up by a worker that stopped since (its lease ran out): it goes on from where
    # it stopped once a worker runs
    WatchlistImport.objects.update(
        status="running", attempts=1, lease_until=queued_at + dt.timedelta(minutes=5)
    )
    with clock.frozen_at(seen + dt.timedelta(minutes=2)):
        assert "import-no-worker" not in client.get(status_url).content.decode()  # leased
    with clock.frozen_at(queued_at + dt.timedelta(minutes=6)):
        assert STOPPED in client.get(status_url).content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database two processes share"
)
def test_the_worker_records_its_heartbeat_and_the_waiting_import_goes_on(
    world: World, client: Client
) -> None:
    # a test that commits empties every table after it, the lists made by migrations too
    watchlist_get_or_create(actor=world.hannah, code="entry-bans", name="Entry bans")
    client.force_login(world.hannah)
    status_url = upload(client, CSV)["Location"]
    assert NOT_RUNNING in client.get(status_url).content.decode()

    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT']}"
        f"/{db['NAME']}"
    )
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "umis.cli", "worker", "--interval", "1"],
        env={**os.environ, "DATABASE_URL": url, "UMIS_SCREENING_WARM": "0"},
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if WatchlistImport.objects.get().status == "done":
                break
            time.sleep(0.5)
        assert WorkerHeartbeat.objects.exists()
        assert WatchlistImport.objects.get().status == "done"
        first = WorkerHeartbeat.objects.get().seen_at
        time.sleep(6)  # beats go on every few seconds
        assert WorkerHeartbeat.objects.get().seen_at > first
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)
