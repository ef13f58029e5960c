"""The overstay list's filters read from its address: a kind or state that is none, or a
period that ends before it starts, is reported on the list and refused by the exports,
rather than listing everything or nothing as if it had been understood."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from umis.border.overstays import overstays_detect
from umis.border.tests.test_overstays import setup_people
from umis.core import clock
from umis.core.testing import World

pytestmark = pytest.mark.django_db


def _reported(client: Client, query: str, lang: str = "/en") -> str:
    """The list's report of a filter not understood; no list is shown, no export made."""
    response = client.get(f"{lang}/office/overstays/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-kind="' not in html  # no list that looks filtered but is not
    for export in ("csv", "xlsx"):
        refused = client.get(f"{lang}/office/overstays/export.{export}?{query}")
        assert refused.status_code == 400
        assert refused["Content-Type"] == "text/plain; charset=utf-8"
    return html.split('id="filter-errors"', 1)[1].split("</div>", 1)[0]


@pytest.fixture
def listed(world: World, client: Client) -> Client:
    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    client.force_login(world.hannah)
    assert client.get("/en/office/overstays/?state=").content.decode().count('data-kind="') == 4
    return client


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("/en", "State: “bogus” is not a state of a finding: choose the state from the list."),
        ("", "Vəziyyət: “bogus” aşkar edilmiş halın vəziyyəti deyil: vəziyyəti siyahıdan seçin."),
        (
            "/ru",
            "Состояние: «bogus» — не состояние выявленного случая: выберите состояние из списка.",
        ),
    ],
)
def test_an_unknown_state_is_reported_not_everything_listed(
    listed: Client, lang: str, line: str
) -> None:
    errors = _reported(listed, "state=bogus", lang)
    assert f"<li>{line}</li>" in errors


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("/en", "Kind: “bogus” is not a kind of finding: choose the kind from the list."),
        ("", "Növ: “bogus” aşkar edilmiş halın növü deyil: növü siyahıdan seçin."),
        ("/ru", "Вид: «bogus» — не вид выявленного случая: выберите вид из списка."),
    ],
)
def test_an_unknown_kind_is_reported_not_everything_listed(
    listed: Client, lang: str, line: str
) -> None:
    errors = _reported(listed, "kind=bogus&state=", lang)
    assert f"<li>{line}</li>" in errors
    export = listed.get(f"{lang}/office/overstays/export.csv?kind=bogus")
    assert line.split(": ", 1)[1] in export.content.decode()


def test_a_period_that_ends_before_it_starts_is_reported_not_an_empty_list(
    listed: Client,
) -> None:
    today = clock.today()
    query = f"from={today.isoformat()}&to={(today - dt.timedelta(days=1)).isoformat()}&state="
    errors = _reported(listed, query)
    assert "<li>The end of the period is before its start.</li>" in errors
    html = listed.get(f"/en/office/overstays/?{query}").content.decode()
    assert html.count('aria-invalid="true"') == 2  # both dates
    export = listed.get(f"/en/office/overstays/export.csv?{query}")
    assert export.content.decode() == "The end of the period is before its start."
    # the same day at both ends is a period
    same = f"from={today.isoformat()}&to={today.isoformat()}&state="
    assert listed.get(f"/en/office/overstays/?{same}").status_code == 200


def test_all_states_and_kinds_are_still_chosen_by_leaving_them_empty(listed: Client) -> None:
    response = listed.get("/en/office/overstays/?kind=&state=")
    assert response.status_code == 200
    assert response.content.decode().count('data-kind="') == 4
