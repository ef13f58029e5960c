"""A foreigner registers his own stay in a real browser: from the service's page, by
pasting his passport's zone, and downloads the certificate, whose barcode verifies; in
another browser he finds it again with the number and his document number."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from umis.core.testing import (
    World,
    audit_triggers_dropped_for_flush,
    audit_triggers_restore,
    passport_mrz,
    qr_text_from_pdf,
)
from umis.stays.models import StayRegistration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    audit_triggers_restore()
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="en-US")
    yield context.new_page()
    context.close()
    audit_triggers_dropped_for_flush()


def test_a_foreigner_registers_himself_and_downloads_the_certificate(
    page: Any, world: World, browser: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    page.goto("/en/services/stay_registration/")
    page.click("#public-start")
    line1, line2 = passport_mrz(
        surname="YILMAZ", given_names="AYSE", number="U0123456", nationality="TUR"
    )
    page.fill("#id_mrz", f"{line1}\n{line2}")
    page.click("#mrz-read")
    expect(page.locator("#id_surname")).to_have_value("Yilmaz")
    assert page.input_value("#id_document_number") == "U0123456"
    page.select_option("#id_region", "baku")
    page.fill("#id_city", "Bakı")
    page.fill("#id_street", "Füzuli küçəsi 3")
    page.fill("#id_planned_departure", (dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.fill("#id_provider_name", "Əliyev Kamran")
    page.fill("#id_email", "ayse@example.org")
    page.click("#submit-registration")
    page.wait_for_selector("#reference")
    reference = page.inner_text("#reference")
    assert reference.startswith("SR-")
    assert page.inner_text("#provider") == "Əliyev Kamran"
    reg = StayRegistration.objects.get(case__reference=reference)
    assert reg.filed_by == "foreigner" and reg.host_id is None

    with page.expect_download() as download:
        page.click("#certificate-link")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    code = qr_text_from_pdf(pdf).rsplit("/verify/", 1)[1]
    page.goto(f"/en/verify/{code}")
    assert page.get_attribute("#verdict", "data-status") == "genuine"
    assert page.inner_text("#doc-number") == reference

    # another browser: the number alone shows nothing; with the document number, the page
    other = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    other.goto(f"/en/stay/status/{reference}/")
    assert other.input_value("#id_reference") == reference
    other.fill("#id_document_number", "U0123456")
    other.click("#status-form button[type=submit]")
    other.wait_for_selector("#reference")
    assert other.inner_text("#reference") == reference
    other.context.close()


def test_a_foreigner_who_left_ends_his_own_registration(page: Any, world: World) -> None:
    from umis.core import clock
    from umis.stays.tests.test_own_filing import file_own

    reg = file_own().registration
    assert reg is not None
    reference = reg.case.reference
    page.goto("/en/stay/status/")
    page.fill("#id_reference", reference)
    page.fill("#id_document_number", "U12345678")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("#end-form")
    # a day after the planned departure: refused beside the field, nothing ends
    page.fill("#id_left_on", (reg.planned_departure + dt.timedelta(days=1)).isoformat())
    page.click("#end-form button[type=submit]")
    page.wait_for_selector("#error_left_on")
    assert "not after the planned departure" in page.inner_text("#error_left_on")
    assert page.get_attribute("#id_left_on", "aria-invalid") == "true"
    assert StayRegistration.objects.get(pk=reg.pk).active
    today = clock.today()
    page.fill("#id_left_on", today.isoformat())
    page.click("#end-form button[type=submit]")
    page.wait_for_selector("#ending")
    assert "?" not in page.url  # nothing of his in the address
    assert page.inner_text("#ending") == f"Ended on {today:%d.%m.%Y}: you left this address."
    assert page.get_attribute("#state", "data-state") == "ended"
    assert page.locator("#end-form").count() == 0
    reg.refresh_from_db()
    assert (reg.active, reg.ended_on) == (False, today)
