"""Place-of-stay registration through the API, as a hotel's software uses it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.cases.models import Case
from umis.core import clock
from umis.core.testing import World, guest, passport_mrz
from umis.people.models import Person, TravelDocument
from umis.stays.models import StayRegistration
from umis.stays.testing import counts, post

pytestmark = pytest.mark.django_db


def test_it_registers_one_guest_and_returns_the_number(world: World, client: Client) -> None:
    response = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith(f"SR-{clock.today().year}-")
    assert body["state"] == "registered"
    reg = StayRegistration.objects.get(case__reference=body["reference"])
    assert reg.person.surname == "Hüseynov"
    assert reg.person.given_names == "Rəşad"
    assert reg.case.office.code == "baku"
    assert reg.travel_document.number == "U12345678"
    assert (
        AuditEvent.objects.filter(
            action="STAY_REGISTRATION_SUBMITTED", entity_id=str(reg.pk)
        ).count()
        == 1
    )
    assert body["verify_url"].startswith("http://127.0.0.1:8000/verify/")


def test_it_attaches_a_known_document_to_the_same_person(world: World, client: Client) -> None:
    today = clock.today()
    first = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()
    later = guest(
        arrival_date=today.isoformat(),
        planned_departure=(today + dt.timedelta(days=40)).isoformat(),
        region="shaki",
    )
    # a new stay elsewhere after the first one ended
    reg = StayRegistration.objects.get(case__reference=first["reference"])
    StayRegistration.objects.filter(pk=reg.pk).update(active=False)
    second = post(client, "/api/v1/stay-registrations", later, world.hotel_key).json()
    assert first["person_id"] == second["person_id"]
    assert Person.objects.count() == 1


def test_it_fills_the_fields_from_the_mrz(world: World, client: Client) -> None:
    line1, line2 = passport_mrz(nationality="DEU")
    data = {
        k: v
        for k, v in guest().items()
        if k in {"region", "city", "street", "arrival_date", "planned_departure"}
    }
    data["mrz"] = [line1, line2]
    response = post(client, "/api/v1/stay-registrations", data, world.hotel_key)
    assert response.status_code == 201, response.content
    person = Person.objects.get()
    assert (person.surname, person.given_names, person.nationality_id, person.sex) == (
        "Eriksson",
        "Anna Maria",
        "DE",
        "F",
    )
    assert person.birth_date == dt.date(1974, 8, 12)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"document_expiry": "2020-01-01"}, "document_expiry", "passport_expired"),
        (
            {"arrival_date": "2999-01-01", "planned_departure": "2999-01-05"},
            "arrival_date",
            "arrival_in_future",
        ),
        ({"nationality": "QQ"}, "nationality", "unknown_country"),
        ({"surname": None}, "surname", "required"),
        ({"surname": "Hu\u202eseynov"}, "surname", "bidi_control"),
        ({"surname": "Hus\u200beynov"}, "surname", "zero_width"),
        ({"surname": "Hus\x07eynov"}, "surname", "control_character"),
        ({"surname": "Аliyev"}, "surname", "mixed_script"),  # Cyrillic А in a Latin name
        ({"surname": "x" * 10_000_000}, "surname", "too_long"),
        ({"birth_date": "14.03.1985"}, "birth_date", "invalid_date"),
        ({"region": "atlantis"}, "region", "unknown_region"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(
    world: World, client: Client, change: dict[str, Any], field: str, code: str
) -> None:
    before = counts()
    response = post(client, "/api/v1/stay-registrations", guest(**change), world.hotel_key)
    assert response.status_code == 422, response.content[:300]
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert counts() == before


def test_departure_before_arrival_is_refused(world: World, client: Client) -> None:
    today = clock.today()
    response = post(
        client,
        "/api/v1/stay-registrations",
        guest(
            arrival_date=today.isoformat(),
            planned_departure=(today - dt.timedelta(days=2)).isoformat(),
        ),
        world.hotel_key,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "departure_before_arrival"
    assert response.json()["error"]["field"] == "planned_departure"


def test_a_wrong_mrz_check_digit_is_refused(world: World, client: Client) -> None:
    line1, line2 = passport_mrz()
    broken = line2[:9] + str((int(line2[9]) + 1) % 10) + line2[10:]
    data = guest()
    data["mrz"] = [line1, broken]
    response = post(
        client, "/api/v1/stay-registrations", data, world.hotel_key, **{"Accept-Language": "ru"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "mrz_check_digit"
    assert response.json()["error"]["field"] == "mrz"
    assert "«номер документа»" in response.json()["error"]["message"]  # not «document_number»
    assert counts() == (0, 0, 0, 0)


def test_errors_come_in_the_requested_language(world: World, client: Client) -> None:
    body = guest(document_expiry="2020-01-01")
    messages = {}
    for lang in ("en", "az", "ru"):
        response = post(
            client, "/api/v1/stay-registrations", body, world.hotel_key, **{"Accept-Language": lang}
        )
        messages[lang] = response.json()["error"]["message"]
    assert messages["en"] == "The travel document has expired."
    assert messages["az"] != messages["en"]
    assert messages["ru"] != messages["en"]
    assert any(c in messages["ru"] for c in "абвгдеж")


def test_bulk_accepts_and_refuses_item_by_item(world: World, client: Client) -> None:
    items = [guest(document_number=f"P{i:07d}") for i in range(5)]
    items[2]["document_expiry"] = "2020-01-01"
    items[4]["nationality"] = "ZZZ"
    response = post(client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["refused"]) == (3, 2)
    assert [i["status"] for i in body["items"]] == [
        "accepted",
        "accepted",
        "refused",
        "accepted",
        "refused",
    ]
    assert body["items"][2]["errors"][0]["code"] == "passport_expired"
    assert body["items"][4]["errors"][0]["field"] == "nationality"
    assert StayRegistration.objects.count() == 3


def test_bulk_returns_the_client_reference_of_refused_items_too(
    world: World, client: Client
) -> None:
    items = [guest(document_number=f"C{i:07d}", client_reference=f"r{i + 1}") for i in range(4)]
    items[1]["document_expiry"] = "2020-01-01"
    items[3]["nationality"] = "ZZZ"
    response = post(client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key)
    assert response.status_code == 200
    answered = [(i["status"], i["client_reference"]) for i in response.json()["items"]]
    assert answered == [
        ("accepted", "r1"),
        ("refused", "r2"),
        ("accepted", "r3"),
        ("refused", "r4"),
    ]


def test_a_refused_item_without_a_readable_client_reference_returns_none(
    world: World, client: Client
) -> None:
    items = [
        guest(document_number="D0000001", nationality="ZZZ"),
        guest(document_number="D0000002", nationality="ZZZ", client_reference="x" * 101),
    ]
    response = post(client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key)
    assert [i["client_reference"] for i in response.json()["items"]] == [None, None]
    assert response.json()["items"][1]["errors"][1]["field"] == "client_reference"
    assert StayRegistration.objects.count() == 0


def test_a_retried_batch_never_duplicates(world: World, client: Client) -> None:
    items = [guest(document_number=f"R{i:07d}") for i in range(10)]
    first = post(
        client,
        "/api/v1/stay-registrations/bulk",
        {"items": items},
        world.hotel_key,
        **{"Idempotency-Key": "batch-42"},
    )
    again = post(
        client,
        "/api/v1/stay-registrations/bulk",
        {"items": items},
        world.hotel_key,
        **{"Idempotency-Key": "batch-42"},
    )
    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] is True
    assert [i["reference"] for i in again.json()["items"]] == [
        i["reference"] for i in first.json()["items"]
    ]
    assert StayRegistration.objects.count() == 10


def test_the_same_key_with_another_body_is_a_conflict(world: World, client: Client) -> None:
    post(
        client, "/api/v1/stay-registrations", guest(), world.hotel_key, **{"Idempotency-Key": "k1"}
    )
    response = post(
        client,
        "/api/v1/stay-registrations",
        guest(document_number="OTHER123"),
        world.hotel_key,
        **{"Idempotency-Key": "k1"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert StayRegistration.objects.count() == 1


def test_a_batch_of_1001_is_refused_whole(world: World, client: Client) -> None:
    items = [guest(document_number=f"B{i:07d}") for i in range(1001)]
    response = post(client, "/api/v1/stay-registrations/bulk", {"items": items}, world.hotel_key)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "batch_too_large"
    assert StayRegistration.objects.count() == 0


def test_a_second_active_registration_for_the_same_stay_is_refused(
    world: World, client: Client
) -> None:
    post(client, "/api/v1/stay-registrations", guest(), world.hotel_key)
    response = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "already_registered"


def test_without_a_key_or_with_a_revoked_key_it_is_401(world: World, client: Client) -> None:
    from umis.accounts.models import ApiClient

    assert post(client, "/api/v1/stay-registrations", guest(), None).status_code == 401
    ApiClient.objects.update(revoked_at=clock.now())
    response = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert StayRegistration.objects.count() == 0


def test_a_host_lists_current_guests_and_ends_a_stay(world: World, client: Client) -> None:
    ref = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()["reference"]
    guests = client.get("/api/v1/stay-registrations", HTTP_X_API_KEY=world.hotel_key).json()
    assert [g["reference"] for g in guests] == [ref]
    response = post(
        client,
        f"/api/v1/stay-registrations/{ref}/end",
        {"left_on": clock.today().isoformat()},
        world.hotel_key,
    )
    assert response.status_code == 200
    assert response.json()["state"] == "ended"
    assert client.get("/api/v1/stay-registrations", HTTP_X_API_KEY=world.hotel_key).json() == []


def test_a_certificate_verifies_until_the_guest_left_then_as_expired(
    world: World, client: Client
) -> None:
    arrived = clock.today() - dt.timedelta(days=3)
    body = guest(
        arrival_date=arrived.isoformat(),
        planned_departure=(clock.today() + dt.timedelta(days=10)).isoformat(),
    )
    registered = post(client, "/api/v1/stay-registrations", body, world.hotel_key).json()
    code = registered["verify_url"].rsplit("/", 1)[1]
    left = clock.today() - dt.timedelta(days=1)
    ended = post(
        client,
        f"/api/v1/stay-registrations/{registered['reference']}/end",
        {"left_on": left.isoformat()},
        world.hotel_key,
    )
    assert ended.status_code == 200
    verdict = client.get(f"/api/v1/documents/verify/{code}").json()
    assert (verdict["status"], verdict["valid_until"]) == ("expired", left.isoformat())
    shortened = AuditEvent.objects.get(action="DOCUMENT_VALIDITY_SHORTENED")
    assert shortened.data["to"] == left.isoformat()


def test_verify_gives_the_day_a_certificate_was_annulled(world: World, client: Client) -> None:
    from umis.reference.models import LegalGround
    from umis.stays.services import stay_registration_annul

    registered = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()
    code = registered["verify_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/documents/verify/{code}").json()["annulled_on"] is None
    case = Case.objects.get(reference=registered["reference"])
    ground = next(g for g in LegalGround.objects.all() if g.applies("annulment"))
    stay_registration_annul(
        actor=world.alice,
        case=case,
        expected_version=case.version,
        legal_ground=ground,
        note="Registered on false information.",
    )
    verdict = client.get(f"/api/v1/documents/verify/{code}").json()
    assert (verdict["status"], verdict["annulled_on"]) == ("annulled", clock.today().isoformat())


def test_the_host_reads_the_day_its_registration_was_annulled(world: World, client: Client) -> None:
    from umis.reference.models import LegalGround
    from umis.stays.services import stay_registration_annul

    def noon(day: dt.date) -> Any:
        return clock.frozen_at(dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC))

    with noon(dt.date(2026, 5, 4)):
        body = guest(arrival_date="2026-05-04", planned_departure="2026-06-30")
        registered = post(client, "/api/v1/stay-registrations", body, world.hotel_key).json()
    assert registered["annulled_on"] is None
    path = f"/api/v1/stay-registrations/{registered['reference']}"
    with noon(dt.date(2026, 5, 6)):
        assert client.get(path, HTTP_X_API_KEY=world.hotel_key).json()["annulled_on"] is None
        case = Case.objects.get(reference=registered["reference"])
        stay_registration_annul(
            actor=world.alice,
            case=case,
            expected_version=case.version,
            legal_ground=LegalGround.objects.get(code="mc-21-not-residing"),
            note="The guest does not live at the address.",
        )
    with noon(dt.date(2026, 5, 9)):
        seen = client.get(path, HTTP_X_API_KEY=world.hotel_key).json()
        code = registered["verify_url"].rsplit("/", 1)[1]
        verdict = client.get(f"/api/v1/documents/verify/{code}").json()
    assert (seen["state"], seen["annulled_on"]) == ("annulled", "2026-05-06")
    assert verdict["annulled_on"] == "2026-05-06"
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["StayRegistrationOut"]["properties"]["annulled_on"]["anyOf"] == [
        {"format": "date", "type": "string"},
        {"type": "null"},
    ]


def test_another_host_cannot_see_or_end_the_registration(world: World, client: Client) -> None:
    from umis.accounts.models import Scope
    from umis.accounts.services import api_client_create

    ref = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()["reference"]
    _c, other_key = api_client_create(
        actor=None, name="Landlord app", user=world.larisa, scopes=[Scope.STAY_REGISTRATIONS]
    )
    assert (
        client.get(f"/api/v1/stay-registrations/{ref}", HTTP_X_API_KEY=other_key).status_code == 404
    )
    response = post(
        client,
        f"/api/v1/stay-registrations/{ref}/end",
        {"left_on": clock.today().isoformat()},
        other_key,
    )
    assert response.status_code == 404
    assert StayRegistration.objects.get(case__reference=ref).active is True
    assert (
        AuditEvent.objects.filter(
            action="STAY_REGISTRATION_ACCESS_DENIED", actor=world.larisa
        ).count()
        == 2
    )


def test_the_certificate_pdf_carries_a_verifiable_seal(world: World, client: Client) -> None:
    from umis.documents import vds

    body = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()
    pdf = client.get(
        f"/api/v1/stay-registrations/{body['reference']}/certificate.pdf",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    code = body["verify_url"].rsplit("/", 1)[1]
    verdict = client.get(f"/api/v1/documents/verify/{code}").json()
    assert verdict["status"] == "genuine"
    assert verdict["number"] == body["reference"]
    assert verdict["travel_document"] == "U12345678"
    seal = vds.seal_decode(vds.seal_from_text(code))
    assert seal.header.issuing_country == "AZE"


def test_the_certificate_and_verify_show_names_and_times_as_people_read_them(
    world: World, client: Client
) -> None:
    """Given names typed in a form are kept in MRZ characters with a space between them, as
    a read zone gives them (never the filler `<`), and the certificate's time of issue is
    Baku time."""
    import io

    from django.utils import timezone
    from pypdf import PdfReader

    from umis.documents.models import IssuedDocument
    from umis.people.models import TravelDocument

    data = guest(surname="Öztürk", given_names="Mehmet Ali")
    body = post(client, "/api/v1/stay-registrations", data, world.hotel_key).json()
    doc = TravelDocument.objects.get(number="U12345678")
    assert (doc.mrz_surname, doc.mrz_given_names) == ("OEZTUERK", "MEHMET ALI")
    code = body["verify_url"].rsplit("/", 1)[1]
    verdict = client.get(f"/api/v1/documents/verify/{code}").json()
    assert verdict["holder_name"] == "OEZTUERK MEHMET ALI"
    page = client.get(f"/en/verify/{code}").content.decode()
    assert "OEZTUERK MEHMET ALI" in page and "MEHMET&lt;ALI" not in page
    pdf = client.get(
        f"/api/v1/stay-registrations/{body['reference']}/certificate.pdf",
        HTTP_X_API_KEY=world.hotel_key,
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "MEHMET ALI" in text and "<" not in text
    issued = IssuedDocument.objects.get(number=body["reference"]).issued_at
    baku = timezone.localtime(issued, timezone.get_fixed_timezone(240))
    assert baku.strftime("%d.%m.%Y %H:%M") in text
    assert issued.astimezone(dt.UTC).strftime("%d.%m.%Y %H:%M") not in text


def test_another_persons_passport_number_is_refused_and_shows_nothing(
    world: World, client: Client
) -> None:
    """A host who types a passport number on file for somebody else (with another name and
    date of birth) is not linked to that person's file: nothing about the holder comes back,
    and nothing is stored."""
    first = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key).json()
    holder = first["person_id"]
    _client, landlord_key = api_client_create(
        actor=None, name="Landlord", user=world.larisa, scopes=[Scope.STAY_REGISTRATIONS]
    )
    before = counts()
    probe = guest(surname="Petrov", given_names="Ivan", birth_date="1990-01-01", region="ganja")
    response = post(client, "/api/v1/stay-registrations", probe, landlord_key)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "document_held_by_another"
    assert response.json()["error"]["field"] == "document_number"
    assert "Hüseynov" not in response.content.decode() and str(holder) not in response.json()
    assert counts() == before
    # the attempt stays in the holder's audit trail, although the request rolled back
    [attempt] = AuditEvent.objects.filter(action="DOCUMENT_HELD_REFUSED")
    assert (attempt.person_id, attempt.actor_id) == (holder, world.larisa.pk)
    assert attempt.data["document"] == probe["document_number"]
    assert attempt.data["service"] == "stay_registration"

    # the same guest, spelled another way, is still the same person
    StayRegistration.objects.update(active=False)
    same = guest(surname="Huseynov", given_names="Rashad", region="ganja")
    response = post(client, "/api/v1/stay-registrations", same, landlord_key)
    assert response.status_code == 201, response.content
    assert response.json()["person_id"] == holder


@pytest.mark.parametrize("typed", ["U１２３４５６７８", "U۱۲۳۴۵۶۷۸", "u 1234 5678"])
def test_a_number_typed_with_other_digits_is_the_same_passport(
    world: World, client: Client, typed: str
) -> None:
    """A Persian keyboard types ۱۲۳, a Japanese one full-width digits: the same passport,
    so a stolen one is caught and the same guest is not registered twice."""
    from umis.screening.models import ScreeningHit
    from umis.screening.services import watchlist_get_or_create, watchlist_import

    stolen = {"category": "stolen", "document_number": "U12345678", "issuing_state": "TR"}
    watchlist_import(
        actor=None,
        watchlist=watchlist_get_or_create(actor=None, code="sltd", name="SLTD"),
        raws=[{**stolen, "reason": "stolen", "source": "Interpol"}],
    )
    response = post(
        client, "/api/v1/stay-registrations", guest(document_number=typed), world.hotel_key
    )
    assert response.status_code == 201, response.content
    assert TravelDocument.objects.get().number == "U12345678"
    assert ScreeningHit.objects.count() == 1
    again = post(client, "/api/v1/stay-registrations", guest(), world.hotel_key)
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "already_registered"
    assert StayRegistration.objects.count() == 1


def test_a_number_with_a_cyrillic_letter_is_refused(world: World, client: Client) -> None:
    response = post(
        client,
        "/api/v1/stay-registrations",
        guest(document_number="С01Х00Т47"),  # Cyrillic С, Х and Т
        world.hotel_key,
        **{"Accept-Language": "en"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "document_number")
    assert error["message"] == "A document number has only the letters A–Z and the digits 0–9."


def test_a_long_name_is_kept_whole_and_its_mrz_form_fits(world: World, client: Client) -> None:
    given = "Щедрина Щукина Щербакова Щеглова Щорсовна Щапова"  # Щ is SHCH in the MRZ
    body = guest(surname="Щербаков-Щукин", given_names=given)
    assert post(client, "/api/v1/stay-registrations", body, world.hotel_key).status_code == 201
    document = TravelDocument.objects.select_related("person").get()
    assert document.person.given_names == given
    for field in ("mrz_surname", "mrz_given_names"):
        assert len(getattr(document, field)) <= TravelDocument._meta.get_field(field).max_length


@pytest.mark.parametrize(
    ("arrived_days_ago", "left_days_ago", "late"),
    [
        (25, 16, False),  # ten days, over: no registration was needed
        (25, None, True),  # still there after 25 days: due on day 15
        (10, None, False),  # within the deadline
    ],
)
def test_a_registration_is_late_only_for_a_stay_that_had_to_be_registered(
    world: World, client: Client, arrived_days_ago: int, left_days_ago: int | None, late: bool
) -> None:
    today = clock.today()
    departure = today + dt.timedelta(days=5)
    if left_days_ago is not None:
        departure = today - dt.timedelta(days=left_days_ago)
    body = guest(
        arrival_date=(today - dt.timedelta(days=arrived_days_ago)).isoformat(),
        planned_departure=departure.isoformat(),
    )
    assert post(client, "/api/v1/stay-registrations", body, world.hotel_key).status_code == 201
    registration = StayRegistration.objects.select_related("case").get()
    assert (registration.late, registration.case.needs_attention) == (late, late)
