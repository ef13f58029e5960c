"""The foreigner's own filing sent twice (a double click, back and send again, a reload
after sending): he is registered once, and both answers lead to his registration's number
instead of the second being a refusal saying he is registered already. The form's token
opens that registration only in the browser it was given to."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.stays.models import StayRegistration
from umis.stays.tests.test_own_filing import own

pytestmark = pytest.mark.django_db

REGISTER = "/en/stay/register/"


def submission(page: str) -> str:
    return page.split('name="submission" value="', 1)[1].split('"', 1)[0]


def test_the_form_sent_twice_registers_once_and_both_answers_give_the_number(
    world: World, client: Client
) -> None:
    form = {**own(), "submission": submission(client.get(REGISTER).content.decode())}
    first = client.post(REGISTER, form, follow=True)
    reg = StayRegistration.objects.get()
    status = f"/en/stay/status/{reg.case.reference}/"
    assert first.redirect_chain == [(status, 302)]
    assert f"Registration number: {reg.case.reference}" in first.content.decode()
    again = client.post(REGISTER, form, follow=True)
    assert again.redirect_chain == [(status, 302)]
    assert (
        "This form was sent already: you are registered once. Registration number: "
        f"{reg.case.reference}"
    ) in again.content.decode()
    assert StayRegistration.objects.count() == 1
    assert AuditEvent.objects.filter(action="STAY_REGISTRATION_SUBMITTED").count() == 1


def test_a_token_replayed_from_another_browser_does_not_reveal_the_registration(
    world: World, client: Client
) -> None:
    form = {**own(), "submission": submission(client.get(REGISTER).content.decode())}
    assert client.post(REGISTER, form).status_code == 302
    reference = StayRegistration.objects.get().case.reference
    other = Client()
    other.get(REGISTER)  # a form of its own, with another token
    replayed = other.post(REGISTER, form)
    assert replayed.status_code == 422
    assert reference not in replayed.content.decode()
    assert submission(replayed.content.decode()) != form["submission"]
    assert other.get(f"/en/stay/status/{reference}/").status_code == 302
    assert other.get(f"/en/stay/status/{reference}/certificate.pdf").status_code == 404
    assert StayRegistration.objects.count() == 1


def test_a_refused_form_keeps_its_token_and_registers_when_corrected(
    world: World, client: Client
) -> None:
    token = submission(client.get(REGISTER).content.decode())
    refused = client.post(REGISTER, {**own(provider_name=""), "submission": token})
    assert refused.status_code == 422
    assert submission(refused.content.decode()) == token
    assert not StayRegistration.objects.exists()
    sent = client.post(REGISTER, {**own(), "submission": token})
    assert sent.status_code == 302
    assert StayRegistration.objects.count() == 1
