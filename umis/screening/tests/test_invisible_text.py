"""A watchlist entry's reason, or the reason it is withdrawn, holding a character drawn as
nothing is refused naming the field and the character: a text-direction control would make
it read reversed on the entry's page and in the audit log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.core.errors import DomainError
from umis.core.testing import World
from umis.screening.models import Watchlist, WatchlistEntry
from umis.screening.services import watchlist_entry_withdraw
from umis.screening.tests.helpers import import_refused
from umis.screening.tests.test_api import ENTRIES, post
from umis.screening.tests.test_commands import CSV as COMMAND_CSV
from umis.screening.tests.test_import_page import CSV, run_queued, upload
from umis.screening.tests.test_intake import listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world: World) -> str:
    _c, k = api_client_create(
        actor=None, name="Lists", user=world.hannah, scopes=[Scope.WATCHLISTS_MANAGE]
    )
    return k


REASON_RU = "Причина содержит невидимый символ ({code})"
REASON_AZ = "Səbəbdə görünməyən simvol var ({code})"


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u200b", "\u034f", "\ufeff"])
def test_an_imported_reason_holding_an_invisible_character_is_refused_by_the_api(
    world: World, client: Client, key: str, char: str
) -> None:
    code = f"U+{ord(char):04X}"
    hidden = {**ENTRIES[0], "reason": f"Court decision {char}2-1234/2019"}
    url = "/api/v1/watchlists/entry-bans/entries"
    r = post(client, url, {"entries": [ENTRIES[1], hidden]}, key, "ru")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", "entries.1.reason")
    assert REASON_RU.format(code=code) in error["message"]
    r = post(client, url, {"entries": [hidden]}, key, "az")
    assert REASON_AZ.format(code=code) in r.json()["error"]["message"]
    assert WatchlistEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="WATCHLIST_ENTRY").exists()


def test_an_uploaded_row_whose_reason_holds_an_invisible_character_is_refused_beside_it(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    response = upload(client, CSV.replace("Wanted by police", "Wanted by \u202epolice"))
    job = run_queued()
    assert job.status == "refused"
    assert not WatchlistEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    row = page.split("<td>строка 3</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td><code>reason</code></td>" in row
    assert REASON_RU.format(code="U+202E") in row


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The reason contains an invisible character (U+2066)"),
        ("az", REASON_AZ.format(code="U+2066")),
        ("ru", REASON_RU.format(code="U+2066")),
    ],
)
def test_a_withdrawal_reason_holding_an_invisible_character_is_refused(
    world: World, language: str, message: str
) -> None:
    entry = listed(world)
    with translation.override(language), pytest.raises(DomainError) as refused:
        watchlist_entry_withdraw(
            actor=world.hannah, entry=entry, reason="Lifted \u2066by court", expected_version=1
        )
    assert (refused.value.code, refused.value.field) == ("invisible_character", "reason")
    assert message in str(refused.value.message)
    entry.refresh_from_db()
    assert (entry.active, entry.version) == (True, 1)
    assert [e.action for e in entry.events.all()] == ["CREATED"]
    assert not AuditEvent.objects.filter(action="WATCHLIST_ENTRY_WITHDRAWN").exists()


def test_a_withdrawal_reason_in_another_script_is_kept(world: World) -> None:
    entry = listed(world)
    reason = "Məhkəmə qərarı, решение суда, می\u200cخواهم"  # ZWNJ inside Persian words
    watchlist_entry_withdraw(actor=world.hannah, entry=entry, reason=reason, expected_version=1)
    assert entry.events.get(action="WITHDRAWN").note == reason


SOURCE = {
    "en": "The source contains an invisible character ({code})",
    "az": "Mənbədə görünməyən simvol var ({code})",
    "ru": "Источник содержит невидимый символ ({code})",
}
SOURCE_REFERENCE = {
    "en": "The source reference contains an invisible character ({code})",
    "az": "Mənbə istinadında görünməyən simvol var ({code})",
    "ru": "Ссылка на источник содержит невидимый символ ({code})",
}


@pytest.mark.parametrize("language", ["en", "az", "ru"])
@pytest.mark.parametrize(
    ("field", "messages"), [("source", SOURCE), ("source_reference", SOURCE_REFERENCE)]
)
def test_an_entrys_source_or_its_reference_holding_an_invisible_character_is_refused(
    world: World, client: Client, key: str, language: str, field: str, messages: dict[str, str]
) -> None:
    hidden = {**ENTRIES[0], field: "Court \u202e2-1234/2019"}
    url = "/api/v1/watchlists/entry-bans/entries"
    r = post(client, url, {"entries": [ENTRIES[1], hidden]}, key, language)
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", f"entries.1.{field}")
    assert messages[language].format(code="U+202E") in error["message"]
    assert WatchlistEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="WATCHLIST_ENTRY").exists()


def test_the_default_source_of_an_api_import_is_refused_once(
    world: World, client: Client, key: str
) -> None:
    without = [{k: v for k, v in e.items() if k != "source"} for e in ENTRIES]
    url = "/api/v1/watchlists/entry-bans/entries"
    r = post(client, url, {"entries": without, "source": "Court\u200b"}, key, "en")
    assert r.status_code == 422
    errors = r.json()["error"]
    assert (errors["code"], errors["field"]) == ("invisible_character", "source")
    assert SOURCE["en"].format(code="U+200B") in errors["message"]
    assert len(errors["errors"]) == 1  # once, not for every entry
    assert WatchlistEntry.objects.count() == 0


def test_an_uploaded_row_whose_source_reference_holds_an_invisible_character_is_refused(
    world: World, client: Client
) -> None:
    client.force_login(world.hannah)
    csv = (
        CSV.replace(",source\n", ",source,source_reference\n")
        .replace(",SMS\n", ",SMS,\n")
        .replace(",Police\n", ",Police,\u2066A-12\u2069\n")
    )
    response = upload(client, csv)
    job = run_queued()
    assert job.status == "refused"
    assert not WatchlistEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    row = page.split("<td>строка 3</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td><code>source_reference</code></td>" in row
    assert SOURCE_REFERENCE["ru"].format(code="U+2066") in row


def test_a_source_in_another_script_is_kept(world: World, client: Client, key: str) -> None:
    source = "Məhkəmə, суд, دادگاه\u200cها"  # ZWNJ inside a Persian word
    url = "/api/v1/watchlists/entry-bans/entries"
    r = post(client, url, {"entries": [{**ENTRIES[0], "source": source}]}, key, "en")
    assert r.status_code == 200, r.json()
    assert WatchlistEntry.objects.get().source == source


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "--source: an invisible character (U+202E)"),
        ("az", "--source: görünməyən simvol (U+202E)"),
        ("ru", "--source: невидимый символ (U+202E)"),
    ],
)
def test_a_source_option_holding_an_invisible_character_is_refused_once(
    world: World, tmp_path: Path, language: str, message: str
) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(COMMAND_CSV.replace(",SMS\n", ",\n").replace(",Police\n", ",\n"))
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist",
            "import",
            str(f),
            "--list",
            "bans",
            "--source",
            "Court \u202edecision",
            "--quiet",
            "--language",
            language,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert str(refused.value).startswith(message)
    assert err.getvalue() == ""  # not once per row
    assert not WatchlistEntry.objects.exists()
    assert not Watchlist.objects.filter(code="bans").exists()
    assert not AuditEvent.objects.filter(action__startswith="WATCHLIST").exists()


def test_a_file_row_whose_source_holds_an_invisible_character_is_named_by_its_line(
    world: World, tmp_path: Path
) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(COMMAND_CSV.replace(",Police\n", ",Pol\u200bice\n"))
    errors = import_refused(f)
    assert errors.startswith(
        "line 3: source: invisible_character: " + SOURCE["en"].format(code="U+200B")
    )
    assert not WatchlistEntry.objects.exists()


def test_a_file_name_with_an_invisible_character_names_the_rows_without_a_source(
    world: World, tmp_path: Path
) -> None:
    f = tmp_path / "bans\u202egpj.csv"
    f.write_text(COMMAND_CSV.replace(",Police\n", ",\n"))
    call_command("watchlist", "import", str(f), "--list", "bans", "--quiet", stdout=io.StringIO())
    assert WatchlistEntry.objects.get(external_id="X2").source == "import:bansgpj.csv"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "--name: an invisible character (U+2067)"),
        ("az", "--name: görünməyən simvol (U+2067)"),
        ("ru", "--name: невидимый символ (U+2067)"),
    ],
)
def test_a_new_lists_name_holding_an_invisible_character_is_refused_before_the_import(
    world: World, tmp_path: Path, language: str, message: str
) -> None:
    f = tmp_path / "bans.csv"
    f.write_text(COMMAND_CSV)
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "watchlist",
            "import",
            str(f),
            "--list",
            "sanctions",
            "--name",
            "Sanctions \u2067list",
            "--quiet",
            "--language",
            language,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert str(refused.value).startswith(message)
    assert err.getvalue() == ""
    assert not Watchlist.objects.filter(code="sanctions").exists()
    assert not WatchlistEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="WATCHLIST").exists()


@pytest.mark.parametrize(
    ("parts", "named"),
    [
        ({"surname": "\u200b", "given_names": "\u200c"}, ["surname", "given_names"]),
        ({"surname": "\u200b"}, ["surname"]),
        ({"given_names": "\u2060\ufeff"}, ["given_names"]),
    ],
)
def test_a_name_of_parts_holding_only_invisible_characters_is_refused_naming_the_parts(
    world: World, client: Client, key: str, parts: dict[str, str], named: list[str]
) -> None:
    entry = {k: v for k, v in ENTRIES[0].items() if k != "full_name"} | parts
    url = "/api/v1/watchlists/entry-bans/entries"
    r = post(client, url, {"entries": [ENTRIES[1], entry]}, key, "en")
    assert r.status_code == 422
    errors = r.json()["error"]["errors"]
    assert [(e["code"], e["field"], e["message"]) for e in errors] == [
        ("invalid", f"entries.1.{field}", "A name must contain letters.") for field in named
    ]
    assert WatchlistEntry.objects.count() == 0
