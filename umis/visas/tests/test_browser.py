"""The e-visa end to end in a real browser: apply, pay on the simulator's page, receive the
e-visa, decode its barcode and verify the seal; an officer refuses a flagged application and
the applicant sees the refusal."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from umis.core.outbox import outbox_drain
from umis.core.testing import (
    World,
    audit_triggers_dropped_for_flush,
    audit_triggers_restore,
    qr_text_from_pdf,
    sign_in,
)
from umis.payments.models import PaymentOrder
from umis.payments.testing import simulator_running
from umis.visas.models import VisaApplication
from umis.visas.photo import photo_clean
from umis.visas.reference import visa_reference_load_defaults
from umis.visas.testing import photo_png, watchlist_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop in this thread


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any, tmp_path: Path) -> Iterator[Any]:
    audit_triggers_restore()
    visa_reference_load_defaults()
    with simulator_running(
        secret=settings.UMIS_PAYMENT_SECRET, statement_dir=tmp_path / "statements"
    ) as sim:
        settings.UMIS_PAYMENT_GATEWAY_URL = sim.url
        settings.UMIS_PAYMENT_CALLBACK_BASE = live_server.url
        settings.UMIS_PUBLIC_URL = live_server.url
        # Notify before redirecting the browser: the test database (in-memory SQLite) takes
        # one writer at a time, and the other order is covered by the simulator tests.
        sim.faults(callback_first=True)
        context = browser.new_context(base_url=live_server.url, locale="en-US")
        yield context.new_page()
        context.close()
    audit_triggers_dropped_for_flush()


def _apply_and_pay(page: Any, tmp_path: Path, *, number: str, given: str) -> str:
    photo = tmp_path / f"{number}.png"
    photo.write_bytes(photo_png())
    today = dt.date.today()
    page.goto("/en/evisa/apply/")
    page.fill("#id_surname", "Müller")
    page.fill("#id_given_names", given)
    page.fill("#id_birth_date", "1980-05-17")
    page.select_option("#id_sex", label="Female")
    page.select_option("#id_nationality", label="Germany")
    page.select_option("#id_issuing_state", label="Germany")
    page.fill("#id_document_number", number)
    page.fill("#id_document_expiry", (today + dt.timedelta(days=1500)).isoformat())
    page.set_input_files("#id_photo", str(photo))
    page.select_option("#id_purpose", "tourism")
    page.fill("#id_entry_date", (today + dt.timedelta(days=7)).isoformat())
    page.fill("#id_stay_days", "10")
    page.fill("#id_city", "Bakı")
    page.fill("#id_street", "Nizami küçəsi 10")
    page.fill("#id_email", "anna@example.org")
    page.select_option("#id_region", "baku")
    page.select_option("#id_speed", "urgent")
    page.click("#submit-application")
    page.wait_for_selector("#pay-link")
    page.click("#pay-link")
    # The simulator's hosted payment page.
    page.wait_for_selector("#pay-button")
    assert "USD" in page.inner_text("#amount")
    page.click("#pay-button")
    page.wait_for_selector("#reference")
    reference: str = page.inner_text("#reference")
    order = VisaApplication.objects.get(group_reference=reference).payment_order
    deadline = time.monotonic() + 15
    while PaymentOrder.objects.get(pk=order.pk).status != "paid":
        assert time.monotonic() < deadline, "the simulator's notification never arrived"
        time.sleep(0.05)
    outbox_drain()  # what the worker does within a second of the payment
    page.reload()
    return reference


def test_apply_pay_receive_verify_and_a_refusal(page: Any, world: World, tmp_path: Path) -> None:
    # A clean application is issued right after the payment.
    reference = _apply_and_pay(page, tmp_path, number="C01X00T47", given="Anna")
    assert page.get_attribute("#payment-status", "data-status") == "paid"
    assert page.get_attribute("td.state", "data-state") == "issued"
    href = page.get_attribute("a.evisa-link", "href")
    pdf = page.request.get(href).body()
    assert pdf.startswith(b"%PDF")
    url = qr_text_from_pdf(pdf)
    payload = tmp_path / "scanned.txt"
    payload.write_text(url)
    out = io.StringIO()
    call_command("visa", "verify-seal", str(payload), stdout=out)
    assert "signature:          VALID" in out.getvalue()
    code = url.rsplit("/verify/", 1)[1]
    page.goto(f"/en/verify/{code}")
    assert page.get_attribute("#verdict", "data-status") == "genuine"
    visa_number = VisaApplication.objects.get(group_reference=reference).visa_number
    assert page.inner_text("#doc-number") == visa_number

    # A flagged application waits for an officer, who refuses it.
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T55")
    page.context.clear_cookies()
    flagged = _apply_and_pay(page, tmp_path, number="C01X00T55", given="Berta")
    assert page.get_attribute("td.state", "data-state") == "referred"
    page.context.clear_cookies()
    sign_in(page, "alice")
    page.goto("/en/office/evisa/")
    page.click(f"text={flagged}")
    assert "entry_ban" in page.inner_html("#reasons")
    page.select_option("#id_legal_ground", "mc-visa-entry-ban")
    page.fill("#id_note", "On the entry-ban list.")
    page.click("#refuse-button")
    page.wait_for_selector("#state")
    assert page.get_attribute("#state", "data-state") == "refused"

    # The applicant looks the application up and sees the refusal with its notice.
    page.context.clear_cookies()
    page.goto("/en/evisa/status/")
    page.fill("#id_reference", flagged)
    page.fill("#id_passport_number", "C01X00T55")
    page.click("#status-form button")
    page.wait_for_selector("#travellers")
    assert page.get_attribute("td.state", "data-state") == "refused"
    notice = page.request.get(page.get_attribute("a.refusal-link", "href")).body()
    assert notice.startswith(b"%PDF")


def test_changing_the_number_of_travellers_keeps_what_was_typed(page: Any, world: World) -> None:
    page.goto("/en/evisa/apply/")
    page.fill("#id_surname", "Müller")
    page.fill("#id_email", "anna@example.org")
    page.select_option("#id_group_size", "3")
    page.click("#group-size-change")
    page.wait_for_selector("#id_t3-surname")
    assert page.input_value("#id_surname") == "Müller"
    assert page.input_value("#id_email") == "anna@example.org"
    assert page.locator("fieldset.traveller").count() == 3
    assert not page.locator("#form-errors").count()
    # Enter in a field sends the application (here refused: most fields are empty), it does
    # not press "Change"
    page.fill("#id_t2-surname", "Schmidt")
    page.press("#id_t2-surname", "Enter")
    page.wait_for_selector("#form-errors")
    assert page.input_value("#id_t2-surname") == "Schmidt"
    assert not VisaApplication.objects.exists()


def test_a_photo_chosen_before_an_error_is_sent_with_the_corrected_form(
    page: Any, world: World, tmp_path: Path
) -> None:
    photo = tmp_path / "passport-photo.png"
    photo.write_bytes(photo_png())
    today = dt.date.today()
    page.goto("/en/evisa/apply/")
    page.fill("#id_surname", "Müller")
    page.fill("#id_given_names", "Clara")
    page.fill("#id_birth_date", "1980-05-17")
    page.select_option("#id_sex", label="Female")
    page.select_option("#id_nationality", label="Germany")
    page.select_option("#id_issuing_state", label="Germany")
    page.fill("#id_document_number", "C01X00T63")
    page.fill("#id_document_expiry", (today + dt.timedelta(days=1500)).isoformat())
    page.set_input_files("#id_photo", str(photo))
    page.select_option("#id_purpose", "tourism")
    page.fill("#id_entry_date", (today + dt.timedelta(days=200)).isoformat())  # too far
    page.fill("#id_stay_days", "10")
    page.fill("#id_city", "Bakı")
    page.fill("#id_street", "Nizami küçəsi 10")
    page.fill("#id_email", "clara@example.org")
    page.select_option("#id_region", "baku")
    page.select_option("#id_speed", "urgent")
    page.click("#submit-application")
    page.wait_for_selector("#form-errors")
    assert page.inner_text("#kept_photo") == (
        "Photo kept: passport-photo.png. Choose another file only to replace it."
    )

    # only the date is corrected: the photo is not chosen again
    page.fill("#id_entry_date", (today + dt.timedelta(days=7)).isoformat())
    page.click("#submit-application")
    page.wait_for_selector("#pay-link")
    app = VisaApplication.objects.get(travel_document__number="C01X00T63")
    assert bytes(app.photo) == photo_clean(photo_png())
