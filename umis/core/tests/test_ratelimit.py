"""Rate limits: an API client, a caller without a valid key, and the portal's look-ups each
get 429 with Retry-After past their limit, in their language, and the next minute lets
them through again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core import clock
from umis.core.models import RateCounter
from umis.core.ratelimit import rate_counters_prune
from umis.core.testing import World

pytestmark = pytest.mark.django_db

MINUTE_START = dt.datetime(2026, 11, 23, 9, 15, 0, tzinfo=dt.UTC)
PUBLIC = "/api/v1/documents/signer-keys"
HOST_GUESTS = "/api/v1/stay-registrations"


def _limits(settings: Any, **limits: int) -> None:
    settings.UMIS_RATE_LIMITS = {"api_client": 0, "api_anonymous": 0, "lookup": 0, **limits}


def test_a_caller_without_a_key_gets_429_past_the_limit_and_in_its_language(
    client: Client, settings: Any
) -> None:
    _limits(settings, api_anonymous=3)
    with clock.frozen_at(MINUTE_START + dt.timedelta(seconds=20)):
        assert [client.get(PUBLIC).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(PUBLIC, headers={"Accept-Language": "ru"})
        again = client.get(PUBLIC)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "Слишком много запросов" in error["message"]
    assert again.status_code == 429
    # the first refusal of the minute is in the audit log, once
    assert AuditEvent.objects.filter(action="RATE_LIMITED").count() == 1


def test_the_next_minute_lets_the_caller_through_again(client: Client, settings: Any) -> None:
    _limits(settings, api_anonymous=1)
    with clock.frozen_at(MINUTE_START):
        assert client.get(PUBLIC).status_code == 200
        assert client.get(PUBLIC).status_code == 429
    with clock.frozen_at(MINUTE_START + dt.timedelta(minutes=1)):
        assert client.get(PUBLIC).status_code == 200


def test_each_address_has_its_own_count(client: Client, settings: Any) -> None:
    _limits(settings, api_anonymous=1)
    with clock.frozen_at(MINUTE_START):
        assert client.get(PUBLIC, REMOTE_ADDR="192.0.2.1").status_code == 200
        assert client.get(PUBLIC, REMOTE_ADDR="192.0.2.1").status_code == 429
        assert client.get(PUBLIC, REMOTE_ADDR="192.0.2.2").status_code == 200
    # no address is stored, only a digest of it
    assert not RateCounter.objects.filter(bucket__contains="192.0.2").exists()


def test_made_up_keys_count_against_the_address(client: Client, settings: Any) -> None:
    _limits(settings, api_anonymous=2, api_client=100)
    with clock.frozen_at(MINUTE_START):
        answers = [
            client.get(HOST_GUESTS, headers={"X-API-Key": f"guess-{n}"}).status_code
            for n in range(3)
        ]
        public = client.get(PUBLIC, headers={"X-API-Key": "guess-public"}).status_code
    assert answers == [401, 401, 429]
    assert public == 429


def test_an_api_client_has_its_own_limit(client: Client, world: World, settings: Any) -> None:
    _limits(settings, api_anonymous=1, api_client=2)
    key = {"X-API-Key": world.hotel_key}
    with clock.frozen_at(MINUTE_START):
        first = [client.get(HOST_GUESTS, headers=key).status_code for _ in range(2)]
        refused = client.get(HOST_GUESTS, headers=key)
        # the client's calls did not use up the address's allowance for calls without a key
        anonymous = client.get(PUBLIC).status_code
    assert first == [200, 200]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert anonymous == 200


@pytest.mark.parametrize(
    ("path", "form"),
    [
        (
            "/en/entry-ban-check/",
            {
                "document_number": "C01234567",
                "issuing_state": "RUS",
                "surname": "IVANOV",
                "birth_date": "1990-01-01",
            },
        ),
        ("/en/evisa/status/", {"reference": "EV-2026-000001", "passport_number": "C01234567"}),
    ],
)
def test_the_portal_look_ups_are_limited_per_address(
    client: Client, world: World, settings: Any, path: str, form: dict[str, str]
) -> None:
    _limits(settings, lookup=2)
    with clock.frozen_at(MINUTE_START):
        tries = [client.post(path, form).status_code for _ in range(2)]
        refused = client.post(path, form)
        form_page = client.get(path)
    assert 429 not in tries
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60
    assert "Too many requests" in refused.content.decode()
    # showing the form is not a look-up
    assert form_page.status_code == 200


def test_the_limit_page_is_in_the_visitors_language(
    client: Client, world: World, settings: Any
) -> None:
    _limits(settings, lookup=1)
    form = {"reference": "EV-2026-000001", "passport_number": "C01234567"}
    with clock.frozen_at(MINUTE_START):
        client.post("/evisa/status/", form)
        refused = client.post("/evisa/status/", form)
    assert refused.status_code == 429
    assert "Həddindən çox sorğu" in refused.content.decode()


def test_old_counters_are_pruned(client: Client, settings: Any) -> None:
    _limits(settings, api_anonymous=10)
    with clock.frozen_at(MINUTE_START):
        client.get(PUBLIC)
    with clock.frozen_at(MINUTE_START + dt.timedelta(minutes=5)):
        client.get(PUBLIC)
        assert rate_counters_prune() == 0
    with clock.frozen_at(MINUTE_START + dt.timedelta(minutes=12)):
        assert rate_counters_prune() == 1
    assert RateCounter.objects.count() == 1


def test_sign_in_attempts_are_limited_per_address(
    client: Client, world: World, settings: Any
) -> None:
    _limits(settings, sign_in=2)
    wrong = {"username": "alice", "password": "not her password"}
    with clock.frozen_at(MINUTE_START):
        tries = [client.post("/en/accounts/login/", wrong).status_code for _ in range(2)]
        refused = client.post("/en/accounts/login/", wrong)
        form = client.get("/en/accounts/login/")
    assert 429 not in tries
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert form.status_code == 200  # showing the form is not an attempt
    # the refused attempt never reached the password check: no sign-in refusal recorded
    assert AuditEvent.objects.filter(action="USER_SIGN_IN_REFUSED").count() == 2


@pytest.mark.parametrize(
    ("seconds", "ru", "az"),
    [
        (1, "Подождите 1 секунду и попробуйте снова.", "1 saniyə gözləyin"),
        (2, "Подождите 2 секунды и попробуйте снова.", "2 saniyə gözləyin"),
        (5, "Подождите 5 секунд и попробуйте снова.", "5 saniyə gözləyin"),
        (21, "Подождите 21 секунду и попробуйте снова.", "21 saniyə gözləyin"),
        (22, "Подождите 22 секунды и попробуйте снова.", "22 saniyə gözləyin"),
        (59, "Подождите 59 секунд и попробуйте снова.", "59 saniyə gözləyin"),
    ],
)
def test_the_wait_is_written_in_full_words_with_its_plural(
    client: Client, world: World, settings: Any, seconds: int, ru: str, az: str
) -> None:
    _limits(settings, lookup=1)
    form = {"reference": "EV-2026-000001", "passport_number": "C01234567"}
    with clock.frozen_at(MINUTE_START + dt.timedelta(seconds=60 - seconds)):
        client.post("/ru/evisa/status/", form)
        in_russian = client.post("/ru/evisa/status/", form)
        in_azerbaijani = client.post("/evisa/status/", form)
    assert in_russian["Retry-After"] == str(seconds)
    assert ru in in_russian.content.decode()
    assert az in in_azerbaijani.content.decode()
