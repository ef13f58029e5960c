"""The portal's catalogue: tracking an application is offered, and leads to the lookup."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_application_tracking_is_available_and_starts_at_the_status_lookup(
    client: Client,
) -> None:
    home = client.get("/en/").content.decode()
    card = home[home.index('data-service="application_tracking"') :]
    card = card[: card.index("</li>")]
    assert "coming" not in card
    page = client.get("/en/services/application_tracking/").content.decode()
    assert '<a class="button" href="/en/evisa/status/">Start</a>' in page
    assert "coming to the portal soon" not in page
