"""The longest text the document allows in each request field is the longest the service
takes: one character more is refused naming the field, the limit itself is not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from umis.core.testing import World, guest

pytestmark = pytest.mark.django_db

REGISTRATION_FIELDS = (
    "surname",
    "given_names",
    "patronymic",
    "birth_date",
    "sex",
    "nationality",
    "document_type",
    "document_number",
    "issuing_state",
    "document_expiry",
    "region",
    "city",
    "street",
    "arrival_date",
    "planned_departure",
    "client_reference",
)


def _max_lengths(client: Client, schema: str) -> dict[str, int]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    properties = response.json()["components"]["schemas"][schema]["properties"]
    return {
        name: prop["maxLength"]
        for name, prop in properties.items()
        for prop in [prop, *prop.get("anyOf", [])]
        if "maxLength" in prop
    }


def _too_long(errors: list[dict[str, Any]], field: str) -> bool:
    return any(e.get("field") == field and e.get("code") == "too_long" for e in errors)


@pytest.mark.parametrize("schema", ["StayRegistrationIn", "StayRegistrationItemIn"])
def test_the_registration_fields_state_their_longest_text(client: Client, schema: str) -> None:
    assert set(_max_lengths(client, schema)) == set(REGISTRATION_FIELDS)


@pytest.mark.parametrize("field", REGISTRATION_FIELDS)
def test_a_registration_one_over_the_documented_length_is_refused_naming_the_field(
    world: World, client: Client, field: str
) -> None:
    limit = _max_lengths(client, "StayRegistrationIn").get(field)
    assert limit, field
    for length, refused in ((limit + 1, True), (limit, False)):
        response = client.post(
            "/api/v1/stay-registrations",
            guest(**{field: "x" * length}),
            "application/json",
            HTTP_X_API_KEY=world.hotel_key,
        )
        errors = response.json().get("error", {}).get("errors", [])
        assert _too_long(errors, field) is refused, (field, length, response.content)
        if refused:
            assert response.status_code == 422


@pytest.mark.parametrize("field", REGISTRATION_FIELDS)
def test_a_batch_item_one_over_the_documented_length_is_refused_naming_the_field(
    world: World, client: Client, field: str
) -> None:
    limit = _max_lengths(client, "StayRegistrationItemIn").get(field)
    assert limit, field
    items = [guest(**{field: "x" * (limit + 1)}), guest(**{field: "x" * limit})]
    response = client.post(
        "/api/v1/stay-registrations/bulk",
        {"items": items},
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert response.status_code < 500, response.content
    over, at = response.json()["items"]
    assert over["status"] == "refused"
    assert _too_long(over["errors"], field), over
    assert not _too_long(at["errors"], field), at


def test_the_reason_of_an_identity_decision_one_over_the_documented_length_is_refused(
    world: World, client: Client
) -> None:
    from umis.api.tests.test_identity_api import _doubtful_pair, _key

    limit = _max_lengths(client, "DecisionIn").get("reason")
    assert limit, "reason"
    assert _max_lengths(client, "UnmergeIn").get("reason") == limit
    match = _doubtful_pair(world)
    path = f"/api/v1/identity/reviews/{match.pk}/decision"
    for length, status in ((limit + 1, 422), (limit, 200)):
        body = {"decision": "separate", "reason": "x" * length, "version": 1}
        response = client.post(path, body, "application/json", HTTP_X_API_KEY=_key(world.alice))
        assert response.status_code == status, (length, response.content)
        if status == 422:
            error = response.json()["error"]
            assert (error["code"], error["field"]) == ("too_long", "reason")


def _schema(client: Client, name: str) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    return response.json()["components"]["schemas"][name]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        ("/api/v1/names/compare", "a", lambda v: {"a": v, "b": "Cavid"}),
        ("/api/v1/names/compare", "b", lambda v: {"a": "Cavid", "b": v}),
        ("/api/v1/screening/search", "names.0", lambda v: {"names": [v]}),
        (
            "/api/v1/screening/search",
            "document_number",
            lambda v: {"names": ["Cavid"], "document_number": v},
        ),
    ],
)
def test_a_name_or_number_screened_one_over_the_documented_length_is_refused(
    world: World, client: Client, path: str, field: str, body: Any
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    key = api_client_create(actor=None, name="Agency", user=world.hannah, scopes=[Scope.SCREENING])
    schema = _schema(client, "CompareIn" if "compare" in path else "SearchIn")["properties"]
    prop = schema["names"]["items"] if field == "names.0" else schema[field]
    prop = next((p for p in [prop, *prop.get("anyOf", [])] if "maxLength" in p), {})
    limit = prop.get("maxLength")
    assert limit, field
    for length, refused in ((limit + 1, True), (limit, False)):
        response = client.post(path, body("C" * length), "application/json", HTTP_X_API_KEY=key[1])
        assert response.status_code == (422 if refused else 200), (length, response.content)
        if refused:
            error = response.json()["error"]
            assert (error["code"], error["field"]) == ("too_long", field)


EVISA_FIELDS = (
    "purpose",
    "entry_date",
    "speed",
    "email",
    "region",
    "city",
    "street",
    "client_reference",
)
TRAVELLER_FIELDS = (
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "nationality",
    "issuing_state",
    "document_number",
    "document_expiry",
)


@pytest.fixture
def agency_key(world: World) -> str:
    from umis.accounts.models import Role, Scope
    from umis.accounts.services import api_client_create
    from umis.core.testing import make_user
    from umis.visas.reference import visa_reference_load_defaults

    visa_reference_load_defaults()
    user = make_user("agnes", Role.AGENCY)
    return api_client_create(actor=None, name="Agency", user=user, scopes=[Scope.EVISA])[1]


def test_the_e_visa_fields_state_their_longest_text(client: Client) -> None:
    assert set(_max_lengths(client, "EvisaApplicationIn")) == set(EVISA_FIELDS)
    assert set(_max_lengths(client, "TravellerIn")) == set(TRAVELLER_FIELDS)


@pytest.mark.parametrize(
    ("schema", "field"),
    [("EvisaApplicationIn", f) for f in EVISA_FIELDS]
    + [("TravellerIn", f) for f in TRAVELLER_FIELDS],
)
def test_an_e_visa_field_one_over_the_documented_length_is_refused_naming_it(
    client: Client, agency_key: str, schema: str, field: str
) -> None:
    from umis.visas.models import VisaApplication
    from umis.visas.testing import application, photo_b64, traveller

    limit = _max_lengths(client, schema).get(field)
    assert limit, field
    photo = photo_b64(width=300, height=380)
    named = field if schema == "EvisaApplicationIn" else f"applicants.0.{field}"
    for length, refused in ((limit + 1, True), (limit, False)):
        value = "x" * length
        if schema == "EvisaApplicationIn":
            body = application(traveller(photo=photo), **{field: value})
        else:
            body = application(traveller(photo=photo, **{field: value}))
        response = client.post(
            "/api/v1/evisa/applications", body, "application/json", HTTP_X_API_KEY=agency_key
        )
        assert response.status_code == 422 if refused else response.status_code < 500
        error = response.json().get("error", {})
        errors = error.get("errors") or [error]
        assert _too_long(errors, named) is refused, (field, length, response.content)
        if refused:
            assert not VisaApplication.objects.exists()


CROSSING_FIELDS = (
    "event_id",
    "crossing_point",
    "direction",
    "timestamp",
    "document_type",
    "document_number",
    "issuing_state",
    "document_expiry",
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "nationality",
    "refusal_reason",
)


def _event_max_lengths(client: Client) -> dict[str, int]:
    event = _schema(client, "CrossingsIn")["properties"]["events"]["items"]
    return {
        name: prop["maxLength"]
        for name, prop in event["properties"].items()
        for prop in [prop, *prop.get("anyOf", [])]
        if "maxLength" in prop
    }


def test_the_crossing_event_fields_state_their_longest_text(client: Client) -> None:
    assert set(_event_max_lengths(client)) == set(CROSSING_FIELDS)


@pytest.mark.parametrize("field", CROSSING_FIELDS)
def test_a_crossing_event_one_over_the_documented_length_is_refused_naming_the_field(
    world: World, client: Client, field: str
) -> None:
    from umis.border.models import Crossing
    from umis.border.tests.factories import border_key, event, send

    limit = _event_max_lengths(client).get(field)
    assert limit, field
    over = event(**{field: "x" * (limit + 1)})
    at = event(**{field: "y" * limit})
    response = send(client, border_key(), [over, at])
    assert response.status_code == 200, response.content
    body = response.json()
    items = {item["index"]: item for item in body["items"]}
    assert items[0]["status"] == "refused"
    assert _too_long(items[0]["errors"], field), items[0]
    assert not _too_long(items.get(1, {}).get("errors", []), field), items.get(1)
    assert Crossing.objects.count() == body["stored"] <= 1


@pytest.mark.parametrize("field", ["birth_date", "nationality", "issuing_state"])
def test_a_date_or_code_screened_one_over_the_documented_length_is_refused(
    world: World, client: Client, field: str
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    key = api_client_create(actor=None, name="Agency", user=world.hannah, scopes=[Scope.SCREENING])
    limit = _max_lengths(client, "SearchIn").get(field)
    assert limit, field
    for length, refused in ((limit + 1, True), (limit, False)):
        body = {"names": ["Cavid"], field: "1" * length}
        response = client.post(
            "/api/v1/screening/search", body, "application/json", HTTP_X_API_KEY=key[1]
        )
        assert response.status_code < 500, response.content
        error = response.json().get("error", {})
        errors = error.get("errors") or [error]
        assert _too_long(errors, field) is refused, (length, response.content)
        if refused:
            assert response.status_code == 422


def test_a_watchlist_import_s_default_source_one_over_the_documented_length_is_refused(
    world: World, client: Client
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create
    from umis.screening.models import WatchlistEntry

    key = api_client_create(
        actor=None, name="Agency", user=world.hannah, scopes=[Scope.WATCHLISTS_MANAGE]
    )
    prop = _schema(client, "ImportIn")["properties"]["source"]
    prop = next((p for p in [prop, *prop.get("anyOf", [])] if "maxLength" in p), {})
    limit = prop.get("maxLength")
    assert limit
    entry = {"category": "entry_ban", "external_id": "EB-1", "full_name": "Aliyev Rauf"}
    entry |= {"reason": "Court decision"}
    for length, refused in ((limit + 1, True), (limit, False)):
        response = client.post(
            "/api/v1/watchlists/entry-bans/entries",
            {"entries": [entry], "source": "S" * length},
            "application/json",
            HTTP_X_API_KEY=key[1],
        )
        assert response.status_code == (422 if refused else 200), (length, response.content)
        if refused:
            error = response.json()["error"]
            assert (error["code"], error["field"]) == ("too_long", "source")
            assert not WatchlistEntry.objects.exists()
    assert WatchlistEntry.objects.get().source == "S" * limit


def test_the_decisions_documented_for_a_possible_duplicate_are_the_ones_taken(
    client: Client,
) -> None:
    from umis.core.errors import ValidationFailed
    from umis.people.services import identity_match_decision_clean

    documented = _schema(client, "DecisionIn")["properties"]["decision"]["enum"]
    assert sorted(documented) == ["link", "separate"]
    for decision in documented:
        assert identity_match_decision_clean(decision=decision, reason="checked") == "checked"
    with pytest.raises(ValidationFailed):
        identity_match_decision_clean(decision="merge", reason="checked")


@pytest.mark.parametrize("field", ["regime", "nationality"])
def test_a_regime_or_nationality_of_the_calculator_one_over_the_documented_length_is_refused(
    client: Client, field: str
) -> None:
    limit = _max_lengths(client, "CalculateIn").get(field)
    assert limit, field
    for length, refused in ((limit + 1, True), (limit, False)):
        body = {"stays": [{"entry": "2026-01-10"}], "on": "2026-02-01", field: "9" * length}
        response = client.post("/api/v1/stay/calculate", body, "application/json")
        assert response.status_code == 422, response.content  # not a regime or country
        errors = response.json()["error"]["errors"]
        assert _too_long(errors, field) is refused, (length, response.content)
        assert [e["field"] for e in errors] == [field]


def _zone_at_most(limit: int) -> str:
    """A passport's zone sent as one text, its two lines apart, padded with blanks to `limit`."""
    from umis.core.testing import passport_mrz

    first, second = passport_mrz()
    return f"{first}\n{second}".ljust(limit)


