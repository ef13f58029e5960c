"""A person's authorised stay, and the calculator in the API, the CLI and the portal."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.testing import World, guest
from umis.people.models import TravelDocument
from umis.reference.models import VisaFreeRegime

pytestmark = pytest.mark.django_db


def stay_of(client: Client, key: str, person_id: int, on: dt.date) -> dict:
    response = client.get(
        f"/api/v1/people/{person_id}/stay?on={on.isoformat()}", HTTP_X_API_KEY=key
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_visa_free_visitor_inside_gets_days_used_and_last_legal_day(
    world: World, client: Client
) -> None:
    key = border_key()
    today = clock.today()
    entry = today - dt.timedelta(days=19)
    send(client, key, [event(timestamp=at_day(entry))])
    person_id = TravelDocument.objects.get(number="U12345678").person_id
    body = stay_of(client, key, person_id, today)
    assert body["in_country"] is True
    assert body["current_entry"] == entry.isoformat()
    assert body["legal_basis"]["kind"] == "visa_free"
    assert body["regime"] == "90/180"
    assert body["days_used"] == 20
    assert body["days_remaining"] == 70
    assert body["last_legal_day"] == (entry + dt.timedelta(days=89)).isoformat()
    # 20 days inside, not registered: the 15-day deadline has passed
    assert body["registration"] == {
        "status": "overdue",
        "due_by": (entry + dt.timedelta(days=15)).isoformat(),
    }
    assert AuditEvent.objects.filter(action="PERSON_STAY_VIEWED", person_id=person_id).exists()


def test_a_registration_for_the_stay_is_seen(world: World, client: Client) -> None:
    key = border_key()
    today = clock.today()
    send(client, key, [event(timestamp=at_day(today - dt.timedelta(days=1)))])
    registration = client.post(
        "/api/v1/stay-registrations",
        data=json.dumps(
            guest(
                nationality="TR",
                issuing_state="TUR",
                surname="Öztürk",
                given_names="Mehmet",
                birth_date="1980-05-01",
            )
        ),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert registration.status_code == 201, registration.content
    person_id = TravelDocument.objects.get(number="U12345678").person_id
    assert stay_of(client, key, person_id, today)["registration"]["status"] == "registered"


def test_someone_who_left_is_not_inside(world: World, client: Client) -> None:
    key = border_key()
    today = clock.today()
    send(
        client,
        key,
        [
            event(timestamp=at_day(today - dt.timedelta(days=30))),
            event(direction="exit", timestamp=at_day(today - dt.timedelta(days=21))),
        ],
    )
    person_id = TravelDocument.objects.get(number="U12345678").person_id
    body = stay_of(client, key, person_id, today)
    assert body["in_country"] is False
    assert body["presence"] == "not_in_country"
    assert body["days_used"] == 10
    assert body["registration"]["status"] == "not_in_country"


def test_without_any_crossing_presence_is_unknown(world: World, client: Client) -> None:
    key = border_key()
    response = client.post(
        "/api/v1/stay-registrations",
        data=json.dumps(guest()),
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert response.status_code == 201, response.content
    person_id = TravelDocument.objects.get(number="U12345678").person_id
    body = stay_of(client, key, person_id, clock.today())
    assert body["in_country"] is False
    assert body["presence"] == "unknown"
    assert body["current_entry"] is None


def test_no_visa_free_regime_means_no_known_basis(world: World, client: Client) -> None:
    key = border_key()
    send(client, key, [event(nationality="US", issuing_state="USA", document_number="X1")])
    person_id = TravelDocument.objects.get(number="X1").person_id
    body = stay_of(client, key, person_id, clock.today())
    assert body["in_country"] is True
    assert body["legal_basis"] is None
    assert body["last_legal_day"] is None


def test_a_rule_change_applies_from_its_date(world: World, client: Client) -> None:
    key = border_key()
    today = clock.today()
    change = today - dt.timedelta(days=5)
    VisaFreeRegime.objects.filter(nationality_id="TR").update(
        valid_to=change - dt.timedelta(days=1)
    )
    VisaFreeRegime.objects.create(nationality_id="TR", days=30, valid_from=change)
    entry = today - dt.timedelta(days=40)
    send(client, key, [event(timestamp=at_day(entry))])
    person_id = TravelDocument.objects.get(number="U12345678").person_id
    body = stay_of(client, key, person_id, today)
    assert body["regime"] == "30"
    assert body["days_used"] == 41
    assert body["overstay_days"] == 6  # every day since the change
    assert body["last_legal_day"] == (change - dt.timedelta(days=1)).isoformat()


def test_a_person_of_no_access_is_404_and_audited(world: World, client: Client) -> None:
    response = client.get("/api/v1/people/999/stay", HTTP_X_API_KEY=world.hotel_key)
    assert response.status_code == 403  # a hotel key has no people_read scope
    key = border_key()
    response = client.get("/api/v1/people/999999/stay", HTTP_X_API_KEY=key)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="PERSON_ACCESS_DENIED", entity_id="999999").exists()


# --- the calculator -------------------------------------------------------------------


def test_the_calculator_api_answers_without_a_key(world: World, client: Client) -> None:
    body = {
        "stays": [{"entry": "2026-01-01", "exit": "2026-01-01"}, {"entry": "2026-03-01"}],
        "on": "2026-03-10",
        "regime": "90/180",
    }
    response = client.post("/api/v1/stay/calculate", json.dumps(body), "application/json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["days_used"] == 11
    assert result["days_remaining"] == 79
    assert result["overstay_days"] == 0
    assert result["last_legal_day"] == "2026-05-28"
    assert result["registration_due_by"] == "2026-03-16"


def test_the_calculator_names_bad_input(world: World, client: Client) -> None:
    body = {"stays": [{"entry": "2026-02-30"}, {"entry": "2026-03-05", "exit": "2026-03-01"}]}
    body |= {"on": "tomorrow", "regime": "ninety"}
    response = client.post(
        "/api/v1/stay/calculate", json.dumps(body), "application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    errors = {(e["field"], e["code"]) for e in response.json()["error"]["errors"]}
    assert errors == {
        ("regime", "invalid_regime"),
        ("on", "invalid_date"),
        ("stays.0.entry", "invalid_date"),
        ("stays.1.exit", "exit_before_entry"),
    }


@pytest.mark.parametrize("code", ["KZ", "KAZ", "kaz"])
def test_the_calculator_reads_the_nationality_in_any_country_code(
    world: World, client: Client, code: str
) -> None:
    body = {"stays": [{"entry": "2026-03-01"}], "on": "2026-03-10", "nationality": code}
    response = client.post("/api/v1/stay/calculate", json.dumps(body), "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["registration_required_after_days"] == 30  # Kazakhstan's agreement
    assert response.json()["registration_due_by"] == "2026-03-31"


def test_on_the_day_of_an_exit_and_a_new_entry_the_new_stay_is_current(
    world: World, client: Client
) -> None:
    body = {
        "stays": [{"entry": "2026-01-01", "exit": "2026-01-25"}, {"entry": "2026-01-25"}],
        "on": "2026-01-25",
        "regime": "30",
        "nationality": "TR",
    }
    response = client.post("/api/v1/stay/calculate", json.dumps(body), "application/json")
    result = response.json()
    assert result["days_used"] == 1
    assert result["current_entry"] == "2026-01-25"
    assert result["registration_due_by"] == "2026-02-09"


def test_the_calculator_refuses_an_unknown_nationality(world: World, client: Client) -> None:
    body = {"stays": [{"entry": "2026-03-01"}], "on": "2026-03-10", "nationality": "ZZ"}
    response = client.post(
        "/api/v1/stay/calculate", json.dumps(body), "application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["field"], error["code"]) == ("nationality", "unknown_country")


def test_the_cli_prints_the_same_json(world: World, client: Client, tmp_path: Path) -> None:
    stays = [{"entry": "2026-01-01", "exit": "2026-01-01"}, {"entry": "2026-03-01"}]
    path = tmp_path / "stays.json"
    path.write_text(json.dumps(stays))
    out = StringIO()
    call_command(
        "stay", "calc", "--stays", str(path), "--on", "2026-03-10", "--regime", "90/180", stdout=out
    )
    api = client.post(
        "/api/v1/stay/calculate",
        json.dumps({"stays": stays, "on": "2026-03-10", "regime": "90/180"}),
        "application/json",
    ).json()
    assert json.loads(out.getvalue()) == api
    with pytest.raises(CommandError) as exc:
        call_command("stay", "calc", "--stays", str(path), "--on", "x", stdout=StringIO())
    assert "invalid_date" in str(exc.value)


def test_the_portal_page_calculates(world: World, client: Client) -> None:
    page = client.get("/en/stay-calculator/")
    assert page.status_code == 200
    response = client.post(
        "/en/stay-calculator/",
        {"regime": "90/180", "on": "2026-03-10", "entry_0": "2026-03-01", "exit_0": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="days_used">10<' in html
    assert 'data-field="last_legal_day">29.05.2026<' in html
    bad = client.post(
        "/en/stay-calculator/", {"regime": "90/180", "on": "2026-03-10", "entry_0": "x"}
    )
    assert 'data-code="invalid_date"' in bad.content.decode()


def test_the_portal_lists_the_calculator_as_available(world: World, client: Client) -> None:
    html = client.get("/en/services/stay_calculator/").content.decode()
    assert "/en/stay-calculator/" in html


def test_another_app_can_feed_a_legal_basis(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An e-visa app registers a provider; a visa-required person then has a basis."""
    from umis.border import basis

    key = border_key()
    today = clock.today()
    entry = today - dt.timedelta(days=10)
    send(
        client,
        key,
        [
            event(
                nationality="US", issuing_state="USA", document_number="X1", timestamp=at_day(entry)
            )
        ],
    )
    person_id = TravelDocument.objects.get(number="X1").person_id

    def evisa(
        persons: dict[int, str], start: dt.date, end: dt.date
    ) -> dict[int, list[basis.Basis]]:
        from umis.border.stayrules import Regime, RegimePeriod

        visa = basis.Basis(
            "evisa",
            "e-visa EV-1",
            (
                RegimePeriod(
                    Regime(30), entry - dt.timedelta(days=5), entry + dt.timedelta(days=85)
                ),
            ),
            "EV-1",
        )
        return {pid: [visa] for pid in persons if pid == person_id}

    monkeypatch.setitem(basis._providers, "evisa", evisa)
    body = stay_of(client, key, person_id, today)
    assert body["legal_basis"]["kind"] == "evisa"
    assert body["legal_basis"]["reference"] == "EV-1"
    assert body["days_used"] == 11
    assert body["last_legal_day"] == (entry + dt.timedelta(days=29)).isoformat()


