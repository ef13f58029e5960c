"""The stay calculator as a visitor sees it on the portal: errors in words, not field paths."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from umis.border import views as border_views
from umis.core.testing import World

pytestmark = pytest.mark.django_db

URL = "/{lang}/stay-calculator/"


def calculate(client: Client, lang: str = "en", **fields: str) -> str:
    data = {"regime": "90/180", "on": "2026-03-10", **fields}
    response = client.post(URL.format(lang=lang), data)
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_the_row_and_date_of_an_error_in_words(world: World, client: Client) -> None:
    html = calculate(client, entry_0="2026-03-05", exit_0="2026-03-01")
    assert 'data-code="exit_before_entry"' in html
    assert "stays.0.exit" not in html
    assert "Row 1, exit: The exit is before the entry." in html
    assert 'id="result"' not in html


def test_it_names_the_fields_in_russian(world: World, client: Client) -> None:
    html = calculate(client, "ru", entry_0="2026-03-05", exit_0="2026-03-01", nationality="ZZ")
    assert "stays.0.exit" not in html
    assert "nationality:" not in html
    assert "Строка 1, выезд: Выезд раньше въезда." in html
    assert "Гражданство: Неизвестный код страны." in html


def test_it_counts_the_row_the_visitor_filled_in(world: World, client: Client) -> None:
    html = calculate(client, entry_2="2026-03-05", exit_2="2026-03-01")
    assert "Row 3, exit: The exit is before the entry." in html


def test_it_refuses_an_entry_after_the_control_date(world: World, client: Client) -> None:
    html = calculate(client, entry_0="2026-04-01")
    assert 'data-code="entry_after_control_date"' in html
    assert "Row 1, entry: The entry is after the control date." in html
    assert 'id="result"' not in html


def test_it_refuses_stays_that_overlap_naming_the_row_and_the_dates(
    world: World, client: Client
) -> None:
    html = calculate(
        client,
        on="2026-11-30",
        entry_0="2026-11-01",
        exit_0="2026-11-10",
        entry_1="2026-11-05",
        exit_1="2026-11-20",
    )
    assert 'data-code="overlapping_stays"' in html
    assert (
        "Row 2, entry: The entry falls within the stay from 01.11.2026 to 10.11.2026; "
        "nobody can enter the country while still in it." in html
    )
    assert 'name="entry_1" value="2026-11-05" aria-label="Row 2, entry" aria-invalid="true"' in html
    assert 'id="result"' not in html
    ru = calculate(
        client, "ru", on="2026-11-30", entry_0="2026-11-01", entry_2="2026-11-05", exit_2=""
    )
    assert (
        "Строка 3, въезд: Въезд приходится на пребывание с 01.11.2026, у которого нет даты "
        "выезда; нельзя въехать в страну, ещё находясь в ней." in ru
    )


def test_an_exit_and_a_new_entry_on_the_same_day_do_not_overlap(
    world: World, client: Client
) -> None:
    html = calculate(
        client, on="2026-11-30", entry_0="2026-11-01", exit_0="2026-11-10", entry_1="2026-11-10"
    )
    assert 'data-code="overlapping_stays"' not in html
    assert 'data-field="days_used">30<' in html


def test_the_api_refuses_overlapping_stays_naming_the_field(world: World, client: Client) -> None:
    body = {
        "stays": [
            {"entry": "2026-11-05", "exit": "2026-11-20"},
            {"entry": "2026-11-01", "exit": "2026-11-10"},
            {"entry": "2026-11-21", "exit": "2026-11-22"},
        ],
        "on": "2026-11-30",
    }
    response = client.post(
        "/api/v1/stay/calculate", json.dumps(body), "application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert response.json()["error"]["errors"] == [
        {
            "code": "overlapping_stays",
            "message": "The entry falls within the stay from 01.11.2026 to 10.11.2026; "
            "nobody can enter the country while still in it.",
            "field": "stays.0.entry",
        }
    ]


def test_it_requires_at_least_one_entry(world: World, client: Client) -> None:
    html = calculate(client)
    assert 'data-code="no_stays"' in html
    assert "Enter the date of at least one entry." in html
    assert 'id="result"' not in html


def test_it_says_when_the_registration_deadline_has_passed(world: World, client: Client) -> None:
    html = calculate(client, entry_0="2026-02-01", nationality="TR")
    assert 'data-field="registration_due_by">16.02.2026' in html
    assert 'id="registration-overdue"' in html
    assert "This deadline has passed" in html
    on_time = calculate(client, entry_0="2026-03-05", nationality="TR")
    assert 'data-field="registration_due_by">20.03.2026' in on_time
    assert 'id="registration-overdue"' not in on_time


def test_the_api_tells_an_overdue_registration(world: World, client: Client) -> None:
    body = {"stays": [{"entry": "2026-02-01"}], "on": "2026-03-10", "nationality": "TR"}
    result = client.post("/api/v1/stay/calculate", json.dumps(body), "application/json").json()
    assert (result["registration_due_by"], result["registration_overdue"]) == ("2026-02-16", True)


def test_the_nationality_is_a_list_of_countries_in_the_page_language(
    world: World, client: Client
) -> None:
    html = client.get("/ru/stay-calculator/").content.decode()
    assert '<select id="nationality" name="nationality">' in html
    assert '<option value="TR">Турция</option>' in html
    chosen = calculate(client, "ru", entry_0="2026-03-05", nationality="TR")
    assert '<option value="TR" selected>Турция</option>' in chosen


def test_it_takes_a_three_letter_code_too(world: World, client: Client) -> None:
    html = calculate(client, entry_0="2026-03-05", nationality="TUR")
    assert 'data-field="registration_due_by">20.03.2026' in html


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_result_writes_dates_as_every_other_page_does(
    world: World, client: Client, lang: str
) -> None:
    prefix = "" if lang == "az" else f"/{lang}"
    response = client.post(
        f"{prefix}/stay-calculator/",
        {"regime": "90/180", "on": "2026-03-10", "entry_0": "2026-03-01", "nationality": "TR"},
    )
    html = response.content.decode()
    assert 'data-field="last_legal_day">29.05.2026<' in html
    assert 'data-field="registration_due_by">16.03.2026<' in html
    assert "2026-05-29" not in html


def test_the_rules_are_named_in_proper_russian(world: World, client: Client) -> None:
    html = client.get("/ru/stay-calculator/").content.decode()
    assert (
        '<option value="90/180" selected>90/180: не более 90 дней в любом периоде из 180 дней'
        "</option>" in html
    )
    assert '<option value="30">30 дней за одно пребывание</option>' in html
    en = client.get("/en/stay-calculator/").content.decode()
    assert '<option value="90/180" selected>90/180: at most 90 days in any 180 days</option>' in en
    az = client.get("/stay-calculator/").content.decode()
    assert "90/180: istənilən 180 gün ərzində ən çoxu 90 gün" in az


RULES = ("1/2", "2/5", "5/21", "21/22", "22/92", "1", "2", "5", "21", "22", "92")


def test_the_number_of_days_of_every_rule_takes_its_plural(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(border_views, "CALCULATOR_REGIMES", RULES)
    ru = client.get("/ru/stay-calculator/").content.decode()
    for text in (
        "1/2: не более 1 дня в любом периоде из 2 дней",
        "2/5: не более 2 дней в любом периоде из 5 дней",
        "5/21: не более 5 дней в любом периоде из 21 дня",
        "21/22: не более 21 дня в любом периоде из 22 дней",
        "22/92: не более 22 дней в любом периоде из 92 дней",
        ">1 день за одно пребывание<",
        ">2 дня за одно пребывание<",
        ">5 дней за одно пребывание<",
        ">21 день за одно пребывание<",
        ">22 дня за одно пребывание<",
        ">92 дня за одно пребывание<",
    ):
        assert text in ru
    az = client.get("/stay-calculator/").content.decode()
    for text in (
        "1/2: istənilən 2 gün ərzində ən çoxu 1 gün",
        "5/21: istənilən 21 gün ərzində ən çoxu 5 gün",
        "22/92: istənilən 92 gün ərzində ən çoxu 22 gün",
        ">hər səfərdə 1 gün<",
        ">hər səfərdə 21 gün<",
        ">hər səfərdə 92 gün<",
    ):
        assert text in az
    en = client.get("/en/stay-calculator/").content.decode()
    assert "1/2: at most 1 day in any 2 days" in en
    assert "21/22: at most 21 days in any 22 days" in en
    assert ">1 day per stay<" in en
    assert ">92 days per stay<" in en


# 79 of the 90 days used in January–March: the stay from 1 April may last 11 days, ending
# before the 15 days after which a stay is registered
SHORT_STAY = {
    "on": "2026-04-01",
    "entry_0": "2026-01-01",
    "exit_0": "2026-03-20",
    "entry_1": "2026-04-01",
    "nationality": "TR",
}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "a stay of up to 15 days is not registered at the place of stay"),
        ("ru", "пребывание до 15 дней не регистрируется по месту пребывания"),
    ],
)
def test_it_says_no_registration_is_needed_when_the_legal_stay_ends_first(
    world: World, client: Client, lang: str, words: str
) -> None:
    html = calculate(client, lang, **SHORT_STAY)
    assert 'data-field="last_legal_day">11.04.2026<' in html
    assert 'id="registration-not-needed"' in html
    assert words in html
    longer = calculate(client, lang, on="2026-04-01", entry_0="2026-04-01", nationality="TR")
    assert 'id="registration-not-needed"' not in longer


def test_the_api_says_whether_the_stay_must_be_registered(world: World, client: Client) -> None:
    def needed(stays: list[dict[str, str]], on: str) -> bool | None:
        body = {"stays": stays, "on": on, "nationality": "TR"}
        response = client.post("/api/v1/stay/calculate", json.dumps(body), "application/json")
        assert response.status_code == 200, response.content
        return response.json()["registration_needed"]

    earlier = {"entry": "2026-01-01", "exit": "2026-03-20"}
    assert needed([earlier, {"entry": "2026-04-01"}], "2026-04-01") is False
    assert needed([{"entry": "2026-04-01"}], "2026-04-01") is True
    # already 16 days in the country, past the last legal day: the stay had to be registered
    assert needed([earlier, {"entry": "2026-04-01"}], "2026-04-16") is True


@pytest.mark.parametrize(
    ("lang", "exit_error"), [("en", "Row 1, exit: "), ("ru", "Строка 1, выезд: ")]
)
def test_a_field_in_error_is_read_with_its_error(
    world: World, client: Client, lang: str, exit_error: str
) -> None:
    html = calculate(
        client, lang, regime="9x", entry_0="2026-03-05", exit_0="2026-03-01", entry_1="abc"
    )
    for name in ("regime", "exit_0", "entry_1"):
        tag = html.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        assert f'aria-invalid="true" aria-describedby="error-{name}"' in tag, tag
        assert html.count(f'id="error-{name}"') == 1
    error = html.split('id="error-exit_0"', 1)[1].split(">", 1)[1].split("</li>", 1)[0]
    assert error.startswith(exit_error)
    # a field not in error is not marked
    assert 'aria-describedby="error-on"' not in html and 'id="error-on"' not in html
