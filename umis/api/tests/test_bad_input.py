"""Bad input found by the fuzz tests (test_fuzz.py), each kept as its own regression test:
a clear JSON error with a stable code, in the request's language, nothing stored."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.testing import World, guest
from umis.payments.models import PaymentEvent
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def test_a_page_offset_past_the_databases_integers_is_refused_naming_the_field(
    world: World, client: Client
) -> None:
    response = client.get(
        "/api/v1/stay-registrations?offset=9223372036854775808",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "invalid",
        "offset",
        "Число слишком большое.",
    )


def test_an_unknown_api_path_answers_json_not_an_html_page(world: World, client: Client) -> None:
    # an encoded slash in a reference makes a path that no endpoint has
    for path in ("/api/v1/stay-registrations/..%2F..%2Fetc%2Fpasswd", "/api/v1/no-such-thing"):
        response = client.get(path, HTTP_X_API_KEY=world.hotel_key, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"
        assert response.json()["error"]["message"] == "Не найдено."


def test_a_method_an_endpoint_does_not_take_answers_json_with_the_allowed_ones(
    world: World, client: Client
) -> None:
    for method, path in (
        ("PUT", "/api/v1/stay-registrations"),
        ("DELETE", "/api/v1/documents/signer-keys"),
    ):
        response = client.generic(
            method, path, b"{}", "application/json",
            HTTP_X_API_KEY=world.hotel_key, HTTP_ACCEPT_LANGUAGE="ru",
        )  # fmt: skip
        assert response.status_code == 405
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert response.json()["error"]["message"] == "Этот метод здесь не разрешён."
        assert "GET" in response["Allow"]
    assert StayRegistration.objects.count() == 0


def test_head_answers_as_get_without_a_body(world: World, client: Client) -> None:
    response = client.head("/api/v1/documents/signer-keys")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.content == b""


def test_a_value_of_the_wrong_type_names_the_field_not_a_type() -> None:
    from umis.api.errors import _field_of

    # pydantic names the member of a union it tried: "stay_days: int | str" gives "int"
    assert _field_of(["body", "payload", "stay_days", "int"]) == "stay_days"
    assert _field_of(["body", "payload", "applicants", 0, "mrz", "list[str]", 1]) == (
        "applicants.0.mrz.1"
    )
    assert _field_of(["body", "payload", "items", 3, "surname"]) == "items.3.surname"


def test_a_body_that_is_not_json_gets_a_translated_error(world: World, client: Client) -> None:
    for body in (b"{", b"\xff\xfe not utf-8", b"[" * 100_000 + b"]" * 100_000):
        response = client.generic(
            "POST",
            "/api/v1/stay-registrations",
            body,
            content_type="application/json",
            HTTP_X_API_KEY=world.hotel_key,
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        assert response.status_code in (400, 422), body[:10]
        error = response.json()["error"]
        assert error["code"] == "invalid_json"
        assert error["message"] == "Тело запроса не является корректным JSON."
    assert StayRegistration.objects.count() == 0


def test_an_unknown_registration_is_not_found_in_the_requests_language(
    world: World, client: Client
) -> None:
    response = client.get(
        "/api/v1/stay-registrations/SR-2026-999999",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Не найдено."


def test_a_20_mb_payment_notification_is_refused_as_json_and_nothing_is_applied(
    world: World, client: Client
) -> None:
    body = json.dumps({"event_id": "EV-1", "order": "A" * (20 * 1024 * 1024)}).encode()
    response = client.post("/payments/callback", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert PaymentEvent.objects.count() == 0


def test_a_registration_still_works_after_the_refusals(world: World, client: Client) -> None:
    """The fixes refuse only what is wrong."""
    response = client.post(
        "/api/v1/stay-registrations",
        data=json.dumps(guest()),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert response.status_code == 201
    listed = client.get(
        "/api/v1/stay-registrations?offset=0&limit=5", HTTP_X_API_KEY=world.hotel_key
    )
    assert [g["reference"] for g in listed.json()] == [response.json()["reference"]]


def test_a_nul_in_a_reference_is_not_found_and_the_attempt_is_audited(
    world: World, client: Client
) -> None:
    """PostgreSQL refuses NUL in text: the lookup must not reach it."""
    for path in ("/api/v1/stay-registrations/a%00b", "/api/v1/stay-registrations/%ED%A0%80"):
        response = client.get(path, HTTP_X_API_KEY=world.hotel_key)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    denied = AuditEvent.objects.filter(action="STAY_REGISTRATION_ACCESS_DENIED").first()
    assert denied is not None and denied.entity_id == "a\ufffdb"


def test_a_person_id_past_the_databases_integers_is_refused_naming_it(
    world: World, client: Client
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    _client, key = api_client_create(
        actor=None, name="desk", user=world.hannah, scopes=[Scope.PEOPLE_READ]
    )
    response = client.get(f"/api/v1/people/{10**40}/stay?purpose=a%00b", HTTP_X_API_KEY=key)
    # no person can have it: refused as the identity review's ids are, nothing looked for
    assert response.status_code == 422
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "invalid",
        "person_id",
    )
    assert not AuditEvent.objects.filter(action="PERSON_ACCESS_DENIED").exists()


@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31"])
def test_a_persons_stay_on_a_date_off_the_calendars_edge_is_refused(
    world: World, client: Client, on: str
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    [result] = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])
    assert result.registration is not None
    _client, key = api_client_create(
        actor=None, name="desk", user=world.hannah, scopes=[Scope.PEOPLE_READ]
    )
    response = client.get(
        f"/api/v1/people/{result.registration.person_id}/stay?on={on}",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "date_out_of_range",
        "on",
        "The date must be between 1990 and 2100.",
    )


@pytest.mark.parametrize(
    "path,body,field",
    [
        (
            "/api/v1/stay/calculate",
            {"stays": [], "on": "2026-01-01", "nationality": "a\x00b"},
            "nationality",
        ),
        (
            "/api/v1/stay/calculate",
            {"stays": [{"entry": "\ud800"}], "on": "2026-01-01"},
            "stays.0.entry",
        ),
        ("/api/v1/documents/mrz", {"lines": ["P<UTO", "L898\x00"]}, "lines.1"),
    ],
)
def test_text_the_database_cannot_hold_is_refused_naming_the_field(
    client: Client, path: str, body: dict[str, object], field: str
) -> None:
    """A NUL or a lone surrogate anywhere in a JSON body (PostgreSQL refuses both) is refused
    as the body is read, before any rule or query; it failed several endpoints on PostgreSQL."""
    response = client.post(
        path, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("control_character", field)
    assert error["message"] == "Текст содержит управляющие символы."


@pytest.mark.parametrize("limit", ["0", "-5", "501", "99999999999999999999999", "ten"])
def test_a_page_size_outside_1_to_500_is_refused_naming_the_field(
    world: World, client: Client, limit: str
) -> None:
    response = client.get(
        f"/api/v1/stay-registrations?limit={limit}",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE="az",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "limit"
    assert [e["field"] for e in error["errors"]] == ["limit"]


def _post(client: Client, path: str, body: object, key: str) -> dict[str, object]:
    response = client.post(
        path, json.dumps(body), "application/json", HTTP_X_API_KEY=key, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422, response.content
    error: dict[str, object] = response.json()["error"]
    return error


def test_a_bad_date_is_invalid_date_on_every_endpoint(world: World, client: Client) -> None:
    from umis.border.tests.factories import border_key

    ref = client.post(
        "/api/v1/stay-registrations",
        json.dumps(guest()),
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
    ).json()["reference"]
    ended = _post(
        client, f"/api/v1/stay-registrations/{ref}/end", {"left_on": "31.12.2026"}, world.hotel_key
    )
    registered = _post(
        client, "/api/v1/stay-registrations", guest(arrival_date="31.12.2026"), world.hotel_key
    )
    assert ended["code"] == registered["code"] == "invalid_date"
    assert (ended["field"], ended["message"]) == ("left_on", "Enter a date as YYYY-MM-DD.")
    assert registered["field"] == "arrival_date"
    # a date in the address is read the same way
    key = border_key()
    response = client.get(
        "/api/v1/people/1/stay?on=31.12.2026", HTTP_X_API_KEY=key, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_date", "on")
    assert StayRegistration.objects.get().ended_on is None


@pytest.mark.parametrize("body", [[1, 2], [], "text", 7, None, [{"left_on": "2026-01-01"}]])
def test_a_body_that_is_not_an_object_is_one_clear_error(
    world: World, client: Client, body: object
) -> None:
    for path in ("/api/v1/stay-registrations", "/api/v1/stay/calculate"):
        response = client.post(
            path,
            json.dumps(body),
            "application/json",
            HTTP_X_API_KEY=world.hotel_key,
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        assert response.status_code == 422, response.content
        assert response.json()["error"] == {
            "code": "body_not_object",
            "message": "Тело запроса должно быть объектом JSON.",
            "field": None,
            "errors": [
                {
                    "code": "body_not_object",
                    "message": "Тело запроса должно быть объектом JSON.",
                    "field": None,
                }
            ],
        }
    assert StayRegistration.objects.count() == 0


def test_the_payment_gateways_notification_is_answered_in_json_whatever_is_wrong(
    world: World, client: Client
) -> None:
    """The gateway is a program reading JSON: a NUL in the address or in a form-encoded body,
    a GET, or a Host this service does not answer to got the HTML error page (400, 405)."""
    signed = {"HTTP_X_UMIS_SIGNATURE": "0" * 64}
    answers = [
        client.post("/payments/callback?x=a%00b", b"{}", "application/json", **signed),
        client.post("/payments/callback", b"a=%00", "application/x-www-form-urlencoded"),
        client.get("/payments/callback"),
        client.post("/payments/callback", b"{}", "application/json", HTTP_HOST="evil\x00.example"),
    ]
    assert [(r.status_code, r["Content-Type"]) for r in answers] == [
        (400, "application/json"),
        (400, "application/json"),
        (405, "application/json"),
        (400, "application/json"),
    ]
    assert [r.json()["code"] for r in answers] == [
        "bad_signature",
        "bad_signature",
        "method_not_allowed",
        "bad_request",
    ]
    assert answers[2]["Allow"] == "POST"
    assert PaymentEvent.objects.count() == 0


@pytest.mark.parametrize("written", ["2026-W01-1", "2026W011", "19850314"])
def test_a_day_not_written_yyyy_mm_dd_is_refused_not_read_as_another_day(
    world: World, client: Client, written: str
) -> None:
    """2026-W01-1 is the Monday of the year's first ISO week, 29 December 2025: a client that
    sent it (or 20260101) had its guest stored with a day nobody typed."""

    registered = _post(
        client, "/api/v1/stay-registrations", guest(birth_date=written), world.hotel_key
    )
    assert (registered["code"], registered["field"]) == ("invalid_date", "birth_date")
    assert StayRegistration.objects.count() == 0
    calculated = client.post(
        "/api/v1/stay/calculate",
        json.dumps({"stays": [{"entry": written}], "on": "2026-03-01"}),
        "application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()["error"]
    assert (calculated["code"], calculated["field"]) == ("invalid_date", "stays.0.entry")
    searched = _post(
        client,
        "/api/v1/screening/search",
        {"names": ["Ivan Petrov"], "birth_date": written},
        _screening_key(world),
    )
    assert (searched["code"], searched["field"]) == ("invalid_date", "birth_date")


def test_a_day_left_sent_as_seconds_since_1970_is_refused(world: World, client: Client) -> None:
    """Midnight UTC of a day as a number of seconds was read as that day and ended the stay."""
    import datetime as dt

    from umis.core import clock

    ref = client.post(
        "/api/v1/stay-registrations",
        json.dumps(guest()),
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
    ).json()["reference"]
    midnight = dt.datetime.combine(clock.today(), dt.time(), tzinfo=dt.UTC)
    for sent in (int(midnight.timestamp()), str(int(midnight.timestamp()))):
        ended = _post(
            client, f"/api/v1/stay-registrations/{ref}/end", {"left_on": sent}, world.hotel_key
        )
        assert (ended["code"], ended["field"], ended["message"]) == (
            "invalid_date",
            "left_on",
            "Enter a date as YYYY-MM-DD.",
        )
    assert StayRegistration.objects.get().ended_on is None


@pytest.mark.parametrize("on", ["2026-W10-1", "1772323200"])
def test_a_persons_stay_on_a_day_not_written_yyyy_mm_dd_is_refused(client: Client, on: str) -> None:
    """1772323200 was read as seconds since 1970 (1 March 2026) and answered for that day."""
    from umis.border.tests.factories import border_key

    response = client.get(
        f"/api/v1/people/1/stay?on={on}", HTTP_X_API_KEY=border_key(), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == (
        "invalid_date",
        "on",
        "Введите дату в формате ГГГГ-ММ-ДД.",
    )


def _screening_key(world: World) -> str:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    _client, key = api_client_create(
        actor=None, name="screening desk", user=world.hannah, scopes=[Scope.SCREENING]
    )
    return key


@pytest.mark.parametrize(
    ("sent", "lang", "message"),
    [
        (None, "en", "This field is required."),
        ("", "az", "Bu sahə mütləqdir."),
        (None, "ru", "Это поле обязательно."),
    ],
)
def test_a_day_left_sent_empty_is_required(
    world: World, client: Client, sent: str | None, lang: str, message: str
) -> None:
    """`{"left_on": null}` answered invalid_date, where the form says the field is required."""
    ref = client.post(
        "/api/v1/stay-registrations",
        json.dumps(guest()),
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
    ).json()["reference"]
    response = client.post(
        f"/api/v1/stay-registrations/{ref}/end",
        json.dumps({"left_on": sent}),
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == ("required", "left_on", message)
    assert StayRegistration.objects.get().ended_on is None


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The purpose contains an invisible character (U+202E)"),
        ("az", "Məqsəddə görünməyən simvol var (U+202E)"),
        ("ru", "Цель содержит невидимый символ (U+202E)"),
    ],
)
def test_a_stay_read_whose_purpose_holds_an_invisible_character_is_refused_unaudited(
    world: World, client: Client, language: str, message: str
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    [result] = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])
    assert result.registration is not None
    person_id = result.registration.person_id
    _client, api_key = api_client_create(
        actor=None, name="desk", user=world.hannah, scopes=[Scope.PEOPLE_READ]
    )
    response = client.get(
        f"/api/v1/people/{person_id}/stay?purpose=status%20check%E2%80%AE",
        HTTP_X_API_KEY=api_key,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invisible_character", "purpose")
    assert message in error["message"]
    assert not AuditEvent.objects.filter(action="PERSON_STAY_VIEWED").exists()
    plain = client.get(
        f"/api/v1/people/{person_id}/stay?purpose=status%20check", HTTP_X_API_KEY=api_key
    )
    assert plain.status_code == 200
    audited = AuditEvent.objects.get(action="PERSON_STAY_VIEWED")
    assert audited.data["purpose"] == "status check"
