"""The head office imports a file of watchlist entries from the web: checked on upload as
`umis watchlist import` checks it, imported by the worker, its progress and summary shown
in the officer's language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from umis.audit.models import AuditEvent
from umis.core import clock
from umis.core.testing import World
from umis.screening import selectors, services
from umis.screening.files import watchlist_file_rows
from umis.screening.models import Watchlist, WatchlistEntry, WatchlistImport
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


def test_the_import_names_its_list_in_the_officers_language_not_by_its_code(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV)
    page = client.get(response["Location"]).content.decode()
    assert re.search(r"<dt>Список</dt><dd>Запреты на въезд</dd>", page)
    assert "entry-bans</" not in page


@pytest.mark.parametrize(
    ("category", "said"),
    [
        ("", "Это поле обязательно."),
        (
            "Entry ban",
            "Неизвестная категория: укажите одну из entry_ban (Запрет на въезд), "
            "wanted (Лицо в розыске), alert (Другое оповещение), lost (Утерянный документ), "
            "stolen (Похищенный документ), invalid (Недействительный документ).",
        ),
    ],
)
def test_a_row_without_a_known_category_is_refused_saying_which_ones_there_are(
    world: World, client: Client, category: str, said: str
) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV + f"{category},X3,Ivan Petrov,1990,AZ,Expelled,SMS\n")
    run_queued()
    page = client.get(response["Location"]).content.decode()
    assert f"<td>строка 4</td><td><code>category</code></td><td>{said}</td>" in page
    assert not WatchlistEntry.objects.exists()


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


class WorkerKilled(BaseException):
    """The worker's process ends where it stands (SIGKILL, the machine stops): nothing of
    it runs after, and its open transaction is rolled back."""


def killed_at_batch(n: int) -> Any:
    """A database hook that ends the worker when it writes the entries of its batch `n`
    (from 1): the batches before are committed, that one is not."""
    seen = 0

    def hook(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal seen
        if sql.startswith('INSERT INTO "screening_watchlistentry"'):
            seen += 1
            if seen == n:
                raise WorkerKilled
        return execute(sql, params, many, context)

    return hook


NO_IDS = "category,full_name,birth_date,nationality,reason,source\n" + "".join(
    f"entry_ban,Mammadov Rashad{'abcdefg'[i]},1985-03-14,TR,Expelled,SMS\n" for i in range(7)
)


def test_an_import_whose_worker_died_is_resumed_and_no_entry_is_written_twice(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    monkeypatch.setattr(services, "IMPORT_BATCH", 3)
    client.force_login(world.hannah)
    status_url = upload(client, NO_IDS)["Location"]
    job = WatchlistImport.objects.get()
    with connection.execute_wrapper(killed_at_batch(2)), pytest.raises(WorkerKilled):
        watchlist_import_task.call(job.pk)
    job.refresh_from_db()
    # as the dead worker left it: the first batch written, the import still "importing"
    assert (job.status, job.rows_done, job.created) == ("running", 3, 3)
    assert WatchlistEntry.objects.count() == 3

    # before its lease ends, the import is not taken from its worker (it may be alive)
    services.watchlist_imports_resume_stalled()
    job.refresh_from_db()
    assert job.status == "running"

    first_task = DBTaskResult.objects.get()
    later = clock.now() + services.IMPORT_LEASE + dt.timedelta(seconds=1)
    with clock.frozen_at(later):
        assert services.watchlist_imports_resume_stalled() == 1
    job.refresh_from_db()
    assert job.status == "queued"
    page = client.get(status_url).content.decode()
    assert "3 из 7" in page
    assert "Импорт прерывался" in page
    retry = DBTaskResult.objects.exclude(pk=first_task.pk).get()
    assert (retry.task_path, retry.status) == (
        "umis.screening.tasks.watchlist_import_task",
        "READY",
    )
    assert retry.args_kwargs["args"] == [job.pk]

    watchlist_import_task.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created, job.updated, job.unchanged) == (
        "done",
        7,
        7,
        0,
        0,
    )
    names = sorted(WatchlistEntry.objects.values_list("full_name", flat=True))
    assert names == [f"Mammadov Rashad{c}" for c in "abcdefg"]  # each once
    assert AuditEvent.objects.filter(action="WATCHLIST_ENTRY_CREATED").count() == 7
    assert list(
        AuditEvent.objects.filter(action__startswith="WATCHLIST_IMPORT")
        .exclude(action="WATCHLIST_IMPORT_VIEWED")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["WATCHLIST_IMPORT_QUEUED", "WATCHLIST_IMPORT_RESUMED", "WATCHLIST_IMPORT_FINISHED"]


def test_an_import_that_keeps_stopping_is_given_up_saying_so(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    monkeypatch.setattr(services, "IMPORT_BATCH", 3)
    client.force_login(world.hannah)
    status_url = upload(client, NO_IDS)["Location"]
    job = WatchlistImport.objects.get()
    at = clock.now()
    for _ in range(services.MAX_IMPORT_ATTEMPTS):
        with connection.execute_wrapper(killed_at_batch(1)), pytest.raises(WorkerKilled):
            watchlist_import_task.call(job.pk)
        at += services.IMPORT_LEASE + dt.timedelta(seconds=1)
        with clock.frozen_at(at):
            services.watchlist_imports_resume_stalled()
    job.refresh_from_db()
    assert job.status == "failed"
    assert not WatchlistEntry.objects.exists()
    page = client.get(status_url).content.decode()
    assert "refresh" not in page
    assert "Импорт останавливался 5 раз" in page
    assert AuditEvent.objects.filter(action="WATCHLIST_IMPORT_FAILED").count() == 1


def test_the_reloads_of_the_progress_page_are_audited_once_for_each_thing_shown(
    world: World, client: Client
) -> None:
    from umis.accounts.models import Role
    from umis.core.testing import make_user

    def viewed() -> list[tuple[int, dict[str, Any]]]:
        return list(
            AuditEvent.objects.filter(action="WATCHLIST_IMPORT_VIEWED")
            .order_by("id")
            .values_list("actor_id", "data")
        )

    client.force_login(world.hannah)
    status_url = upload(client, CSV + BAD_ROW, skip_invalid="on")["Location"]
    for _ in range(5):  # the page reloads itself while the import waits
        assert client.get(status_url).status_code == 200
    assert viewed() == [(world.hannah.pk, {"status": "queued", "refused_rows": 0})]

    run_queued()
    for _ in range(3):
        assert "<td>строка 4</td>" in client.get(status_url).content.decode()
    done = {"status": "done", "refused_rows": 1}
    assert viewed()[1:] == [(world.hannah.pk, done)]

    # another officer's reading is his own; the same officer's, a sitting later, is new
    henry = make_user("henry", Role.HEAD_OFFICER, "head")
    client.force_login(henry)
    client.get(status_url)
    client.force_login(world.hannah)
    with clock.frozen_at(clock.now() + selectors.IMPORT_VIEW_AUDIT_GAP):
        client.get(status_url)
        client.get(status_url)
    assert viewed()[2:] == [(henry.pk, done), (world.hannah.pk, done)]


def test_a_row_whose_reason_is_too_long_is_refused_beside_its_field(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV.replace("Wanted by police", "Wanted " + "x" * 2000))
    job = run_queued()
    assert job.status == "refused"
    assert not WatchlistEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert (
        "<td>строка 3</td><td><code>reason</code></td><td>Не более 2000 символов (здесь 2007).</td>"
    ) in page


def test_a_worker_whose_import_was_taken_up_by_another_writes_no_more(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    monkeypatch.setattr(services, "IMPORT_BATCH", 3)
    client.force_login(world.hannah)
    upload(client, NO_IDS)
    job = WatchlistImport.objects.get()
    with connection.execute_wrapper(killed_at_batch(2)), pytest.raises(WorkerKilled):
        watchlist_import_task.call(job.pk)
    # the first worker was only slow: its lease ran out and a second one took the import
    with clock.frozen_at(clock.now() + services.IMPORT_LEASE + dt.timedelta(seconds=1)):
        services.watchlist_imports_resume_stalled()
    WatchlistImport.objects.filter(pk=job.pk).update(status="running", attempts=2)
    job.refresh_from_db()
    # the first one, going on with its next batch, stops and writes nothing
    indexed, result = services._entries_parse_indexed(
        watchlist_file_rows(name=job.file_name, data=NO_IDS.encode()), default_source=""
    )
    with pytest.raises(services._Superseded):
        services._import_batches(
            job=job,
            attempt=1,
            actor=world.hannah,
            watchlist=Watchlist.objects.get(code="entry-bans"),
            indexed=indexed,
            result=result,
        )
    job.refresh_from_db()
    assert (job.rows_done, job.next_row, WatchlistEntry.objects.count()) == (3, 3, 3)


def test_a_row_whose_source_is_too_long_is_refused_beside_its_field(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV.replace(",Police\n", ",Police " + "x" * 200 + "\n"))
    job = run_queued()
    assert job.status == "refused"
    assert not WatchlistEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert (
        "<td>строка 3</td><td><code>source</code></td><td>Не более 200 символов (здесь 207).</td>"
    ) in page


def test_an_import_left_importing_without_a_lease_is_resumed_once_it_stops_progressing(
    world: World, client: Client
) -> None:
    # An import whose worker died before imports had a lease: "importing", no lease, no
    # attempt counted, its first batch written and counted (rows_done) but no next row.
    client.force_login(world.hannah)
    status_url = upload(client, NO_IDS)["Location"]
    job = WatchlistImport.objects.get()
    first_task = DBTaskResult.objects.get()
    services.watchlist_import(
        actor=world.hannah,
        watchlist=Watchlist.objects.get(code="entry-bans"),
        raws=watchlist_file_rows(name="bans.csv", data=NO_IDS.encode())[:3],
    )
    started = clock.now()
    WatchlistImport.objects.filter(pk=job.pk).update(
        status="running", rows_done=3, lease_until=None, updated_at=started
    )

    # while it may still be progressing, it is left to its worker
    with clock.frozen_at(started + services.IMPORT_LEASE - dt.timedelta(seconds=1)):
        assert services.watchlist_imports_resume_stalled() == 0
    job.refresh_from_db()
    assert job.status == "running"

    with clock.frozen_at(started + services.IMPORT_LEASE + dt.timedelta(seconds=1)):
        assert services.watchlist_imports_resume_stalled() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 1)  # its first worker counted
    assert "Импорт прерывался" in client.get(status_url).content.decode()
    retry = DBTaskResult.objects.exclude(pk=first_task.pk).get()
    assert retry.args_kwargs["args"] == [job.pk]

    # the worker goes on after the rows already written: none is written twice
    watchlist_import_task.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.next_row, job.created) == ("done", 7, 7, 4)
    names = sorted(WatchlistEntry.objects.values_list("full_name", flat=True))
    assert names == [f"Mammadov Rashad{c}" for c in "abcdefg"]
    assert list(
        AuditEvent.objects.filter(action__startswith="WATCHLIST_IMPORT")
        .exclude(action="WATCHLIST_IMPORT_VIEWED")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["WATCHLIST_IMPORT_QUEUED", "WATCHLIST_IMPORT_RESUMED", "WATCHLIST_IMPORT_FINISHED"]


def test_a_file_with_a_long_name_is_imported_its_name_shortened_visibly(
    world: World, client: Client
) -> None:
    name = "sanctions-2026-" + "x" * 225 + "-final.csv"
    assert len(name) == 250
    client.force_login(world.hannah)
    response = upload(client, CSV.replace(",Police\n", ",\n"), name=name)
    job = run_queued()
    assert job.file_name == "sanctions-2026-" + "x" * 85 + "…" + "x" * 89 + "-final.csv"
    assert (job.status, job.created) == ("done", 2)
    source = WatchlistEntry.objects.get(external_id="X2").source
    assert source == "import:sanctions-2026-" + "x" * 78 + "…" + "x" * 89 + "-final.csv"
    assert job.file_name in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("rows_done", "said"),
    [
        (
            0,
            "Импорт останавливался 5 раз и прекращён, не записав ни одной записи файла; "
            "импортируйте файл снова.",
        ),
        (
            3,
            "Импорт останавливался 5 раз и прекращён. Первые верные записи файла записаны, "
            "каждая один раз (3); импортируйте остаток файла.",
        ),
    ],
)
def test_an_import_from_before_leases_given_up_before_its_next_batch_says_what_is_written(
    world: World, client: Client, rows_done: int, said: str
) -> None:
    # An import taken up before imports kept their next row, left importing, taken up again
    # and given up before any of its later workers wrote a batch: its next row is unknown.
    from django.db import connection

    client.force_login(world.hannah)
    status_url = upload(client, NO_IDS)["Location"]
    job = WatchlistImport.objects.get()
    services.watchlist_import(
        actor=world.hannah,
        watchlist=Watchlist.objects.get(code="entry-bans"),
        raws=watchlist_file_rows(name="bans.csv", data=NO_IDS.encode())[:rows_done],
    )
    at = clock.now()
    WatchlistImport.objects.filter(pk=job.pk).update(
        status="running", rows_done=rows_done, lease_until=None, updated_at=at
    )
    while True:
        at += services.IMPORT_LEASE + dt.timedelta(seconds=1)
        with clock.frozen_at(at):
            assert services.watchlist_imports_resume_stalled() == 1
        job.refresh_from_db()
        if job.status == "failed":
            break
        with connection.execute_wrapper(killed_at_batch(1)), pytest.raises(WorkerKilled):
            watchlist_import_task.call(job.pk)
    assert (job.attempts, job.next_row, WatchlistEntry.objects.count()) == (5, 0, rows_done)
    page = client.get(status_url).content.decode()
    assert said in page
    assert "строка 2" not in page


def test_a_refused_list_and_file_are_each_read_with_their_error(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    unknown_list = upload(client, CSV, list="nope")
    no_file = client.post(URL, {"list": "entry-bans"})
    for response, field, said in [
        (unknown_list, "list", "Выберите список."),
        (no_file, "file", "Выберите файл CSV или JSON."),
    ]:
        assert response.status_code == 422
        page = response.content.decode()
        tag = page.split(f'id="id_{field}"', 1)[1].split(">", 1)[0]
        assert f'aria-invalid="true" aria-describedby="error_{field}"' in tag, tag
        error = page.split(f'<p class="error" id="error_{field}" role="alert">', 1)[1]
        assert error.split("</p>", 1)[0] == said
    assert not WatchlistImport.objects.exists()


def test_a_row_whose_given_names_are_too_long_is_refused_beside_its_field(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    header = "category,external_id,surname,given_names,reason,source\n"
    response = upload(client, header + "entry_ban,X1,Aliyev," + "R" * 160 + ",Expelled,SMS\n")
    job = run_queued()
    assert job.status == "refused"
    assert not WatchlistEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert (
        "<td>строка 2</td><td><code>given_names</code></td>"
        "<td>Не более 149 символов (здесь 160).</td>"
    ) in page


@pytest.mark.parametrize(
    ("text", "name", "said"),
    [
        (CSV.replace("Expelled", "Exp\x00elled"), "bans.csv", "(строка 2)"),
        (CSV.replace("Police\n", "Pol\x00ice\n"), "bans.csv", "(строка 3)"),
        ('[{"category": "entry_ban", "full_name": "A\\u0000B", "reason": "r"}]', "b.json", ""),
        ('[{"category": "entry_ban", "full_name": "A", "reason": "\\ud800"}]', "b.json", ""),
    ],
)
def test_a_file_holding_a_nul_is_refused_at_once_naming_where_and_nothing_is_kept(
    world: World, client: Client, text: str, name: str, said: str
) -> None:
    """A NUL is not text (PostgreSQL cannot store one): the upload is refused beside its
    field, in the officer's language, rather than failing with a server error."""
    client.force_login(world.hannah)
    response = upload(client, text, name=name)
    assert response.status_code == 422
    error = response.content.decode().split('id="error_file" role="alert">', 1)[1]
    error = error.split("</p>", 1)[0]
    assert error.startswith("Файл содержит управляющий символ, не являющийся текстом"), error
    assert said in error
    if name.endswith(".json"):
        assert "(запись 1)" in error
    assert not WatchlistImport.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.filter(action="WATCHLIST_IMPORT_QUEUED").exists()
