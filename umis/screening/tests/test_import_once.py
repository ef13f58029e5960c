"""A watchlist file is imported once: the upload form sent again (a double click, back and
send again) and the same entries sent again for the same list while their first import is
still waiting or running lead to that import instead of queuing another."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.screening.models import WatchlistEntry, WatchlistImport
from umis.screening.tasks import watchlist_import_task
from umis.screening.tests.test_import_page import CSV, URL

pytestmark = pytest.mark.django_db

TASK = "umis.screening.tasks.watchlist_import_task"


def form_token(client: Client) -> str:
    page = client.get(URL).content.decode()
    found = re.search(r'name="submission" value="([A-Za-z0-9_-]+)"', page)
    assert found, "the form carries a one-time token"
    return found.group(1)


def send(
    client: Client, text: str, *, token: str = "", name: str = "bans.csv", **fields: str
) -> Any:
    form = {"list": "entry-bans", "file": SimpleUploadedFile(name, text.encode()), **fields}
    if token:
        form["submission"] = token
    return client.post(URL, form, follow=True)


def queued_audits() -> int:
    return AuditEvent.objects.filter(action="WATCHLIST_IMPORT_QUEUED").count()


def test_the_upload_form_sent_twice_queues_one_import_and_leads_to_it(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    token = form_token(client)
    first = send(client, CSV, token=token)
    job = WatchlistImport.objects.get()
    assert first.redirect_chain == [(f"/ru/office/screening/watchlist/imports/{job.pk}/", 302)]

    # a double click, or back and send again: the same form, the same token
    again = send(client, CSV, token=token)
    assert again.redirect_chain == first.redirect_chain
    page = again.content.decode()
    assert "Эта форма уже отправлена: вот начатый ею импорт; файл не импортируется снова." in page
    assert WatchlistImport.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    assert queued_audits() == 1  # a refused duplicate changes nothing

    # even once the import has finished, the same form leads to it and imports nothing
    watchlist_import_task.call(job.pk)
    again = send(client, CSV, token=token)
    assert again.redirect_chain == first.redirect_chain
    assert WatchlistImport.objects.count() == 1


def test_a_form_refused_with_nothing_queued_keeps_its_token(world: World, client: Client) -> None:
    client.force_login(world.hannah)
    token = form_token(client)
    refused = send(client, "", token=token)
    assert refused.status_code == 422
    assert f'name="submission" value="{token}"' in refused.content.decode()
    sent = send(client, CSV, token=token)
    assert sent.redirect_chain[0][1] == 302
    assert WatchlistImport.objects.count() == 1


def test_the_same_file_sent_again_while_waiting_or_running_leads_to_its_import(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    first = send(client, CSV, token=form_token(client))
    job = WatchlistImport.objects.get()

    # a new form (another tab, the page opened again), the same file for the same list
    again = send(client, CSV, token=form_token(client), name="bans-copy.csv")
    assert again.redirect_chain == first.redirect_chain
    said = (
        "Тот же файл уже ждёт импорта в этот список или импортируется: вот этот импорт; "
        "файл не ставится в очередь снова."
    )
    assert said in again.content.decode()
    english = client.post(
        URL.replace("/ru/", "/en/"),
        {"list": "entry-bans", "file": SimpleUploadedFile("b.csv", CSV.encode())},
        follow=True,
    ).content.decode()
    assert (
        "The same file is already waiting to be imported into this list, or being imported: "
        "this is that import; the file is not queued again."
    ) in english
    assert WatchlistImport.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    assert queued_audits() == 1

    # while it runs (its worker has taken it up), the same
    WatchlistImport.objects.filter(pk=job.pk).update(status="running")
    send(client, CSV, token=form_token(client))
    assert WatchlistImport.objects.count() == 1

    # another file, or the same file for another list, is queued
    send(client, CSV.replace("X2", "X9"), token=form_token(client))
    send(client, CSV, token=form_token(client), list="wanted")
    assert WatchlistImport.objects.count() == 3


def test_a_file_imported_already_may_be_imported_again_on_purpose(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    send(client, CSV, token=form_token(client))
    job = WatchlistImport.objects.get()
    watchlist_import_task.call(job.pk)

    again = send(client, CSV, token=form_token(client))
    second = WatchlistImport.objects.exclude(pk=job.pk).get()
    assert again.redirect_chain == [(f"/ru/office/screening/watchlist/imports/{second.pk}/", 302)]
    watchlist_import_task.call(second.pk)
    second.refresh_from_db()
    assert (second.status, second.created, second.unchanged) == ("done", 0, 2)
    assert queued_audits() == 2


def test_the_command_imports_nothing_while_the_same_file_waits_to_be_imported(
    world: World, client: Client, tmp_path: Path
) -> None:
    client.force_login(world.hannah)
    send(client, CSV, token=form_token(client))
    job = WatchlistImport.objects.get()
    f = tmp_path / "bans.csv"
    f.write_text(CSV, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist", "import", str(f), "--list", "entry-bans", "--quiet",
            "--language", "en", stdout=io.StringIO(),
        )  # fmt: skip
    assert str(refused.value) == (
        f"The same entries are already waiting to be imported into entry-bans, or being "
        f"imported (import {job.pk}); nothing imported. Wait until it has finished."
    )
    assert not WatchlistEntry.objects.exists()

    # once it has finished, the command imports the file again (unchanged)
    watchlist_import_task.call(job.pk)
    out = io.StringIO()
    call_command(
        "watchlist", "import", str(f), "--list", "entry-bans", "--quiet",
        "--language", "en", stdout=out,
    )  # fmt: skip
    assert out.getvalue() == "entry-bans: 0 created, 0 updated, 2 unchanged, 0 skipped\n"


def test_the_api_imports_nothing_while_the_same_entries_wait_to_be_imported(
    world: World, client: Client
) -> None:
    entries = [
        {"category": "entry_ban", "external_id": "EB-1", "full_name": "Aliyev Rauf"}
        | {"reason": "Court decision", "source": "Court"}
    ]
    client.force_login(world.hannah)
    send(client, json.dumps(entries), token=form_token(client), name="bans.json")
    job = WatchlistImport.objects.get()
    client.logout()
    key = api_client_create(
        actor=None, name="Agency", user=world.hannah, scopes=[Scope.WATCHLISTS_MANAGE]
    )

    def post() -> Any:
        return client.post(
            "/api/v1/watchlists/entry-bans/entries",
            {"entries": entries},
            "application/json",
            HTTP_X_API_KEY=key[1],
            HTTP_ACCEPT_LANGUAGE="en",
        )

    response = post()
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "import_in_progress"
    assert f"(import {job.pk})" in error["message"]
    assert not WatchlistEntry.objects.exists()

    watchlist_import_task.call(job.pk)
    response = post()
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 1}


def test_the_database_keeps_one_import_of_the_same_entries_in_progress_per_list(
    world: World, client: Client
) -> None:
    from django.db import IntegrityError, transaction

    client.force_login(world.hannah)
    send(client, CSV, token=form_token(client))
    job = WatchlistImport.objects.get()
    twin = {"watchlist_code": job.watchlist_code, "content_hash": job.content_hash}
    with pytest.raises(IntegrityError), transaction.atomic():
        WatchlistImport.objects.create(**twin, status="running", language="az")
    WatchlistImport.objects.create(**twin, status="done", language="az")
    WatchlistImport.objects.create(**twin | {"watchlist_code": "wanted"}, language="az")
    assert WatchlistImport.objects.count() == 3
