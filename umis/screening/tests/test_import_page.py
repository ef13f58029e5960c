"""The head office imports a file of watchlist entries from the web: checked on upload as
`umis watchlist import` checks it, imported by the worker, its progress and summary shown
in the officer's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.screening import services
from umis.screening.models import WatchlistEntry, WatchlistImport
from umis.screening.tasks import watchlist_import_task

pytestmark = pytest.mark.django_db

URL = "/ru/office/screening/watchlist/import/"
CSV = (
    "category,external_id,full_name,birth_date,nationality,reason,source\n"
    "entry_ban,X1,Гусейнов Рашад,1985-03-14,TR,Expelled,SMS\n"
    "wanted,X2,Əliyev Tural,1990,AZ,Wanted by police,Police\n"
)
BAD_ROW = "entry_ban,X3,,1990,AZ,Expelled,SMS\n"


def upload(client: Client, text: str | bytes, *, name: str = "bans.csv", **fields: str) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        URL, {"list": "entry-bans", "file": SimpleUploadedFile(name, data), **fields}
    )


def run_queued() -> WatchlistImport:
    """What the worker does: run the task queued for the (one) import."""
    job = WatchlistImport.objects.get()
    queued = DBTaskResult.objects.get(task_path="umis.screening.tasks.watchlist_import_task")
    assert queued.args_kwargs["args"] == [job.pk]
    watchlist_import_task.call(job.pk)
    job.refresh_from_db()
    return job


def test_the_head_office_imports_a_file_and_sees_its_summary(world: World, client: Client) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV)
    job = WatchlistImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ru/office/screening/watchlist/imports/{job.pk}/"
    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "0 из 2" in waiting
    assert not WatchlistEntry.objects.exists()

    job = run_queued()
    assert job.status == "done"
    assert job.content == ""  # the file is not kept once imported
    page = client.get(response["Location"]).content.decode()
    assert "refresh" not in page
    assert "Добавлено: 2, обновлено: 0, без изменений: 0, отклонено строк: 0." in page
    assert sorted(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["X1", "X2"]
    assert WatchlistEntry.objects.get(external_id="X1").source == "SMS"
    assert list(
        AuditEvent.objects.filter(action__startswith="WATCHLIST_IMPORT")
        .exclude(action="WATCHLIST_IMPORT_VIEWED")
        .order_by("id")
        .values_list("action", "actor_id")
    ) == [
        ("WATCHLIST_IMPORT_QUEUED", world.hannah.pk),
        ("WATCHLIST_IMPORT_FINISHED", world.hannah.pk),
    ]
    assert (
        AuditEvent.objects.filter(action="WATCHLIST_ENTRY_CREATED", actor=world.hannah).count() == 2
    )


def test_a_file_with_an_invalid_row_is_refused_as_a_whole_naming_the_row(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV + BAD_ROW)
    job = run_queued()
    assert job.status == "refused"
    assert not WatchlistEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Ничего не импортировано" in page
    assert re.search(
        r"<td>строка 4</td><td><code>full_name</code></td><td>Это поле обязательно.</td>", page
    )
    assert AuditEvent.objects.filter(action="WATCHLIST_IMPORT_REFUSED").count() == 1


def test_the_valid_rows_are_imported_and_the_others_listed_when_asked(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV + BAD_ROW, skip_invalid="on")
    job = run_queued()
    assert (job.status, job.created, job.error_count) == ("done", 2, 1)
    page = client.get(response["Location"]).content.decode()
    assert "Добавлено: 2, обновлено: 0, без изменений: 0, отклонено строк: 1." in page
    assert "<td>строка 4</td>" in page


@pytest.mark.parametrize(
    ("text", "name", "said"),
    [
        (
            CSV.replace("Əliyev", "Aliyev").encode("cp1251"),
            "bans.csv",
            "не в кодировке UTF-8 (строка 2)",
        ),
        (CSV.encode("utf-16"), "bans.csv", "UTF-16"),
        (CSV.replace("birth_date", "birthdate"), "bans.csv", "неизвестные столбцы: birthdate"),
        ("full_name\nIvan Petrov\n", "bans.csv", "отсутствующие столбцы: category, reason"),
        (CSV, "bans.xlsx", "Выберите файл CSV или JSON."),
        ('{"entries": 5}', "bans.json", "JSON: ожидается список объектов"),
        ("category,reason\n", "bans.csv", "В файле нет записей."),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_at_once_saying_why(
    world: World, client: Client, text: str | bytes, name: str, said: str
) -> None:
    client.force_login(world.hannah)
    response = upload(client, text, name=name)
    assert response.status_code == 422
    assert said in response.content.decode()
    assert not WatchlistImport.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_file_past_the_size_limit_is_refused(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 1024 * 1024)
    client.force_login(world.hannah)
    response = upload(client, CSV + "#" * (1024 * 1024))
    assert response.status_code == 422
    assert "Файл больше 1 МБ." in response.content.decode()
    assert not WatchlistImport.objects.exists()


def test_a_list_must_be_chosen(world: World, client: Client) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV, list="nope")
    assert response.status_code == 422
    assert "Выберите список." in response.content.decode()
    assert not WatchlistImport.objects.exists()


def test_only_the_head_office_imports(world: World, client: Client) -> None:
    client.force_login(world.hannah)
    status_url = upload(client, CSV)["Location"]
    client.force_login(world.alice)
    assert client.get(URL).status_code == 404
    assert upload(client, CSV).status_code == 404
    assert client.get(status_url).status_code == 404
    assert WatchlistImport.objects.count() == 1
    assert AuditEvent.objects.filter(
        action="WATCHLIST_IMPORT_ACCESS_DENIED", actor=world.alice
    ).exists()
    with pytest.raises(services.PermissionDenied):
        services.watchlist_import_queue(
            actor=world.alice,
            watchlist_code="entry-bans",
            file_name="bans.csv",
            data=CSV.encode(),
            skip_invalid=False,
            language="en",
        )
