"""End to end in a real browser (Debian's Chromium driven by Playwright) against a live server."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from umis.core.testing import (
    World,
    audit_triggers_dropped_for_flush,
    audit_triggers_restore,
    passport_mrz,
    qr_text_from_pdf,
    sign_in,
)
from umis.people import mrz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop in this thread


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    audit_triggers_restore()
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="en-US")
    yield context.new_page()
    context.close()
    audit_triggers_dropped_for_flush()


def test_the_catalogue_in_three_languages(page: Any, world: World) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "az"
    az_title = page.locator("h1").inner_text()
    assert "Miqrasiya" in az_title
    assert page.locator("li.service").count() >= 13
    page.click("button[data-lang=en]")
    page.wait_for_url("**/en/")
    assert page.locator("h1").inner_text() == "E-services of the State Migration Service"
    from umis.cases import registry

    coming = [s for s in registry.all_services() if not s.available]
    assert page.locator("li.service.coming").count() == len(coming) > 0
    assert page.locator("li.service").count() == len(registry.all_services())
    page.click("button[data-lang=ru]")
    page.wait_for_url("**/ru/")
    assert "миграционной" in page.locator("h1").inner_text().lower()


def test_a_pasted_visa_zone_fills_nothing_and_says_why(page: Any, world: World) -> None:
    sign_in(page, "harry")
    page.goto("/ru/host/register/")
    line1, line2 = mrz.compose_mrv_a(
        issuing_state="AZE",
        surname="YILMAZ",
        given_names="AYSE",
        document_number="VA0012345",
        nationality="TUR",
        birth_date=dt.date(1985, 3, 14),
        sex="F",
        expiry_date=dt.date.today() + dt.timedelta(days=60),
    )
    page.fill("#id_mrz", f"{line1}\n{line2}")
    page.click("#mrz-read")
    expect(page.locator("#mrz-status")).to_have_text(
        "Это машиносчитываемая зона визы, а не проездного документа: вставьте строки "
        "паспорта или удостоверения личности."
    )
    assert page.get_attribute("#mrz-status", "class") == "hint mrz-bad"
    assert page.input_value("#id_surname") == ""
    assert page.input_value("#id_document_number") == ""
    assert page.input_value("#id_nationality") == ""
    # part of a zone is not read, and the page says what it needs
    page.fill("#id_mrz", line1[:30])
    page.click("#mrz-read")
    expect(page.locator("#mrz-status")).to_have_text(
        "Вставьте все строки зоны: 2 строки по 44 или 36 символов либо 3 строки по 30."
    )
    # a passport's zone from a scanner that sends no line break is read as its two lines
    line1, line2 = passport_mrz(
        surname="YILMAZ", given_names="AYSE", number="U0123456", nationality="TUR"
    )
    page.fill("#id_mrz", line1 + line2)
    page.click("#mrz-read")
    expect(page.locator("#id_document_number")).to_have_value("U0123456")
    assert page.get_attribute("#mrz-status", "class") == "hint mrz-ok"


def test_register_by_mrz_verify_then_annul(page: Any, world: World, live_server: Any) -> None:
    # A hotel registers a guest by pasting the passport's MRZ.
    sign_in(page, "harry")
    page.goto("/en/host/register/")
    line1, line2 = passport_mrz(
        surname="YILMAZ", given_names="AYSE", number="U0123456", nationality="TUR"
    )
    page.fill("#id_mrz", f"{line1}\n{line2}")
    page.click("#mrz-read")
    expect(page.locator("#id_surname")).not_to_have_value("")
    assert page.input_value("#id_surname") == "Yilmaz"
    assert page.input_value("#id_document_number") == "U0123456"
    assert page.input_value("#id_nationality") == "TUR"
    page.select_option("#id_region", "baku")
    page.fill("#id_planned_departure", (dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.click("#submit-registration")
    page.wait_for_selector("#reference")
    reference = page.inner_text("#reference")
    assert reference.startswith("SR-")

    # The certificate downloads and its barcode verifies as genuine.
    with page.expect_download() as download:
        page.click("#certificate-link")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    url = qr_text_from_pdf(pdf)
    assert "/verify/" in url
    code = url.rsplit("/verify/", 1)[1]
    page.goto(f"/en/verify/{code}")
    assert page.get_attribute("#verdict", "data-status") == "genuine"
    assert page.inner_text("#doc-number") == reference

    # An officer of the Baku region finds it in the queue and annuls it.
    page.context.clear_cookies()
    sign_in(page, "alice")
    page.goto("/en/office/queue/")
    page.click(f"text={reference}")
    page.click("#take-button")  # takes the case: the page comes back with it as hers
    page.wait_for_selector("#release-button")
    assert page.inner_text("#assignee-now") == "You have this case."
    page.select_option("#id_legal_ground", "mc-21-not-residing")
    page.fill("#id_note", "The guest does not live at the address.")
    page.check("#id_confirm")
    page.click("#annul-button")
    page.wait_for_selector("#state")
    assert page.get_attribute("#state", "data-state") == "annulled"
    page.goto(f"/en/verify/{code}")
    assert page.get_attribute("#verdict", "data-status") == "annulled"

    # An officer of another region is refused.
    page.context.clear_cookies()
    sign_in(page, "bob")
    response = page.goto(f"/en/office/cases/{reference}/")
    assert response.status == 404
    assert "Not found" in page.inner_text("h1")


def test_a_pasted_german_passport_fills_the_states_by_icao_or_alpha_3_code(
    page: Any, world: World
) -> None:
    # Germany is `D` in a zone (ICAO Doc 9303) and in the form's lists, `DEU` in ISO 3166;
    # the server reads both, and so does the form
    sign_in(page, "harry")
    page.goto("/en/host/register/")
    page.fill(
        "#id_mrz",
        "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\n"
        "C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4",
    )
    page.click("#mrz-read")
    expect(page.locator("#id_document_number")).to_have_value("C01X00T47")
    assert page.get_attribute("#mrz-status", "class") == "hint mrz-ok"
    assert page.input_value("#id_surname") == "Mustermann"
    assert (page.input_value("#id_issuing_state"), page.input_value("#id_nationality")) == (
        "D",
        "D",
    )
    # a zone that writes the alpha-3 code instead, which the server reads as Germany too
    page.goto("/en/host/register/")
    line1, line2 = passport_mrz(surname="MUSTERMANN", number="C01X00T47", nationality="DEU")
    page.fill("#id_mrz", f"{line1}\n{line2}")
    page.click("#mrz-read")
    expect(page.locator("#id_document_number")).to_have_value("C01X00T47")
    assert (page.input_value("#id_issuing_state"), page.input_value("#id_nationality")) == (
        "D",
        "D",
    )


def test_a_pasted_convention_travel_document_is_registered_as_one(page: Any, world: World) -> None:
    # Germany's travel document for a stateless person (1954 Convention): code P, XXA
    from umis.people.models import TravelDocument

    sign_in(page, "harry")
    page.goto("/en/host/register/")
    lines = mrz.compose_td3(
        issuing_state="D",
        surname="NASSER",
        given_names="OMAR",
        document_number="T22000129",
        nationality="XXA",
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date.today() + dt.timedelta(days=700),
    )
    page.fill("#id_mrz", "\n".join(lines))
    page.click("#mrz-read")
    expect(page.locator("#id_document_number")).to_have_value("T22000129")
    assert (
        page.input_value("#id_document_type"),
        page.input_value("#id_nationality"),
        page.input_value("#id_issuing_state"),
    ) == ("travel_document", "XXA", "D")
    page.select_option("#id_region", "baku")
    page.fill("#id_planned_departure", (dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.click("#submit-registration")
    page.wait_for_selector("#reference")
    document = TravelDocument.objects.get()
    assert (document.document_type, document.issuing_state_id) == ("travel_document", "DE")