def test_a_malformed_date_is_a_clear_error(world: World, client: Client) -> None:
    key = border_key()
    response = client.get(
        "/api/v1/people/1/stay?on=2026-02-30", HTTP_X_API_KEY=key, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_date", "on")


def test_the_endpoints_are_in_the_openapi_document(world: World, client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/border/crossings"]
    assert "get" in paths["/api/v1/people/{person_id}/stay"]
    assert "post" in paths["/api/v1/stay/calculate"]


def test_too_many_stays_is_the_only_error_about_the_stays(world: World, client: Client) -> None:
    # the refused list was emptied and then also reported as "no entry given"
    body = {"stays": [{"entry": "2026-01-01"}] * 10_000, "on": "2026-03-10"}
    response = client.post(
        "/api/v1/stay/calculate", json.dumps(body), "application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    errors = [(e["field"], e["code"], e["message"]) for e in response.json()["error"]["errors"]]
    assert errors == [("stays", "too_many_stays", "At most 500 stays.")]


def test_stays_that_are_not_a_list_are_only_said_to_be_not_a_list(world: World) -> None:
    from umis.border.calculator import stay_calculate
    from umis.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        stay_calculate(stays="2026-01-01", on="2026-03-10", regime="90/180")
    assert [(e.field, e.code) for e in refused.value.errors] == [("stays", "invalid")]