def test_a_zone_read_alone_one_over_the_documented_length_is_refused(client: Client) -> None:
    prop = _schema(client, "MrzIn")["properties"]["lines"]["items"]
    limit = prop.get("maxLength")
    assert limit
    over = client.post("/api/v1/documents/mrz", {"lines": ["P" * (limit + 1)]}, "application/json")
    assert over.status_code == 422, over.content
    assert (over.json()["error"]["code"], over.json()["error"]["field"]) == (
        "mrz_line_length",
        "lines",
    )
    at = client.post("/api/v1/documents/mrz", {"lines": [_zone_at_most(limit)]}, "application/json")
    assert at.status_code == 200, at.content


@pytest.mark.parametrize("schema", ["StayRegistrationIn", "StayRegistrationItemIn"])
def test_a_registration_s_zone_one_over_the_documented_length_is_refused(
    world: World, client: Client, schema: str
) -> None:
    from umis.stays.models import StayRegistration

    prop = _schema(client, schema)["properties"]["mrz"]
    prop = next(p for p in prop["anyOf"] if p.get("type") == "array")["items"]
    limit = prop.get("maxLength")
    assert limit
    over = client.post(
        "/api/v1/stay-registrations",
        guest(mrz=["P" * (limit + 1)]),
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert over.status_code == 422, over.content
    assert (over.json()["error"]["code"], over.json()["error"]["field"]) == ("mrz_invalid", "mrz")
    assert not StayRegistration.objects.exists()
    at = client.post(
        "/api/v1/stay-registrations",
        guest(mrz=[_zone_at_most(limit)]),
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    errors = at.json().get("error", {}).get("errors", [])
    assert "mrz_invalid" not in [e["code"] for e in errors], at.content


WATCHLIST_ENTRY_FIELDS = (
    "external_id",
    "full_name",
    "surname",
    "given_names",
    "aliases.0",
    "document_number",
    "reason",
    "source",
    "source_reference",
)


def _entry_max_lengths(client: Client) -> dict[str, int]:
    entry = _schema(client, "ImportIn")["properties"]["entries"]["items"]["properties"]
    entry["aliases.0"] = next(p for p in entry.pop("aliases")["anyOf"] if "items" in p)["items"]
    return {
        name: prop["maxLength"]
        for name, prop in entry.items()
        for prop in [prop, *prop.get("anyOf", [])]
        if "maxLength" in prop
    }


def test_the_watchlist_entry_fields_state_their_longest_text(client: Client) -> None:
    assert set(_entry_max_lengths(client)) == set(WATCHLIST_ENTRY_FIELDS)


@pytest.mark.parametrize("field", WATCHLIST_ENTRY_FIELDS)
def test_a_watchlist_entry_one_over_the_documented_length_is_refused_naming_the_field(
    world: World, client: Client, field: str
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create
    from umis.screening.models import WatchlistEntry

    key = api_client_create(
        actor=None, name="Agency", user=world.hannah, scopes=[Scope.WATCHLISTS_MANAGE]
    )
    limit = _entry_max_lengths(client).get(field)
    assert limit, field
    for length, refused in ((limit + 1, True), (limit, False)):
        entry: dict[str, Any] = {"category": "entry_ban", "external_id": "EB-1"}
        entry |= {"full_name": "Aliyev Rauf", "reason": "Court decision", "source": "Court"}
        value = "C" * length
        if field == "aliases.0":
            entry["aliases"] = [value]
        else:
            entry[field] = value
        response = client.post(
            "/api/v1/watchlists/entry-bans/entries",
            {"entries": [entry]},
            "application/json",
            HTTP_X_API_KEY=key[1],
        )
        assert response.status_code == (422 if refused else 200), (length, response.content)
        if refused:
            errors = response.json()["error"]["errors"]
            assert _too_long(errors, f"entries.0.{field}"), errors
            assert not WatchlistEntry.objects.exists()
    assert WatchlistEntry.objects.count() == 1


def _stay_parameters(client: Client) -> dict[str, Any]:
    operation = client.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/people/{person_id}/stay"
    ]
    return {p["name"]: p["schema"] for p in operation["get"]["parameters"]}


def test_a_stay_read_s_purpose_one_over_the_documented_length_is_refused_unaudited(
    world: World, client: Client
) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create
    from umis.audit.models import AuditEvent
    from umis.stays.services import stay_registrations_submit

    limit = _stay_parameters(client)["purpose"].get("maxLength")
    assert limit
    [result] = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])
    assert result.registration is not None
    path = f"/api/v1/people/{result.registration.person_id}/stay"
    key = api_client_create(actor=None, name="desk", user=world.hannah, scopes=[Scope.PEOPLE_READ])
    for lang, message in (
        ("en", f"At most {limit} characters (this has {limit + 1})."),
        ("ru", f"Не более {limit} символов (здесь {limit + 1})."),
    ):
        over = client.get(
            path, {"purpose": "p" * (limit + 1)}, HTTP_X_API_KEY=key[1], HTTP_ACCEPT_LANGUAGE=lang
        )
        assert over.status_code == 422, over.content
        error = over.json()["error"]
        assert (error["code"], error["field"], error["message"]) == ("too_long", "purpose", message)
    assert not AuditEvent.objects.filter(action="PERSON_STAY_VIEWED").exists()
    at = client.get(path, {"purpose": "p" * limit}, HTTP_X_API_KEY=key[1])
    assert at.status_code == 200, at.content
    assert AuditEvent.objects.get(action="PERSON_STAY_VIEWED").data["purpose"] == "p" * limit


def test_a_stay_read_on_a_day_outside_the_documented_range_is_refused(
    world: World, client: Client
) -> None:
    import datetime as dt

    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create
    from umis.stays.services import stay_registrations_submit

    on = _stay_parameters(client)["on"]
    on = next(p for p in [on, *on.get("anyOf", [])] if "x-date-minimum" in p)
    first = dt.date.fromisoformat(on["x-date-minimum"])
    last = dt.date.fromisoformat(on["x-date-maximum"])
    assert f"{first:%Y-%m-%d} to {last:%Y-%m-%d}" in on["description"]
    [result] = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])
    assert result.registration is not None
    path = f"/api/v1/people/{result.registration.person_id}/stay"
    key = api_client_create(actor=None, name="desk", user=world.hannah, scopes=[Scope.PEOPLE_READ])
    day = dt.timedelta(days=1)
    for sent, status in ((first - day, 422), (first, 200), (last, 200), (last + day, 422)):
        response = client.get(path, {"on": sent.isoformat()}, HTTP_X_API_KEY=key[1])
        assert response.status_code == status, (sent, response.content)
        if status == 422:
            assert response.json()["error"]["code"] == "date_out_of_range"
