"""Each role lands on a page it may use: signing in never ends on a 404, and a service's
start button is offered only to accounts that can file the service."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.accounts.models import Role
from umis.core.testing import World, make_user

pytestmark = pytest.mark.django_db


def test_an_analyst_signing_in_reaches_the_statistics(world: World, client: Client) -> None:
    client.force_login(make_user("ana", Role.ANALYST, "head"))
    response = client.get("/en/office/", follow=True)
    assert response.redirect_chain[-1] == ("/en/office/reports/", 302)
    assert response.status_code == 200
    assert "<h1>Statistics</h1>" in response.content.decode()


def test_an_account_without_back_office_pages_reaches_the_portal_with_a_word_why(
    world: World, client: Client
) -> None:
    client.force_login(world.oscar)  # an applicant
    response = client.get("/en/office/", follow=True)
    assert response.redirect_chain[-1] == ("/en/", 302)
    assert "There are no back-office pages for your role yet." in response.content.decode()
    assert client.get("/ru/office/", follow=True).redirect_chain[-1] == ("/ru/", 302)


def test_officers_hosts_and_the_administrator_keep_their_homes(
    world: World, client: Client
) -> None:
    for user, home in ((world.alice, "/en/office/queue/"), (world.harry, "/en/host/")):
        client.force_login(user)
        assert client.get("/en/office/")["Location"] == home
    client.force_login(world.admin)
    assert client.get("/en/office/")["Location"] == "/en/admin/"


def test_the_start_button_is_for_accounts_that_can_file_the_service(
    world: World, client: Client
) -> None:
    url = "/en/services/stay_registration/"
    start = 'href="/en/host/register/"'
    assert start in client.get(url).content.decode()  # a visitor: sign in first
    client.force_login(world.harry)
    assert start in client.get(url).content.decode()
    for staff in (world.alice, world.hannah, world.admin):
        client.force_login(staff)
        page = client.get(url).content.decode()
        assert start not in page
        assert 'id="not-for-this-account"' in page
    # a service anybody may start keeps its button for staff too
    assert (
        'href="/en/stay-calculator/"'
        in client.get("/en/services/stay_calculator/").content.decode()
    )


def test_the_language_buttons_leave_unprefixed_addresses_alone(client: Client) -> None:
    for next_url in ("/payments/return/P1", "/api/v1/docs"):
        response = client.post("/language/", {"language": "ru", "next": next_url})
        assert response["Location"] == next_url
    response = client.post("/language/", {"language": "ru", "next": "/en/verify/?code=x"})
    assert response["Location"] == "/ru/verify/?code=x"
