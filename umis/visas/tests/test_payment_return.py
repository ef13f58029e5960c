"""Back from the payment gateway, the payer reads the language they were reading in."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.visas.models import VisaApplication
from umis.visas.tests.conftest import Agency
from umis.visas.tests.test_portal import _form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("switched_to", "status_page"), [("ru", "/ru/evisa/"), ("az", "/evisa/")])
def test_a_language_chosen_after_applying_is_kept_on_the_way_back(
    client: Client, agency: Agency, switched_to: str, status_page: str
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    client.post(
        "/language/",
        {"language": switched_to, "next": f"/en/evisa/status/{app.group_reference}"},
    )
    back = client.get(f"/payments/return/{app.payment_order.number}")
    assert back.status_code == 302
    assert back["Location"] == f"{status_page}status/{app.group_reference}?paid=1"
