"""Officers work their office's queue and decide with legal grounds."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.tests.factories import at_day, border_key, event, send
from umis.cases.models import Case, CaseEvent
from umis.core import clock
from umis.core.errors import Conflict
from umis.core.testing import World, guest
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify, document_verify_code
from umis.people.models import TravelDocument
from umis.portal.tests.scene import make_scene
from umis.reference.models import LegalGround
from umis.stays.models import StayRegistration
from umis.stays.services import (
    stay_registration_annul,
    stay_registration_confirm,
    stay_registration_end,
    stay_registrations_submit,
)
from umis.stays.testing import register

pytestmark = pytest.mark.django_db

# the reasons and the confirmation an annulment needs besides its legal ground
DECIDED = {"note": "The guest does not live at the address.", "confirm": "1"}


def test_the_queue_shows_only_the_officers_office(world: World, client: Client) -> None:
    baku = register(world)
    # another guest: the same one at another address of the hotel would be a move
    shaki = register(
        world,
        region="shaki",
        document_number="S1234567",
        surname="Quliyev",
        given_names="Elnur",
        birth_date="1990-05-05",
    )
    client.force_login(world.alice)
    page = client.get("/office/queue/").content.decode()
    assert baku.reference in page
    assert shaki.reference not in page
    client.force_login(world.hannah)
    page = client.get("/office/queue/").content.decode()
    assert baku.reference in page and shaki.reference in page


def test_the_queue_filters_by_service_and_state(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    assert (
        case.reference
        in client.get("/office/queue/?service=stay_registration&state=registered").content.decode()
    )
    assert case.reference not in client.get("/office/queue/?state=confirmed").content.decode()
    assert client.get("/office/queue/?state=;DROP&page=x").status_code == 400  # reported
    assert client.get("/office/queue/?from=not-a-date").status_code == 400


def test_an_officer_annuls_and_verify_then_says_annulled(world: World, client: Client) -> None:
    case = register(world)
    document = IssuedDocument.objects.get(case=case)
    code = document_verify_code(document)
    assert document_verify(code=code).status == "genuine"
    client.force_login(world.alice)
    page = client.get(f"/office/cases/{case.reference}/")
    assert page.status_code == 200
    response = client.post(
        f"/office/cases/{case.reference}/annul/",
        {
            "legal_ground": "mc-21-not-residing",
            "version": case.version,
            "note": "Not at the address",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "annulled"
    assert document_verify(code=code).status == "annulled"
    assert client.get(f"/api/v1/documents/verify/{code}").json()["status"] == "annulled"
    decision = CaseEvent.objects.get(case=case, action="STAY_REGISTRATION_ANNULLED")
    assert decision.legal_ground is not None and decision.legal_ground.code == "mc-21-not-residing"
    assert decision.actor == world.alice
    assert StayRegistration.objects.get(case=case).active is False
    assert (
        AuditEvent.objects.filter(action="STAY_REGISTRATION_ANNULLED", actor=world.alice).count()
        == 1
    )


def test_an_officer_of_another_region_gets_404_and_is_logged(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.bob)
    assert client.get(f"/office/cases/{case.reference}/").status_code == 404
    response = client.post(
        f"/office/cases/{case.reference}/annul/",
        {"legal_ground": "mc-21-not-residing", "version": case.version},
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "registered"
    denied = AuditEvent.objects.filter(action="CASE_ACCESS_DENIED", actor=world.bob)
    assert denied.count() == 2
    assert denied.first().entity_id == str(case.pk)


def test_hosts_and_outsiders_cannot_open_the_back_office(world: World, client: Client) -> None:
    case = register(world)
    for user in (world.harry, world.oscar):
        client.force_login(user)
        assert client.get(f"/office/cases/{case.reference}/").status_code == 404
        assert client.get("/office/queue/").status_code == 404
    client.logout()
    assert client.get("/office/queue/").status_code == 302


def test_annulment_needs_a_legal_ground(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    client.post(
        f"/office/cases/{case.reference}/annul/", {"legal_ground": "", "version": case.version}
    )
    case.refresh_from_db()
    assert case.state == "registered"


def test_an_annulment_cannot_cite_a_legal_ground_no_longer_in_force(
    world: World, client: Client
) -> None:
    case = register(world)
    ground = LegalGround.objects.get(code="mc-21-not-residing")
    ground.valid_to = clock.today() - dt.timedelta(days=30)  # repealed a month ago
    ground.save()
    client.force_login(world.alice)
    page = client.post(
        f"/en/office/cases/{case.reference}/annul/",
        {"legal_ground": ground.code, "version": case.version, **DECIDED},
        follow=True,
    ).content.decode()
    assert "This legal ground is not in force." in page
    case.refresh_from_db()
    assert case.state == "registered"
    assert IssuedDocument.objects.get(case=case).status == IssuedDocument.Status.VALID


def test_the_stay_actions_on_another_services_case_are_refused_not_a_server_error(
    world: World, client: Client
) -> None:
    case = make_scene(world, client).visa.case  # an e-visa of Alice's office
    state, version = case.state, case.version
    officer = Client(raise_request_exception=False)
    officer.force_login(world.alice)
    for action, data in (
        ("annul", {"legal_ground": "mc-21-not-residing", "version": version, **DECIDED}),
        ("confirm", {"version": version}),
    ):
        response = officer.post(f"/en/office/cases/{case.reference}/{action}/", data, follow=True)
        assert response.status_code == 200, action
        assert "This action does not apply to this case." in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.version) == (state, version)


def test_a_refused_transition_names_the_states_in_the_readers_language(
    world: World, client: Client
) -> None:
    case = register(world)
    stay_registration_confirm(actor=world.hannah, case=case, expected_version=case.version)
    client.force_login(world.alice)
    page = client.post(
        f"/ru/office/cases/{case.reference}/confirm/",
        {"version": case.version},
        follow=True,
    ).content.decode()
    message = page.split('class="messages">', 1)[1].split("</ul>", 1)[0]
    assert (
        "из состояния «зарегистрирована, проверена» в «зарегистрирована, проверена»" in message
    ), message


def test_two_officers_deciding_at_once_one_wins(world: World) -> None:
    case = register(world)
    ground = LegalGround.objects.get(code="mc-21-not-residing")
    stale_version = case.version
    alice_copy = Case.objects.get(pk=case.pk)
    hannah_copy = Case.objects.get(pk=case.pk)
    stay_registration_annul(
        actor=world.alice,
        case=alice_copy,
        expected_version=stale_version,
        legal_ground=ground,
        note="Not at the address.",
    )
    with pytest.raises(Conflict) as raised:
        stay_registration_annul(
            actor=world.hannah,
            case=hannah_copy,
            expected_version=stale_version,
            legal_ground=ground,
            note="Not at the address either.",
        )
    assert raised.value.code == "version_conflict"
    assert CaseEvent.objects.filter(case=case, action="STAY_REGISTRATION_ANNULLED").count() == 1
    assert AuditEvent.objects.filter(action="DOCUMENT_ANNULLED").count() == 1


def test_the_conflict_is_shown_to_the_officer(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    client.post(f"/office/cases/{case.reference}/confirm/", {"version": case.version})
    response = client.post(
        f"/office/cases/{case.reference}/annul/",
        {"legal_ground": "mc-21-not-residing", "version": case.version, **DECIDED},
        follow=True,
    )
    assert (
        "Someone else changed this case" in response.content.decode()
        or "başqası" in response.content.decode().lower()
    )
    case.refresh_from_db()
    assert case.state == "confirmed"


def test_the_case_page_shows_person_documents_and_history(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    assert "Hüseynov Rəşad" in page
    assert "U12345678" in page
    assert "CASE_SUBMITTED" in page
    assert AuditEvent.objects.filter(
        action="CASE_VIEWED", actor=world.alice, person_id=case.applicant_id
    ).exists()
    assert client.get(f"/en/office/cases/{case.reference}/")["Cache-Control"] == "no-store"


def test_the_time_line_shows_another_offices_registration_without_its_details(
    world: World, client: Client
) -> None:
    shaki = register(
        world,
        on=clock.today() - dt.timedelta(days=60),
        region="shaki",
        street="Shaki street 9",
        arrival_date=(clock.today() - dt.timedelta(days=60)).isoformat(),
        planned_departure=(clock.today() - dt.timedelta(days=40)).isoformat(),
    )
    baku = register(world)
    assert baku.applicant_id == shaki.applicant_id and shaki.office_id != baku.office_id
    client.force_login(world.alice)  # Baku
    assert client.get(f"/en/office/cases/{shaki.reference}/").status_code == 404
    page = client.get(
        f"/en/office/people/{baku.applicant_id}/?purpose=case&ref={baku.reference}"
    ).content.decode()
    assert baku.reference in page
    assert shaki.reference not in page
    # its planned departure has passed: it is no longer shown as current
    assert (
        "registration at the place of stay in another office's region, expired · Shaki city" in page
    )
    client.force_login(world.hannah)  # the head office sees both in full
    page = client.get(
        f"/en/office/people/{baku.applicant_id}/?purpose=case&ref={baku.reference}"
    ).content.decode()
    assert baku.reference in page and shaki.reference in page


def test_the_time_line_names_a_crossing_anomaly_in_the_readers_language(
    world: World, client: Client
) -> None:
    key = border_key()
    today = clock.today()
    two_entries = [
        event(event_id="a1", timestamp=at_day(today - dt.timedelta(days=20))),
        event(event_id="a2", timestamp=at_day(today - dt.timedelta(days=10))),
    ]
    send(client, key, two_entries)
    person = TravelDocument.objects.get(number="U12345678").person
    client.force_login(world.hannah)
    page = client.get(f"/en/office/people/{person.pk}/?purpose=supervision").content.decode()
    assert "check the crossings: two entries with no exit between them" in page
    assert "entry_without_exit" not in page


def _on(day: dt.date) -> AbstractContextManager[None]:
    """The clock at noon in Baku on `day`."""
    return clock.frozen_at(dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC))


def stay_row(page: str) -> str:
    return page.split('id="stay">', 1)[1].split("</dd>", 1)[0]


@pytest.mark.parametrize(
    ("ending", "lang", "shown"),
    [
        ("none", "en", "04.05.2026 – 30.06.2026"),
        (
            "left",
            "en",
            "04.05.2026 – 20.05.2026 (ended: the guest left; planned departure 30.06.2026)",
        ),
        (
            "moved",
            "en",
            "04.05.2026 – 01.06.2026 (ended: the guest moved to another place of stay; "
            "planned departure 30.06.2026)",
        ),
        ("annulled", "en", "04.05.2026 – 03.06.2026 (annulled; planned departure 30.06.2026)"),
        (
            "moved",
            "az",
            "04.05.2026 – 01.06.2026 (başa çatıb: qonaq başqa yerə köçüb; planlaşdırılan "
            "gediş 30.06.2026)",
        ),
        (
            "annulled",
            "ru",
            "04.05.2026 – 03.06.2026 (аннулирована; планируемый выезд 30.06.2026)",
        ),
    ],
)
def test_the_case_page_shows_when_and_how_the_stay_ended_not_the_planned_departure(
    world: World, client: Client, ending: str, lang: str, shown: str
) -> None:
    with _on(dt.date(2026, 5, 4)):
        case = register(world, arrival_date="2026-05-04", planned_departure="2026-06-30")
    reg = StayRegistration.objects.get(case=case)
    with _on(dt.date(2026, 6, 3)):
        if ending == "left":
            stay_registration_end(actor=world.harry, registration=reg, left_on=dt.date(2026, 5, 20))
        elif ending == "moved":
            [moved] = stay_registrations_submit(
                actor=world.larisa,
                host=world.landlord,
                raws=[
                    guest(region="ganja", arrival_date="2026-06-01", planned_departure="2026-06-30")
                ],
            )
            assert moved.move is not None
        elif ending == "annulled":
            stay_registration_annul(
                actor=world.alice,
                case=case,
                expected_version=case.version,
                legal_ground=LegalGround.objects.get(code="mc-21-not-residing"),
                note="Not at the address",
            )
        client.force_login(world.alice)
        prefix = "" if lang == "az" else f"/{lang}"
        page = client.get(f"{prefix}/office/cases/{case.reference}/").content.decode()
    assert stay_row(page) == shown


@pytest.mark.parametrize(("lang", "html_lang"), [("", "az"), ("/en", "en"), ("/ru", "ru")])
def test_the_verify_link_keeps_the_page_language(
    world: World, client: Client, lang: str, html_lang: str
) -> None:
    case = register(world)
    code = document_verify_code(IssuedDocument.objects.get(case=case))
    client.force_login(world.alice)
    page = client.get(f"{lang}/office/cases/{case.reference}/").content.decode()
    assert f'<a href="{lang}/verify/{code}">' in page
    verify = client.get(f"{lang}/verify/{code}")
    assert verify.status_code == 200
    assert f'<html lang="{html_lang}"' in verify.content.decode()


@pytest.mark.parametrize(
    ("lang", "valid"),
    [
        ("", "U12345678 (Türkiyə), {} tarixinədək etibarlıdır"),
        ("/ru", "U12345678 (Турция), действителен до {}"),
        ("/en", "U12345678 (Türkiye), valid until {}"),
    ],
)
def test_the_passport_validity_reads_in_each_languages_order(
    world: World, client: Client, lang: str, valid: str
) -> None:
    case = register(world)
    expiry = (clock.today() + dt.timedelta(days=900)).strftime("%d.%m.%Y")
    client.force_login(world.alice)
    for page in (
        client.get(f"{lang}/office/cases/{case.reference}/").content.decode(),
        client.get(
            f"{lang}/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
        ).content.decode(),
    ):
        assert valid.format(expiry) in page


@pytest.mark.parametrize(
    ("lang", "kind", "valid"),
    [
        ("en", "Place-of-stay registration certificate", "valid"),
        ("ru", "Справка о регистрации по месту пребывания", "срок действия:"),
    ],
)
def test_the_persons_file_says_what_each_issued_document_is(
    world: World, client: Client, lang: str, kind: str, valid: str
) -> None:
    case = register(world)
    [doc] = IssuedDocument.objects.filter(case=case)
    client.force_login(world.alice)
    page = client.get(
        f"/{lang}/office/people/{case.applicant_id}/?purpose=case&ref={case.reference}"
    ).content.decode()
    row = page.split('<ol class="history" id="issued">', 1)[1].split("</li>", 1)[0]
    start, end = doc.valid_from.strftime("%d.%m.%Y"), doc.valid_until.strftime("%d.%m.%Y")
    assert f'<span class="doc-kind">{kind}</span>' in row
    assert f'<span class="doc-number">{doc.number}</span>' in row
    assert f"{valid} {start} – {end}" in row
    code = document_verify_code(doc)
    assert f'<a href="/{lang}/verify/{code}">' in row
    # the link leads to the document's verification, in the reader's language
    verified = client.get(f"/{lang}/verify/{code}")
    assert verified.status_code == 200
    assert f'id="doc-number">{doc.number}<' in verified.content.decode()
