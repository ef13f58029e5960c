"""The officers' e-visa pages on a laptop or a tablet (1024 and 800 px) in a real browser: the
queue and an application's page do not scroll sideways, and no word or date is cut in two."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from umis.core.outbox import outbox_drain
from umis.core.testing import CELLS, PAGE_WIDTH, TABLE_WIDTH, World, sign_in
from umis.visas import workflow
from umis.visas.models import VisaApplication
from umis.visas.testing import application, pay_callback, traveller, watchlist_entry
from umis.visas.tests.conftest import Agency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _referred_group(agency: Agency) -> list[VisaApplication]:
    """Three travellers with long names, each on an entry-ban list: referred to an officer,
    with the reasons shown in the queue."""
    travellers = []
    for i in range(3):
        person = {
            "surname": "Abdullayeva-Məmmədova",
            "given_names": f"Gülnarə Səbinə Nərmin {'ABC'[i]}",
            "birth_date": "1980-05-17",
            "document_number": f"C01X00T4{i}",
        }
        watchlist_entry(
            full_name=f"{person['given_names']} {person['surname']}",
            birth_date=person["birth_date"],
            document_number=person["document_number"],
        )
        travellers.append(traveller(**person))
    client = Client()
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(*travellers),
        content_type="application/json",
        headers={"X-API-Key": agency.key},
    )
    assert response.status_code == 201, response.content
    apps = list(
        VisaApplication.objects.filter(group_reference=response.json()["reference"])
        .select_related("case", "payment_order")
        .order_by("case_id")
    )
    assert pay_callback(client, apps[0].payment_order).status_code == 200
    outbox_drain()
    for app in apps:
        app.case.refresh_from_db()
        assert app.case.state == workflow.REFERRED
    return apps


@pytest.mark.parametrize("width", [1024, 800])
@pytest.mark.parametrize("lang", ["/en", "/ru"])
def test_the_evisa_office_pages_fit_a_laptop_or_tablet_without_scrolling_sideways(
    page: Any, world: World, agency: Agency, width: int, lang: str
) -> None:
    apps = _referred_group(agency)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "alice")
    page.goto(f"{lang}/office/evisa/")
    assert page.locator("#evisa-queue tbody tr").count() == 3
    document, visible, table, box = page.evaluate(TABLE_WIDTH, "#evisa-queue")
    assert document <= visible  # the page does not scroll sideways
    assert table <= box  # nor does the table in its box
    # what an officer works from is still there: the reference, the applicant, the due time
    cells = page.evaluate(CELLS, "#evisa-queue tbody tr:first-child td")
    shown = [c["text"] for c in cells if c["lines"] > 0]
    assert any(t.startswith("EV-") for t in shown)
    assert any("Abdullayeva" in t for t in shown)
    assert any(t[:2].isdigit() and t[2] == "." for t in shown)  # the due date
    # no word or date is cut in two
    assert [c for c in cells if c["lines"] > c["words"]] == []

    page.goto(f"{lang}/office/evisa/{apps[0].case.reference}/")
    width_now, visible = page.evaluate(PAGE_WIDTH)
    assert width_now <= visible  # the application's page does not scroll sideways
    for table in page.locator("main .table-scroll").all():
        scroll, client_width = table.evaluate("(box) => [box.scrollWidth, box.clientWidth]")
        assert scroll <= client_width
