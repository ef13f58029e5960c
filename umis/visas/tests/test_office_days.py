"""The officer's page of an e-visa application and an e-visa named as a legal basis write
the days of stay in full with the number's plural (1 день, 3 дня, 10 дней; 1 day, 10 days)
instead of the abbreviation «10 дн.»."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from umis.visas.models import VisaApplication
from umis.visas.selectors import evisa_label
from umis.visas.tests.conftest import Agency
from umis.visas.tests.test_evisa import DAYS, _apply_and_pay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("lang", "days", "duration"), DAYS)
def test_the_officer_s_page_writes_the_days_of_stay_in_full(
    client: Client, agency: Agency, lang: str, days: int, duration: str
) -> None:
    [app] = _apply_and_pay(client, agency)
    VisaApplication.objects.filter(pk=app.pk).update(stay_days=days)
    client.force_login(agency.world.alice)
    prefix = "" if lang == "az" else f"/{lang}"
    page = client.get(f"{prefix}/office/evisa/{app.case.reference}/").content.decode()
    assert f"{app.entry_date:%d.%m.%Y}, {duration}</dd>" in page
    assert "дн." not in page


@pytest.mark.parametrize(("lang", "days", "duration"), DAYS)
def test_an_e_visa_as_a_legal_basis_writes_its_days_in_full(
    lang: str, days: int, duration: str
) -> None:
    with translation.override(lang):
        label = evisa_label(f"E26000123:{days}")
    assert label.endswith(f", {duration}")
    assert "E26000123" in label
