"""A watchlist entry's reason, or the reason it is withdrawn, holding a character drawn as
nothing is refused naming the field and the character: a text-direction control would make
it read reversed on the entry's page and in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.core.errors import DomainError
from umis.core.testing import World
from umis.screening.models import WatchlistEntry
from umis.screening.services import watchlist_entry_withdraw
from umis.screening.tests.test_api import ENTRIES, post
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
