"""Tables at a desktop width (1280 px) in a real browser: a cell breaks between words, never
inside a word or a date, and a long unbroken name still does not widen the page."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from umis.accounts.models import Role
from umis.cases.services import case_assign
from umis.core import clock
from umis.core.testing import CELLS, PAGE_WIDTH, TABLE_WIDTH, World, make_user, sign_in
from umis.portal.tests.scene import overstay_findings, screening_hits
from umis.stays.testing import register
from umis.stays.tests.test_own_filing import file_own

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Each cell of the main table: its text, its words and the lines its text takes (the
# distinct tops of its text, less than 8 px apart counted as one line: a badge's smaller
# text beside a date sits a few pixels lower on the same line).


def guests(world: World) -> None:
    """A full guest list: names and a nationality long enough that the columns must share."""
    today = clock.today()
    for i, (nationality, state) in enumerate([("RU", "RUS"), ("GB", "GBR"), ("TR", "TUR")]):
        register(
            world,
            surname="Abdullayeva-Məmmədova",
            given_names=f"Gülnarə Səbinə Nərmin Aytəkin Xədicə {'ABC'[i]}",
            nationality=nationality,
            issuing_state=state,
            document_number=f"N{i}000000",
            arrival_date=(today - dt.timedelta(days=i + 1)).isoformat(),
        )


@pytest.mark.parametrize("lang", ["", "/ru"])
def test_the_guest_list_breaks_no_word_or_date(page: Any, world: World, lang: str) -> None:
    guests(world)
    sign_in(page, "harry")
    page.goto(f"{lang}/host/")
    current = "main table:not(#recently-ended)"
    cells = page.evaluate(CELLS, f"{current} th, {current} td")
    assert len(cells) == 6 + 3 * 6
    dates = [c for c in cells if len(c["text"]) == 10 and c["text"][2] == "."]
    assert len(dates) == 6
    assert [c for c in dates if c["lines"] != 1] == []
    # a cell takes at most a line per word: no word is cut in two, in either table
    cells = page.evaluate(CELLS, "main table th, main table td")
    assert [c for c in cells if c["lines"] > c["words"]] == []
    width, visible = page.evaluate(PAGE_WIDTH)
    assert width <= visible


def test_a_long_unbroken_name_does_not_widen_the_page(page: Any, world: World) -> None:
    case = register(world, surname="Q" * 100, given_names="W" * 100)
    sign_in(page, "harry")
    for path in ["/host/", f"/host/registrations/{case.reference}/"]:
        page.goto(path)
        width, visible = page.evaluate(PAGE_WIDTH)
        assert width <= visible, path


# The page's width and its visible width, then a table's (by selector) and its box's.

# Whether a table would still fit its box were the box narrower by some pixels: a table
# that fits by a pixel or two overflows with a longer name or office than the test's.
FITS_WITH_ROOM = """([selector, less]) => {
  const box = document.querySelector(selector).closest(".table-scroll");
  box.style.width = (box.clientWidth - less) + "px";
  const fits = box.scrollWidth <= box.clientWidth;
  box.style.width = "";
  return fits;
}"""
ROOM = 24


# every width from a tablet to a desktop: between the widths where a column gives way too
@pytest.mark.parametrize("width", [1280, 1024, 920, 800])
@pytest.mark.parametrize("lang", ["/en", "/ru"])
def test_the_officer_queue_fits_a_laptop_or_tablet_without_scrolling_sideways(
    page: Any, world: World, width: int, lang: str
) -> None:
    # as in the demo data: cases assigned to an officer, named with the account's username
    officer = make_user("officer.baku", Role.REGIONAL_OFFICER, "baku")
    officer.first_name, officer.last_name = "Nigar", "Məmmədova"
    officer.save()
    # and, as there, cases past their due time: the due column says so ("просрочено")
    with clock.frozen_at(clock.now() - dt.timedelta(days=30)):
        for i in range(3):
            case = register(
                world,
                surname="Abdullayeva-Məmmədova",
                given_names=f"Gülnarə Səbinə Nərmin {'ABC'[i]}",
                document_number=f"N{i}000000",
            )
            case_assign(
                actor=world.alice, case=case, assignee=officer, expected_version=case.version
            )
    # and a registration the foreigner filed himself, badged so in the list
    own = file_own(document_number="F1000000").registration
    assert own is not None
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "hannah")  # the head office: every office's cases, the office column too
    page.goto(f"{lang}/office/queue/")
    assert page.locator("#queue tbody tr").count() == 4
    assert page.locator("#queue tbody tr.overdue").count() == 3
    document, visible, table, box = page.evaluate(TABLE_WIDTH, "#queue")
    assert document <= visible  # the page does not scroll sideways
    assert table <= box  # nor does the table in its box
    assert page.evaluate(FITS_WITH_ROOM, ["#queue", ROOM])  # and not by a pixel or two
    # what an officer works from is still there: the reference, the applicant, the due time
    cells = page.evaluate(CELLS, "#queue tbody tr:first-child td")
    shown = [c["text"] for c in cells if c["lines"] > 0]
    assert any(t.startswith("SR-") for t in shown)
    assert any("Abdullayeva" in t for t in shown)
    # no word or date is cut in two
    assert [c for c in cells if c["lines"] > c["words"]] == []


@pytest.mark.parametrize("width", [1024, 920, 800])
@pytest.mark.parametrize("lang", ["/en", "/ru"])
def test_the_overstay_list_fits_a_laptop_or_tablet_without_scrolling_sideways(
    page: Any, world: World, width: int, lang: str
) -> None:
    overstay_findings(world)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "hannah")  # the head office: every office's findings, the office column too
    page.goto(f"{lang}/office/overstays/?state=")
    assert page.locator("#findings tbody tr").count() == 4
    document, visible, table, box = page.evaluate(TABLE_WIDTH, "#findings")
    assert document <= visible
    assert table <= box
    assert page.evaluate(FITS_WITH_ROOM, ["#findings", ROOM])
    # the proposal and the state are still on the screen, and each row says which day it is
    cells = page.evaluate(CELLS, "#findings tbody tr:first-child td")
    shown = [c["text"] for c in cells if c["lines"] > 0]
    assert any("Abdullayeva" in t for t in shown)
    # no word or date is cut in two (a double surname may break at its hyphen)
    assert [c for c in cells if c["lines"] > c["words"] + c["text"].count("-")] == []
    headers = page.locator("#findings thead th")
    proposal, office, state = {
        "/en": ("Proposal", "Office", "State"),
        "/ru": ("Предложение", "Подразделение", "Состояние"),
    }[lang]
    for header in (proposal, office, state):
        assert headers.filter(has_text=header).is_visible()
    # one column for the day due, saying which day it is
    last_legal_day, registration_due = {
        "/en": ("Last legal day", "Registration due"),
        "/ru": ("Последний законный день", "Срок регистрации"),
    }[lang]
    due = page.locator('#findings td[data-due="last_legal_day"]').all_inner_texts()
    assert len(due) == 2 and all(t.endswith(last_legal_day) for t in due), due
    due = page.locator('#findings td[data-due="registration_due"]').all_inner_texts()
    assert len(due) == 2 and all(t.endswith(registration_due) for t in due), due


# every width from a tablet to a desktop, on either side of 900 px, where the list gives way
@pytest.mark.parametrize("width", [1280, 1024, 960, 920, 800])
@pytest.mark.parametrize("lang", ["", "/en", "/ru"])
def test_the_screening_hits_fit_a_laptop_or_tablet_without_scrolling_sideways(
    page: Any, world: World, width: int, lang: str
) -> None:
    hits = screening_hits(world)  # as the demo raises them: the stolen passport's list too
    assert {hit.entry.watchlist.code for hit in hits} == {"entry-bans", "wanted", "documents"}
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "hannah")
    page.goto(f"{lang}/office/screening/hits/")
    assert page.locator("#hits tbody tr").count() == len(hits) == 4
    document, visible, table, box = page.evaluate(TABLE_WIDTH, "#hits")
    assert document <= visible
    assert table <= box
    assert page.evaluate(FITS_WITH_ROOM, ["#hits", ROOM])
    cells = page.evaluate(CELLS, "#hits tbody td")
    # no word or date is cut in two (a double surname may break at its hyphen)
    assert [c for c in cells if c["lines"] > c["words"] + c["text"].count("-")] == []
    # what an officer works from is on the screen: who, the case, the listed name or
    # passport, the score, the status, the day the hit was raised, and above 900 px the list
    shown = "\n".join(c["text"] for c in cells if c["lines"] > 0)
    for text in ["Abdullayeva-Məmmədova", "SR-", "ВИКТОРИН ФИЛИППОВ", "YA1234567", "100"]:
        assert text in shown, text
    assert page.locator("#hits tbody tr:first-child time").is_visible()
    documents = {"": "etibarsız", "/en": "invalid", "/ru": "недействительные"}[lang]
    assert (documents in shown) == (width > 900)


@pytest.mark.parametrize("width", [1024, 800])
@pytest.mark.parametrize("lang", ["", "/en", "/ru"])
def test_the_guest_list_fits_a_laptop_or_tablet_without_scrolling_sideways(
    page: Any, world: World, width: int, lang: str
) -> None:
    guests(world)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "harry")
    page.goto(f"{lang}/host/")
    assert page.locator("#guests tbody tr").count() == 3
    document, visible, table, box = page.evaluate(TABLE_WIDTH, "#guests")
    assert document <= visible
    assert table <= box  # the state, at the end of the row, is not cut off
    cells = page.evaluate(CELLS, "#guests tbody tr:first-child td")
    shown = [c["text"] for c in cells if c["lines"] > 0]
    assert any(t.startswith("SR-") for t in shown)
    assert any("Abdullayeva" in t for t in shown)
    # no word or date is cut in two (a double surname may break at its hyphen)
    assert [c for c in cells if c["lines"] > c["words"] + c["text"].count("-")] == []
    arrival, departure, state = {
        "": ("Gəliş", "Planlaşdırılan gediş", "Vəziyyət"),
        "/en": ("Arrival", "Planned departure", "State"),
        "/ru": ("Прибытие", "Планируемый выезд", "Состояние"),
    }[lang]
    headers = page.locator("#guests thead th")
    for header in (arrival, departure, state):
        assert headers.filter(has_text=header).is_visible()
