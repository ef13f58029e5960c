"""A watchlist file that cannot be read at all (a quotation mark left open, a value past
the csv module's limit, a JSON file that is not JSON) is refused in the reader's language,
saying what is wrong and on which line, on the upload page and by `umis watchlist import`;
nothing is kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from umis.core.testing import World
from umis.screening.models import Watchlist, WatchlistEntry, WatchlistImport

pytestmark = pytest.mark.django_db

HEADER = "category,full_name,reason\n"
ROW = "entry_ban,Ivan Petrov,Expelled\n"

# (file name, content, what the ru message holds, what the az message holds)
CASES = [
    pytest.param(
        "bans.csv",
        HEADER + ROW + 'entry_ban,"Ivan Petrov,Expelled\n' + ROW * 3,
        "Файл CSV не удаётся прочитать в строке 3: значение начинается с кавычки, которая "
        "нигде не закрыта",
        "CSV faylı oxuna bilmir (sətir 3): dəyər dırnaq işarəsi ilə başlayır",
        id="csv-quote-left-open",
    ),
    pytest.param(
        "bans.csv",
        HEADER + ROW + ROW + 'entry_ban,"Ivan" Petrov,Expelled\n',
        "Файл CSV не удаётся прочитать в строке 4: после значения в кавычках до следующей "
        "запятой идёт ещё текст",
        "CSV faylı oxuna bilmir (sətir 4): dırnaq içindəki dəyərdən sonra",
        id="csv-text-after-quote",
    ),
    pytest.param(
        "bans.csv",
        HEADER + ROW + "entry_ban,Ivan Petrov," + "x" * (csv.field_size_limit() + 1) + "\n",
        "Файл CSV не удаётся прочитать в строке 3: значение длиннее 131072 символов",
        "CSV faylı oxuna bilmir (sətir 3): dəyər 131072 simvoldan uzundur",
        id="csv-value-past-the-limit",
    ),
    pytest.param(
        "bans.json",
        '[\n  {"category": "entry_ban", "full_name": "Ivan Petrov", "reason": "Expelled",}\n]',
        "Файл не является правильным JSON в строке 2, столбце 78: ожидается имя поля",
        "Fayl düzgün JSON deyil (sətir 2, sütun 78): qoşa dırnaq içində sahə adı gözlənilir",
        id="json-trailing-comma",
    ),
    pytest.param(
        "bans.json",
        '[\n  {"category": "entry_ban", "full_name": "Ivan Petrov", "reason": "Expelled"}',
        "Файл не является правильным JSON в строке 2, столбце 78: файл кончается раньше",
        "Fayl düzgün JSON deyil (sətir 2, sütun 78): fayl JSON bitməmiş sona çatır",
        id="json-cut-short",
    ),
    pytest.param(
        "bans.json",
        "category,full_name,reason\n",
        "Файл не является правильным JSON в строке 1, столбце 1: здесь ожидается значение",
        "Fayl düzgün JSON deyil (sətir 1, sütun 1): burada dəyər gözlənilir",
        id="json-that-is-csv",
    ),
    pytest.param(
        "bans.json",
        '[{"category": "entry_ban", "full_name": "Ivan\\qPetrov", "reason": "Expelled"}]',
        "Файл не является правильным JSON в строке 1, столбце 46: после обратной косой черты",
        "Fayl düzgün JSON deyil (sətir 1, sütun 46): tərs xətt",
        id="json-unknown-escape",
    ),
]

# Python's own words, which the reader is not to see
PYTHONS = ("Expecting", "expected after", "field limit", "unexpected end", "delimiter", "escape")


def _said_without_python(said: str) -> None:
    assert not any(words in said for words in PYTHONS), said


@pytest.mark.parametrize(("name", "text", "ru", "az"), CASES)
@pytest.mark.parametrize("language", ["ru", "az"])
def test_the_upload_page_says_what_is_wrong_and_where(
    world: World, client: Client, name: str, text: str, ru: str, az: str, language: str
) -> None:
    client.force_login(world.hannah)
    prefix = "/ru" if language == "ru" else ""
    response = client.post(
        f"{prefix}/office/screening/watchlist/import/",
        {"list": "entry-bans", "file": SimpleUploadedFile(name, text.encode())},
    )
    assert response.status_code == 422
    error = response.content.decode().split('id="error_file" role="alert">', 1)[1]
    error = error.split("</p>", 1)[0]
    assert (ru if language == "ru" else az) in error, error
    _said_without_python(error)
    assert not WatchlistImport.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize(("name", "text", "ru", "az"), CASES)
@pytest.mark.parametrize("language", ["ru", "az"])
def test_the_command_says_what_is_wrong_and_where(
    world: World, tmp_path: Path, name: str, text: str, ru: str, az: str, language: str
) -> None:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist", "import", str(f), "--list", "bans", "--quiet", "--language", language
        )
    said = str(refused.value)
    assert said.startswith(f"{f}: ")
    assert (ru if language == "ru" else az) in said, said
    _said_without_python(said)
    assert not Watchlist.objects.filter(code="bans").exists()
    assert not WatchlistEntry.objects.exists()
