"""The `umis watchlist import` and `umis names compare` commands."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.screening import services
from umis.screening.models import Watchlist, WatchlistEntry
from umis.screening.tests.helpers import import_refused

pytestmark = pytest.mark.django_db

CSV = (
    "category,external_id,full_name,aliases,birth_date,nationality,valid_until,reason,source\n"
    "entry_ban,X1,Гусейнов Рашад,HUSEYNOV RASHAD;Hüseynov Rəşad,1985-03-14,TR,2030-01-01,"
    "Expulsion 2024,SMS\n"
    "wanted,X2,Əliyev Tural,,1990,AZ,,Wanted by police,Police\n"
)


def test_it_imports_a_csv_file_with_history(world: World, tmp_path: Path) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "watchlist",
        "import",
        str(f),
        "--list",
        "national-bans",
        "--language",
        "en",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "2 created" in out.getvalue()
    entry = WatchlistEntry.objects.get(external_id="X1")
    assert entry.watchlist.code == "national-bans"
    assert entry.aliases == ["HUSEYNOV RASHAD", "Hüseynov Rəşad"]
    assert (entry.birth_year, WatchlistEntry.objects.get(external_id="X2").birth_year) == (
        None,
        1990,
    )
    f.write_text(
        CSV.replace("Expulsion 2024", "Expulsion 2024 (appeal rejected)"), encoding="utf-8"
    )
    call_command("watchlist", "import", str(f), "--list", "national-bans", "--quiet", stdout=out)
    entry.refresh_from_db()
    assert entry.version == 2
    assert [e.action for e in entry.events.all()] == ["CREATED", "UPDATED"]
    assert list(entry.events.last().changes) == ["reason"]  # type: ignore[union-attr]


def test_it_imports_json_and_refuses_a_file_with_an_invalid_row(
    world: World, tmp_path: Path
) -> None:
    f = tmp_path / "docs.json"
    rows = [
        {
            "category": "lost",
            "document_number": "AA1234567",
            "issuing_state": "AZE",
            "reason": "Lost",
            "source": "Police",
        },
        {"category": "stolen", "document_number": "", "reason": "Stolen", "source": "Police"},
    ]
    f.write_text(json.dumps(rows), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "watchlist",
            "import",
            str(f),
            "--list",
            "documents",
            "--quiet",
            "--language",
            "en",
            stderr=err,
        )
    assert "entry 2: document_number: required" in err.getvalue()
    assert not WatchlistEntry.objects.exists()
    call_command(
        "watchlist",
        "import",
        str(f),
        "--list",
        "documents",
        "--quiet",
        "--skip-invalid",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert WatchlistEntry.objects.get().document_number == "AA1234567"


def test_it_refuses_a_json_file_nested_too_deeply_to_read(world: World, tmp_path: Path) -> None:
    f = tmp_path / "deep.json"
    f.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("watchlist", "import", str(f), "--list", "deep", "--quiet", "--language", "en")
    assert not Watchlist.objects.filter(code="deep").exists()


ROW = {"category": "entry_ban", "full_name": "John Smith", "reason": "Expelled", "source": "SMS"}


@pytest.mark.parametrize("code", ["", "   ", "x" * 51])
def test_it_refuses_a_blank_or_too_long_list_code(world: World, tmp_path: Path, code: str) -> None:
    f = tmp_path / "bans.json"
    f.write_text(json.dumps([ROW]), encoding="utf-8")
    lists = Watchlist.objects.count()
    with pytest.raises(CommandError, match="--list"):
        call_command("watchlist", "import", str(f), "--list", code, "--quiet", stdout=io.StringIO())
    assert Watchlist.objects.count() == lists
    assert not WatchlistEntry.objects.exists()


def test_a_refused_file_leaves_no_new_empty_list_behind(world: World, tmp_path: Path) -> None:
    f = tmp_path / "bans.json"
    f.write_text(json.dumps([ROW, {**ROW, "full_name": ""}]), encoding="utf-8")
    import_refused(f, list_code="new-bans")
    assert not Watchlist.objects.filter(code="new-bans").exists()
    assert not AuditEvent.objects.filter(action="WATCHLIST_CREATED").exists()

    f.write_text(json.dumps([ROW]), encoding="utf-8")
    call_command(
        "watchlist", "import", str(f), "--list", "new-bans", "--quiet", stdout=io.StringIO()
    )
    assert WatchlistEntry.objects.get().watchlist.code == "new-bans"


def test_names_compare_prints_score_decision_reasons_and_flags() -> None:
    out = io.StringIO()
    call_command(
        "names", "compare", "Məmmədov Cavid", "MAMEDOV DZH\u200bAVID", "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert result["match"] is True
    assert result["flags"] == {"a": [], "b": ["zero_width"]}
    assert result["threshold"] == 85


def test_names_compare_reads_the_russian_k_of_an_azerbaijani_q() -> None:
    out = io.StringIO()
    call_command("names", "compare", "Qurbanov Yusif", "Курбанов Юсиф", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "score     97",
        "decision  MATCH (threshold 85)",
        "reasons   Qurbanov~Курбанов:transliteration:97; Yusif~Юсиф:transliteration:97",
    ]


def test_a_file_with_unknown_columns_is_refused_naming_them(world: World, tmp_path: Path) -> None:
    f = tmp_path / "bans.csv"
    # "birthdate" for birth_date: the dates would be lost without a word
    f.write_text(CSV.replace("birth_date", "birthdate").replace(",source\n", ",notes\n", 1))
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist",
            "import",
            str(f),
            "--list",
            "bans",
            "--quiet",
            "--language",
            "en",
            stderr=err,
        )
    message = str(refused.value)
    assert "unknown columns: birthdate, notes" in message
    assert "birth_date" in message  # the columns it reads are listed
    assert err.getvalue() == ""  # not one error per row
    assert not WatchlistEntry.objects.exists()
    assert not Watchlist.objects.filter(code="bans").exists()


def test_a_column_whose_name_is_not_short_plain_text_is_named_by_its_place(
    world: World, tmp_path: Path
) -> None:
    f = tmp_path / "bans.csv"
    header, _rows = CSV.split("\n", 1)
    odd = ["n" * 10_000, "no\x07te", "<img src=x onerror=alert(1)>", "n" * 65, "n" * 64]
    f.write_text(CSV.replace(header, ",".join([header, *odd]), 1), encoding="utf-8")
    columns = len(header.split(","))
    with pytest.raises(CommandError) as refused:
        call_command("watchlist", "import", str(f), "--list", "bans", "--quiet", "--language", "en")
    named = ", ".join([*(f"column {columns + i}" for i in range(1, 5)), "n" * 64])
    assert f"unknown columns: {named};" in str(refused.value)
    assert not WatchlistEntry.objects.exists()


def test_a_file_without_the_required_columns_is_refused_naming_them(
    world: World, tmp_path: Path
) -> None:
    f = tmp_path / "people.csv"
    f.write_text("full_name,birth_date\nIvan Petrov,1980-01-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing columns: category, reason"):
        call_command("watchlist", "import", str(f), "--list", "bans", "--quiet", "--language", "en")
    assert not WatchlistEntry.objects.exists()


@pytest.mark.parametrize(
    ("encoding", "said"),
    [("cp1251", "not UTF-8 (line 2)"), ("utf-16", "UTF-16")],
)
def test_a_file_in_another_encoding_is_refused_with_what_to_do(
    world: World, tmp_path: Path, encoding: str, said: str
) -> None:
    f = tmp_path / "bans.csv"
    text = CSV.replace("Hüseynov Rəşad", "Huseynov Rashad").replace("Əliyev", "Aliyev")
    f.write_bytes(text.encode(encoding))
    with pytest.raises(CommandError) as refused:
        call_command("watchlist", "import", str(f), "--list", "bans", "--quiet", "--language", "en")
    assert said in str(refused.value)
    assert "save it as UTF-8" in str(refused.value)
    assert "codec" not in str(refused.value)
    assert not WatchlistEntry.objects.exists()


def test_names_compare_says_plainly_which_name_is_wrong() -> None:
    with pytest.raises(CommandError) as refused:
        call_command("names", "compare", "", "Qurbanov Yusif")
    assert str(refused.value) == "a: required: Bu sahə mütləqdir."
    with pytest.raises(CommandError) as refused:
        call_command("names", "compare", "Qurbanov", "12345", "--json")
    assert json.loads(str(refused.value)) == {
        "error": [{"code": "invalid", "message": "Ad hərflərdən ibarət olmalıdır.", "field": "b"}]
    }
    assert "hərflərdən" in str(refused.value)  # letters as they are, not \\u escapes


def test_names_compare_speaks_the_configured_language_whatever_was_active_before() -> None:
    # a process that had another language active (a caller, an earlier command) still gets
    # the configured language, unless --language says otherwise
    with translation.override("en"):
        with pytest.raises(CommandError) as refused:
            call_command("names", "compare", "", "Qurbanov Yusif")
        assert str(refused.value) == "a: required: Bu sahə mütləqdir."
        with pytest.raises(CommandError) as refused:
            call_command("names", "compare", "", "Qurbanov Yusif", "--language", "ru")
        assert str(refused.value) == "a: required: Это поле обязательно."


@pytest.mark.parametrize(
    ("language", "summary", "row_error", "refusal"),
    [
        (
            None,  # the configured language (LANGUAGE_CODE: az)
            "bans: 1 yaradıldı, 0 yeniləndi, 0 dəyişmədi, 1 buraxıldı",
            "sətir 3: full_name: required: Bu sahə mütləqdir.",
            "Yanlış sətirlər: 1; heç nə idxal edilmədi",
        ),
        (
            "en",
            "bans: 1 created, 0 updated, 0 unchanged, 1 skipped",
            "line 3: full_name: required: This field is required.",
            "Invalid rows: 1; nothing imported",
        ),
        (
            "ru",
            "bans: создано 1, обновлено 0, без изменений 0, пропущено 1",
            "строка 3: full_name: required: Это поле обязательно.",
            "Неверных строк: 1; ничего не импортировано",
        ),
    ],
)
def test_the_summary_and_the_row_errors_are_in_one_language(
    world: World,
    tmp_path: Path,
    language: str | None,
    summary: str,
    row_error: str,
    refusal: str,
) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(
        "category,full_name,reason,source\n"
        "entry_ban,John Smith,Expelled,SMS\n"
        "entry_ban,,Expelled,SMS\n",
        encoding="utf-8",
    )
    chosen = ["--language", language] if language else []
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist", "import", str(f), "--list", "bans", "--quiet", *chosen, stderr=err
        )
    assert err.getvalue().splitlines() == [row_error]
    assert str(refused.value).startswith(refusal)
    assert not WatchlistEntry.objects.exists()

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "watchlist",
        "import",
        str(f),
        "--list",
        "bans",
        "--quiet",
        "--skip-invalid",
        *chosen,
        stdout=out,
        stderr=err,
    )
    assert out.getvalue().strip() == summary
    assert err.getvalue().splitlines() == [row_error]


def test_an_import_in_batches_lets_other_writers_in_between_them_on_sqlite(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite: one writer at a time, and a waiting one retries only every 100 ms; without a
    # pause the import took the lock back at once, batch after batch, and a hotel's
    # registration waiting to write gave up with "database is locked"
    pauses: list[float] = []
    monkeypatch.setattr(services, "time", SimpleNamespace(sleep=pauses.append))
    f = tmp_path / "bans.json"
    f.write_text(json.dumps([{**ROW, "external_id": f"B{i}"} for i in range(5)]))
    call_command(
        "watchlist",
        "import",
        str(f),
        "--list",
        "bans",
        "--quiet",
        "--batch",
        "2",
        stdout=io.StringIO(),
    )
    assert WatchlistEntry.objects.count() == 5
    if connection.vendor == "sqlite":
        assert pauses == [services.SQLITE_WRITER_PAUSE] * 2  # 3 batches, 2 pauses
        assert services.SQLITE_WRITER_PAUSE > 0.1  # longer than a waiting writer's sleep
    else:
        assert pauses == []  # PostgreSQL's writers do not queue on one lock


def test_a_row_whose_reason_is_too_long_is_refused_naming_it(world: World, tmp_path: Path) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(CSV.replace("Wanted by police", "Wanted " + "x" * 2000), encoding="utf-8")
    errors = import_refused(f)
    assert "line 3: reason: too_long: At most 2000 characters (this has 2007)." in errors
    assert not WatchlistEntry.objects.exists()
    out = io.StringIO()
    call_command(
        "watchlist",
        "import",
        str(f),
        "--list",
        "bans",
        "--quiet",
        "--skip-invalid",
        "--language",
        "en",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "1 created" in out.getvalue()
    assert list(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["X1"]


def test_a_row_whose_source_is_too_long_is_refused_naming_it(world: World, tmp_path: Path) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(CSV.replace(",Police\n", ",Police " + "x" * 200 + "\n"), encoding="utf-8")
    errors = import_refused(f)
    assert "line 3: source: too_long: At most 200 characters (this has 207)." in errors
    assert not WatchlistEntry.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "--source: at most 200 characters (this has 201); nothing imported."),
        ("ru", "--source: не более 200 символов (здесь 201); ничего не импортировано."),
    ],
)
def test_a_source_option_too_long_is_refused_once_before_the_file_is_read(
    world: World, tmp_path: Path, language: str, message: str
) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(CSV.replace(",SMS\n", ",\n").replace(",Police\n", ",\n"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist",
            "import",
            str(f),
            "--list",
            "bans",
            "--source",
            "s" * 201,
            "--quiet",
            "--language",
            language,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert str(refused.value) == message
    assert err.getvalue() == ""  # not once per row
    assert not WatchlistEntry.objects.exists()
    assert not Watchlist.objects.filter(code="bans").exists()
    assert not AuditEvent.objects.filter(action__startswith="WATCHLIST").exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "--name: at most 200 characters (this has 201); nothing imported."),
        ("az", "--name: ən çoxu 200 simvol (burada 201); heç nə idxal edilmədi."),
        ("ru", "--name: не более 200 символов (здесь 201); ничего не импортировано."),
    ],
)
def test_a_new_list_s_name_longer_than_a_list_name_takes_is_refused_before_the_import(
    world: World, tmp_path: Path, language: str, message: str
) -> None:
    # PostgreSQL refused to store it at the list's creation, with a traceback
    assert Watchlist._meta.get_field("name").max_length == 200
    f = tmp_path / "bans.csv"
    f.write_text(CSV, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist",
            "import",
            str(f),
            "--list",
            "sanctions",
            "--name",
            "S" * 201,
            "--quiet",
            "--language",
            language,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert str(refused.value) == message
    assert err.getvalue() == ""
    assert not Watchlist.objects.filter(code="sanctions").exists()
    assert not WatchlistEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="WATCHLIST").exists()


def test_a_long_file_name_is_shortened_visibly_as_the_source_of_rows_without_one(
    world: World, tmp_path: Path
) -> None:
    name = "sanctions-2026-" + "x" * 225 + "-final.csv"
    assert len(name) == 250
    f = tmp_path / name
    f.write_text(CSV.replace(",Police\n", ",\n"), encoding="utf-8")
    out = io.StringIO()
    call_command("watchlist", "import", str(f), "--list", "national-bans", "--quiet", stdout=out)
    source = WatchlistEntry.objects.get(external_id="X2").source
    assert len(source) == 200
    assert source == "import:sanctions-2026-" + "x" * 78 + "…" + "x" * 89 + "-final.csv"
    assert WatchlistEntry.objects.get(external_id="X1").source == "SMS"


@pytest.mark.parametrize(
    ("field", "value"), [("full_name", 12345), ("document_number", 1234567), ("reason", True)]
)
def test_a_number_or_true_in_a_text_field_of_a_json_file_refuses_the_file(
    world: World, tmp_path: Path, field: str, value: object
) -> None:
    # taken as the text "1234567" or "True", it was stored as a name, number or reason
    f = tmp_path / "bans.json"
    f.write_text(json.dumps([ROW, {**ROW, "external_id": "J2", field: value}]), encoding="utf-8")
    errors = import_refused(f)
    assert f"{field}: invalid: Enter text." in errors
    assert not WatchlistEntry.objects.exists()


def test_a_row_whose_surname_is_too_long_is_refused_naming_it(world: World, tmp_path: Path) -> None:
    f = tmp_path / "bans.json"
    row = {k: v for k, v in ROW.items() if k != "full_name"} | {"surname": "S" * 200}
    f.write_text(json.dumps([{**ROW, "external_id": "B1"}, row]), encoding="utf-8")
    errors = import_refused(f)
    assert "entry 2: surname: too_long: At most 149 characters (this has 200)." in errors
    assert not WatchlistEntry.objects.exists()
