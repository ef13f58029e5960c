"""The bank's page an applicant is sent to for the e-visa fee speaks the applicant's language."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from umis.payments.services import FeeLine, fees_load_defaults, payment_order_create
from umis.payments.testing import RunningSimulator, simulator_running
from umis.visas.catalogue import SERVICE_CODE
from umis.visas.services import visa_payment_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim(settings: Any, tmp_path: Path) -> Iterator[RunningSimulator]:
    with simulator_running(
        secret=settings.UMIS_PAYMENT_SECRET, statement_dir=tmp_path / "statements"
    ) as running:
        settings.UMIS_PAYMENT_GATEWAY_URL = running.url
        yield running


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("az", ("Kart nömrəsi", "E-viza EV-2026-000001")),
        ("en", ("Card number", "E-visa EV-2026-000001")),
        ("ru", ("Номер карты", "Э-виза EV-2026-000001")),
    ],
)
def test_the_bank_s_page_speaks_the_language_the_applicant_applied_in(
    sim: RunningSimulator, lang: str, texts: tuple[str, ...]
) -> None:
    fees_load_defaults()
    order = payment_order_create(
        actor=None,
        purpose=SERVICE_CODE,
        subject="EV-2026-000001",
        lines=[FeeLine("evisa.standard", 1), FeeLine("evisa.service", 1)],
    )
    with translation.override(lang):
        checkout = visa_payment_url(order=order, group_reference="EV-2026-000001")
    assert checkout is not None
    # the browser's own language does not override the one chosen on the portal
    request = urllib.request.Request(checkout, headers={"Accept-Language": "de, en"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        page = response.read().decode()
    assert f'<html lang="{lang}">' in page
    for text in texts:
        assert text in page, text
