"""A person's file opened for an overstay that names its finding (`F<id>`): the finding must
be one the officer may see, about this person; anything else is refused beside the field."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.tests.test_overstays import person_of, setup_people
from umis.core import clock
from umis.core.testing import World

pytestmark = pytest.mark.django_db


def _findings(client: Client) -> tuple[OverstayFinding, OverstayFinding]:
    """OVER1's and OVER2's overstays, both the Baku office's."""
    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    return (
        OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay"),
        OverstayFinding.objects.get(person_id=person_of("OVER2"), kind="overstay"),
    )


def _reads(person_id: int) -> list[str]:
    return [
        e.data["purpose"]
        for e in AuditEvent.objects.filter(action="PERSON_VIEWED", person_id=person_id)
    ]


def _error(client: Client, person_id: int, ref: str, lang: str = "/en") -> str:
    response = client.get(f"{lang}/office/people/{person_id}/", {"purpose": "overstay", "ref": ref})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Öztürk" not in page  # nothing of the file
    assert 'value="overstay" checked' in page
    start = page.index('<p class="error" id="error_ref">')
    return page[start : page.index("</p>", start) + 4]


def test_the_finding_named_opens_the_file_and_is_kept_in_the_read(
    world: World, client: Client
) -> None:
    over1, _over2 = _findings(client)
    client.force_login(world.alice)
    page = client.get(
        f"/en/office/people/{over1.person_id}/", {"purpose": "overstay", "ref": f" f{over1.pk} "}
    )
    assert page.status_code == 200
    assert _reads(over1.person_id) == [f"overstay: F{over1.pk}"]
    # with no finding named the purpose is enough, as before
    assert (
        client.get(f"/en/office/people/{over1.person_id}/", {"purpose": "overstay"}).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "There is no finding with this number that you may see."),
        ("", "Bu nömrə ilə sizə açıq olan aşkar edilmiş hal yoxdur."),
        ("/ru", "Доступного вам выявленного случая с таким номером нет."),
    ],
)
def test_a_finding_that_does_not_exist_is_refused_beside_the_field(
    world: World, client: Client, lang: str, message: str
) -> None:
    over1, _over2 = _findings(client)
    client.force_login(world.alice)
    for ref in ("F99999999", "letter 12", "F", "F99999999999999999999999"):
        assert _error(client, over1.person_id, ref, lang) == (
            f'<p class="error" id="error_ref">{message}</p>'
        )
    assert _reads(over1.person_id) == []
    assert AuditEvent.objects.filter(
        action="OVERSTAY_FINDING_ACCESS_DENIED", actor=world.alice, entity_id="99999999"
    ).exists()


def test_another_offices_finding_is_refused_as_if_it_did_not_exist(
    world: World, client: Client
) -> None:
    over1, over2 = _findings(client)
    OverstayFinding.objects.filter(pk=over2.pk).update(office=world.bob.office)  # Shaki's
    client.force_login(world.alice)  # Baku: OVER1 is hers, the Shaki finding is not
    assert "There is no finding with this number that you may see." in _error(
        client, over1.person_id, f"F{over2.pk}"
    )
    assert _reads(over1.person_id) == []
    denied = AuditEvent.objects.get(
        action="OVERSTAY_FINDING_ACCESS_DENIED", actor=world.alice, entity_id=str(over2.pk)
    )
    assert denied.person_id == over2.person_id


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "This finding does not concern this person."),
        ("", "Bu aşkar edilmiş hal bu şəxsə aid deyil."),
        ("/ru", "Этот выявленный случай не относится к данному лицу."),
    ],
)
def test_a_finding_of_another_person_is_refused_and_logged(
    world: World, client: Client, lang: str, message: str
) -> None:
    over1, over2 = _findings(client)
    client.force_login(world.alice)
    assert _error(client, over1.person_id, f"F{over2.pk}", lang) == (
        f'<p class="error" id="error_ref">{message}</p>'
    )
    assert _reads(over1.person_id) == []
    refused = AuditEvent.objects.get(action="PERSON_PURPOSE_REFUSED", person_id=over1.person_id)
    assert refused.data == {"purpose": f"overstay: F{over2.pk}", "code": "other_finding"}
