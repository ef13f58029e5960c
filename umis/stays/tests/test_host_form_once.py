"""The host's registration form sent twice (a double click, back and send again, a reload
after sending): the guest is registered once, and the host is shown that registration
instead of a refusal saying the guest is registered already."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.testing import World, guest
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


def submission(page: str) -> str:
    return page.split('name="submission" value="', 1)[1].split('"', 1)[0]


def test_the_form_sent_twice_registers_the_guest_once(world: World, client: Client) -> None:
    client.force_login(world.harry)
    token = submission(client.get("/en/host/register/").content.decode())
    form = {**guest(), "submission": token}
    first = client.post("/en/host/register/", form)
    reg = StayRegistration.objects.get()
    detail = f"/en/host/registrations/{reg.case.reference}/"
    assert (first.status_code, first["Location"]) == (302, detail)
    again = client.post("/en/host/register/", form, follow=True)
    assert again.redirect_chain == [(detail, 302)]
    assert (
        "This form was sent already: the guest is registered once. Registration number: "
        f"{reg.case.reference}"
    ) in again.content.decode()
    assert StayRegistration.objects.count() == 1
    assert AuditEvent.objects.filter(action="STAY_REGISTRATION_SUBMITTED").count() == 1


def test_a_form_refused_keeps_its_token_and_is_registered_when_corrected(
    world: World, client: Client
) -> None:
    client.force_login(world.harry)
    token = submission(client.get("/en/host/register/").content.decode())
    refused = client.post("/en/host/register/", {**guest(surname=""), "submission": token})
    assert refused.status_code == 422
    assert submission(refused.content.decode()) == token
    assert not StayRegistration.objects.exists()
    sent = client.post("/en/host/register/", {**guest(), "submission": token})
    assert sent.status_code == 302
    assert StayRegistration.objects.count() == 1
