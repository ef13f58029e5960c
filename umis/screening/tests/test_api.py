"""Names, screening and watchlist import through the agency API, including bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.screening.models import WatchlistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world: World) -> str:
    _c, k = api_client_create(
        actor=None,
        name="Border service",
        user=world.hannah,
        scopes=[Scope.SCREENING, Scope.WATCHLISTS_MANAGE],
    )
    return k


def post(client: Client, path: str, body: Any, key: str | None, lang: str = "en") -> Any:
    extra = {"HTTP_X_API_KEY": key} if key else {}
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
        **extra,
    )


ENTRIES = [
    {
        "category": "entry_ban",
        "external_id": "EB-77",
        "full_name": "Məmmədov Cavid Hüseyn oğlu",
        "aliases": ["MAMMADOV JAVID"],
        "birth_date": "1979",
        "nationality": "AZ",
        "valid_from": "2020-01-01",
        "reason": "Court decision 2-1234/2019",
        "source": "Court",
    },
    {
        "category": "stolen",
        "external_id": "SD-1",
        "document_number": "C01X00T47",
        "issuing_state": "DEU",
        "reason": "Reported stolen",
        "source": "Interpol SLTD",
    },
]


def test_it_compares_two_names(world: World, client: Client, key: str) -> None:
    r = post(client, "/api/v1/names/compare", {"a": "Гусейнов Али", "b": "Ali Hüseynov"}, key)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["match"] is True
    assert body["score"] >= 95
    assert "order_swapped" in body["reasons"]
    assert body["flags"] == {"a": [], "b": []}


def test_it_reports_the_flags_of_either_name(world: World, client: Client, key: str) -> None:
    r = post(client, "/api/v1/names/compare", {"a": "\u0410li Hü\u200bseynov", "b": "Ali"}, key)
    assert r.json()["flags"]["a"] == ["confusable", "mixed_script", "zero_width"]


def test_an_import_naming_one_entry_twice_writes_nothing(
    world: World, client: Client, key: str
) -> None:
    twice = [ENTRIES[0], {**ENTRIES[0], "full_name": "Another Person"}]
    r = post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": twice}, key)
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("duplicate_in_batch", "entries.1.external_id")
    assert WatchlistEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"a": "", "b": "Ali"}, "required", "a"),
        ({"a": "Ali", "b": "x" * 10_000}, "too_long", "b"),
        ({"a": "\u200b\u202e\u0007", "b": "Ali"}, "invalid", "a"),
        ({"a": "Ali"}, "required", "b"),
        ({"a": 5, "b": "Ali"}, "invalid", "a"),
    ],
)
def test_bad_names_get_a_clear_error(
    world: World, client: Client, key: str, body: dict[str, Any], code: str, field: str
) -> None:
    r = post(client, "/api/v1/names/compare", body, key)
    assert r.status_code == 422, r.content
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (code, field)


def test_it_imports_and_screens(world: World, client: Client, key: str) -> None:
    r = post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": ENTRIES}, key)
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 2, "updated": 0, "unchanged": 0}
    again = post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": ENTRIES}, key)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}

    r = post(
        client,
        "/api/v1/screening/search",
        {"names": ["Mamedov Dzhavid"], "birth_date": "1979-05-02", "nationality": "AZE"},
        key,
    )
    assert r.status_code == 200, r.content
    hits = r.json()["hits"]
    assert [h["entry_id"] for h in hits] == [WatchlistEntry.objects.get(external_id="EB-77").pk]
    assert hits[0]["category"] == "entry_ban"
    assert "birth_date:same_year" in hits[0]["reasons"]
    assert "nationality:same" in hits[0]["reasons"]
    assert AuditEvent.objects.filter(action="SCREENING_SEARCHED").count() == 1

    r = post(
        client,
        "/api/v1/screening/search",
        {"names": ["Someone Else"], "document_number": "c01x00t47"},
        key,
    )
    assert [h["category"] for h in r.json()["hits"]] == ["stolen"]

    r = post(
        client, "/api/v1/screening/search", {"names": ["Həsənov Cavid"], "birth_date": "1979"}, key
    )
    assert r.json()["hits"] == []


def test_an_invalid_import_writes_nothing(world: World, client: Client, key: str) -> None:
    bad = [ENTRIES[0], {**ENTRIES[1], "external_id": "SD-2", "document_number": ""}]
    r = post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": bad}, key)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "entries.1.document_number"
    assert WatchlistEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"names": []}, "required", "names"),
        ({"names": ["Ali Aliyev"], "birth_date": "1985-02-30"}, "invalid_date", "birth_date"),
        ({"names": ["Ali Aliyev"], "birth_date": "3020"}, "invalid_date", "birth_date"),
        ({"names": ["Ali Aliyev"], "nationality": "QQQ"}, "unknown_country", "nationality"),
        ({"names": ["x" * 10_000]}, "too_long", "names.0"),
        ({"names": ["\u200b\u200b"]}, "invalid", "names.0"),
        ({"names": "Ali"}, "invalid", "names"),
    ],
)
def test_screening_rejects_bad_input(
    world: World, client: Client, key: str, body: dict[str, Any], code: str, field: str
) -> None:
    r = post(client, "/api/v1/screening/search", body, key, lang="ru")
    assert r.status_code == 422, r.content
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (code, field)


def test_a_key_without_the_scope_is_refused(world: World, client: Client) -> None:
    r = post(client, "/api/v1/screening/search", {"names": ["Ali"]}, world.hotel_key)
    assert r.status_code == 403
    r = post(client, "/api/v1/screening/search", {"names": ["Ali"]}, None)
    assert r.status_code == 401


def test_screening_tolerates_a_typo_when_the_birth_date_agrees(
    world: World, client: Client, key: str
) -> None:
    post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": ENTRIES[:1]}, key)
    r = post(
        client,
        "/api/v1/screening/search",
        {"names": ["Mammadpv Javid"], "birth_date": "1979"},
        key,
    )
    assert len(r.json()["hits"]) == 1


def test_an_entry_with_a_field_the_import_does_not_know_is_refused(
    world: World, client: Client, key: str
) -> None:
    # "dob" for birth_date: the date would be lost without a word
    misspelt = {k: v for k, v in ENTRIES[0].items() if k != "birth_date"} | {"dob": "1979"}
    r = post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": [misspelt]}, key, "ru")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("unknown_field", "entries.0.dob")
    assert error["message"] == "Неизвестное поле."
    assert WatchlistEntry.objects.count() == 0


def test_a_reason_longer_than_an_entry_holds_is_refused_not_cut(
    world: World, client: Client, key: str
) -> None:
    long = {**ENTRIES[0], "reason": "Court decision " + "x" * 1990}  # 2,005 characters
    r = post(
        client, "/api/v1/watchlists/entry-bans/entries", {"entries": [ENTRIES[1], long]}, key, "ru"
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("too_long", "entries.1.reason")
    assert error["message"] == "Не более 2000 символов (здесь 2005)."
    assert WatchlistEntry.objects.count() == 0
    at_limit = {**long, "reason": "Court decision " + "x" * 1985}
    r = post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": [at_limit]}, key)
    assert r.status_code == 200
    assert len(WatchlistEntry.objects.get().reason) == 2000


def test_a_source_or_reference_longer_than_an_entry_holds_is_refused_not_cut(
    world: World, client: Client, key: str
) -> None:
    url = "/api/v1/watchlists/entry-bans/entries"
    long = {**ENTRIES[0], "source_reference": "Decision " + "x" * 196}  # 205 characters
    r = post(client, url, {"entries": [ENTRIES[1], long]}, key, "ru")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("too_long", "entries.1.source_reference")
    assert error["message"] == "Не более 200 символов (здесь 205)."
    r = post(client, url, {"entries": [{**ENTRIES[0], "source": "C" * 201}]}, key, "en")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["field"], error["message"]) == (
        "entries.0.source",
        "At most 200 characters (this has 201).",
    )
    without = {k: v for k, v in ENTRIES[0].items() if k != "source"}
    r = post(client, url, {"entries": [without], "source": "C" * 201}, key, "en")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("too_long", "source")
    assert WatchlistEntry.objects.count() == 0
    at_limit = {**ENTRIES[0], "source": "C" * 200, "source_reference": "R" * 200}
    assert post(client, url, {"entries": [at_limit]}, key).status_code == 200
    entry = WatchlistEntry.objects.get()
    assert (len(entry.source), len(entry.source_reference)) == (200, 200)


@pytest.mark.parametrize(
    ("field", "value"),
    [("full_name", 12345), ("document_number", 1234567), ("reason", 2019), ("source", False)],
)
def test_a_number_or_true_in_a_text_field_of_an_import_is_refused(
    world: World, client: Client, key: str, field: str, value: object
) -> None:
    bad = [ENTRIES[0], {**ENTRIES[1], "external_id": "SD-2", field: value}]
    r = post(client, "/api/v1/watchlists/entry-bans/entries", {"entries": bad}, key, "ru")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "invalid",
        f"entries.1.{field}",
        "Введите текст.",
    )
    assert WatchlistEntry.objects.count() == 0


def test_a_surname_or_given_names_longer_than_an_entry_holds_is_refused_not_cut(
    world: World, client: Client, key: str
) -> None:
    from umis.screening.validation import MAX_NAME_PART

    url = "/api/v1/watchlists/entry-bans/entries"
    parts = {k: v for k, v in ENTRIES[0].items() if k != "full_name"}
    long = {**parts, "surname": "Məmmədov" + "v" * MAX_NAME_PART}
    r = post(client, url, {"entries": [ENTRIES[1], long]}, key, "ru")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("too_long", "entries.1.surname")
    assert error["message"] == f"Не более {MAX_NAME_PART} символов (здесь {MAX_NAME_PART + 8})."
    r = post(client, url, {"entries": [{**parts, "given_names": "C" * 1000}]}, key, "en")
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["field"], error["message"]) == (
        "entries.0.given_names",
        f"At most {MAX_NAME_PART} characters (this has 1000).",
    )
    assert WatchlistEntry.objects.count() == 0
    at_limit = {**parts, "surname": "S" * MAX_NAME_PART, "given_names": "G" * MAX_NAME_PART}
    assert post(client, url, {"entries": [at_limit]}, key).status_code == 200
    assert WatchlistEntry.objects.get().full_name == f"{'S' * MAX_NAME_PART} {'G' * MAX_NAME_PART}"


def send(client: Client, body: Any, key: str, idempotency_key: str, lang: str = "en") -> Any:
    return client.post(
        "/api/v1/watchlists/entry-bans/entries",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_X_API_KEY=key,
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )


# entries without an external id: imported again, each would be a new entry
UNNUMBERED = [{k: v for k, v in e.items() if k != "external_id"} for e in ENTRIES]


def test_a_retried_import_gets_the_first_answer_and_imports_nothing_again(
    world: World, client: Client, key: str
) -> None:
    body = {"entries": UNNUMBERED}
    first = send(client, body, key, "import-1")
    assert (first.status_code, first.json()) == (
        200,
        {"created": 2, "updated": 0, "unchanged": 0},
    )
    audited = AuditEvent.objects.filter(action="WATCHLIST_ENTRY_CREATED").count()
    retry = send(client, body, key, "import-1")
    assert (retry.status_code, retry.json()) == (
        200,
        {"created": 2, "updated": 0, "unchanged": 0, "replayed": True},
    )
    assert WatchlistEntry.objects.count() == 2
    assert AuditEvent.objects.filter(action="WATCHLIST_ENTRY_CREATED").count() == audited


def test_an_import_key_sent_with_other_entries_is_refused_and_imports_nothing(
    world: World, client: Client, key: str
) -> None:
    assert send(client, {"entries": UNNUMBERED[:1]}, key, "import-2").status_code == 200
    other = send(client, {"entries": UNNUMBERED[1:]}, key, "import-2", "ru")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert other.json()["error"]["field"] == "Idempotency-Key"
    assert list(WatchlistEntry.objects.values_list("category", flat=True)) == ["entry_ban"]


def test_a_refused_import_leaves_its_key_for_the_corrected_entries(
    world: World, client: Client, key: str
) -> None:
    bad = [{**UNNUMBERED[0], "reason": ""}]
    assert send(client, {"entries": bad}, key, "import-3").status_code == 422
    fixed = send(client, {"entries": UNNUMBERED[:1]}, key, "import-3")
    assert (fixed.status_code, fixed.json()) == (200, {"created": 1, "updated": 0, "unchanged": 0})
    assert WatchlistEntry.objects.count() == 1


def test_the_document_says_a_watchlist_import_takes_an_idempotency_key(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/watchlists/{code}/entries"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert "replayed" in spec["components"]["schemas"]["ImportOut"]["properties"]
