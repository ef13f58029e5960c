from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from umis.audit.models import AuditEvent
from umis.cases.models import Case
from umis.core import clock
from umis.core.errors import Conflict, DomainError
from umis.core.models import OutboxMessage
from umis.core.outbox import outbox_drain
from umis.documents import vds
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code
from umis.payments.models import PaymentOrder, Refund
from umis.people import mrz
from umis.people.models import TravelDocument
from umis.reference.models import LegalGround
from umis.screening.models import ScreeningHit
from umis.screening.services import screening_hit_decide
from umis.visas import services, workflow
from umis.visas.models import VisaApplication
from umis.visas.testing import application, pay_callback, photo_b64, traveller, watchlist_entry
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


def _apply(client: Client, agency: Agency, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        "/api/v1/evisa/applications",
        data=body,
        content_type="application/json",
        headers={"X-API-Key": agency.key, **headers},
    )


def _apply_and_pay(
    client: Client, agency: Agency, body: dict[str, Any] | None = None
) -> list[VisaApplication]:
    response = _apply(client, agency, body or application())
    assert response.status_code == 201, response.content
    group = response.json()["reference"]
    order = PaymentOrder.objects.get(subject=group)
    assert pay_callback(client, order).status_code == 200
    outbox_drain()
    return list(
        VisaApplication.objects.filter(group_reference=group)
        .select_related("case")
        .order_by("case_id")
    )


def test_application_opens_a_case_awaiting_payment_with_a_payment_link(
    client: Client, agency: Agency
) -> None:
    response = _apply(client, agency, application())
    assert response.status_code == 201
    body = response.json()
    assert body["payment_status"] == "pending"
    assert body["amount"] == "25.00" and body["currency"] == "USD"
    assert "/pay?" in body["payment_url"] and "sig=" in body["payment_url"]
    assert body["travellers"][0]["state"] == workflow.AWAITING_PAYMENT
    case = Case.objects.get(reference=body["travellers"][0]["reference"])
    assert case.due_at is None  # the SLA clock starts at payment


def test_clean_application_is_issued_automatically_after_payment(
    client: Client, agency: Agency
) -> None:
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.ISSUED
    document = IssuedDocument.objects.get(case=app.case, kind=IssuedDocument.Kind.EVISA)
    lines = document.data["mrz"]
    parsed = mrz.parse_mrz(lines)
    assert parsed.format == "MRVB" and parsed.valid
    assert parsed.document_number == app.visa_number == document.number
    seal = vds.seal_decode(bytes(document.seal))
    visa = vds.visa_seal_read(seal)
    assert seal.header.feature_definition_reference == vds.VISA_FEATURE_REFERENCE
    assert visa.mrz == tuple(lines)
    assert visa.passport_number == "C01X00T47"
    assert visa.entries == 1 and visa.duration_days == 14
    verdict = client.get(f"/api/v1/documents/verify/{document_verify_code(document)}").json()
    assert verdict["status"] == "genuine"
    assert verdict["number"] == app.visa_number
    assert verdict["travel_document"] == "C01X00T47"
    page = client.get(f"/verify/{document_verify_code(document)}")
    assert app.visa_number in page.content.decode()


def test_status_api_shows_the_issued_visa_to_the_agency_only(
    client: Client, agency: Agency
) -> None:
    [app] = _apply_and_pay(client, agency)
    body = client.get(
        f"/api/v1/evisa/applications/{app.group_reference}", headers={"X-API-Key": agency.key}
    ).json()
    assert body["travellers"][0]["state"] == "issued"
    pdf = client.get(
        f"/api/v1/evisa/applications/{app.group_reference}/{app.case.reference}/evisa.pdf",
        headers={"X-API-Key": agency.key},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = client.get(
        f"/api/v1/evisa/applications/{app.group_reference}",
        headers={"X-API-Key": agency.world.hotel_key},
    )
    assert other.status_code in (403, 404)


def test_the_payment_link_is_given_again_while_the_fee_is_pending(
    client: Client, agency: Agency
) -> None:
    applied = _apply(client, agency, application()).json()
    url = f"/api/v1/evisa/applications/{applied['reference']}"
    pending = client.get(url, headers={"X-API-Key": agency.key}).json()
    assert pending["payment_status"] == "pending"
    assert pending["payment_url"] == applied["payment_url"]
    assert "/pay?" in pending["payment_url"] and "sig=" in pending["payment_url"]
    pay_callback(client, PaymentOrder.objects.get(number=applied["payment_number"]))
    paid = client.get(url, headers={"X-API-Key": agency.key}).json()
    assert (paid["payment_status"], paid["payment_url"]) == ("paid", None)
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert (
        "while payment_status is pending"
        in (schema["EvisaApplicationOut"]["properties"]["payment_url"]["description"])
    )


def test_group_of_three_pays_once_and_each_gets_a_visa(client: Client, agency: Agency) -> None:
    body = application(
        traveller(),
        traveller(given_names="Paul", document_number="C01X00T55", sex="M"),
        traveller(given_names="Lena", document_number="C01X00T63"),
    )
    apps = _apply_and_pay(client, agency, body)
    assert len(apps) == 3
    assert PaymentOrder.objects.count() == 1
    assert PaymentOrder.objects.get().amount == 75
    assert all(a.case.state == workflow.ISSUED for a in apps)
    assert len({a.visa_number for a in apps}) == 3


def test_entry_ban_sends_the_application_to_an_officer_with_the_reason(
    client: Client, agency: Agency
) -> None:
    watchlist_entry(
        full_name="Anna Maria Muller", birth_date="1970-01-01", document_number="C01X00T47"
    )
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.REFERRED
    app.refresh_from_db()
    assert [r["code"] for r in app.reasons] == ["entry_ban"]
    assert not IssuedDocument.objects.filter(case=app.case).exists()
    assert app.case.is_open


def test_an_earlier_overstay_refers_the_next_application(client: Client, agency: Agency) -> None:
    from umis.border.models import FindingKind, FindingState, OverstayFinding, Proposal
    from umis.border.services import overstay_finding_dismiss

    [first] = _apply_and_pay(client, agency)
    assert first.case.state == workflow.ISSUED
    today = clock.today()
    finding = OverstayFinding.objects.create(
        person=first.person,
        kind=FindingKind.OVERSTAY,
        entry_day=today - dt.timedelta(days=60),
        office=first.case.office,
        proposal=Proposal.FINE,
        nationality="DE",
        days_over=12,
        first_detected_on=today - dt.timedelta(days=20),
        last_detected_on=today - dt.timedelta(days=20),
    )
    [second] = _apply_and_pay(client, agency, application(traveller(document_number="C01X00T88")))
    assert second.person_id == first.person_id
    assert second.case.state == workflow.REFERRED
    second.refresh_from_db()
    assert [r["code"] for r in second.reasons] == ["previous_overstay"]
    assert not IssuedDocument.objects.filter(case=second.case).exists()

    # a finding the office dismissed is no reason
    overstay_finding_dismiss(
        actor=agency.world.hannah, finding_id=finding.pk, reason="Left in time."
    )
    finding.refresh_from_db()
    assert finding.state == FindingState.DISMISSED
    [third] = _apply_and_pay(client, agency, application(traveller(document_number="C01X00T96")))
    assert third.case.state == workflow.ISSUED


def test_lost_passport_is_referred(client: Client, agency: Agency) -> None:
    watchlist_entry(category="stolen", document_number="C01X00T47", issuing_state="DE")
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.REFERRED
    app.refresh_from_db()
    assert app.reasons == [{"code": "lost_document", "message": "Passport reported lost or stolen"}]
    assert not IssuedDocument.objects.filter(case=app.case).exists()
    hit = ScreeningHit.objects.get(case=app.case)
    assert hit.entry.category == "stolen" and hit.status == ScreeningHit.Status.OPEN


def test_a_stolen_passport_of_another_state_with_the_same_number_is_not_a_hit(
    client: Client, agency: Agency
) -> None:
    watchlist_entry(category="stolen", document_number="C01X00T47", issuing_state="FR")
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.ISSUED
    assert not ScreeningHit.objects.exists()


def test_the_passport_presented_is_checked_not_an_older_one(client: Client, agency: Agency) -> None:
    [first] = _apply_and_pay(client, agency)
    assert first.case.state == workflow.ISSUED
    watchlist_entry(category="lost", document_number="C01X00T47", issuing_state="DE")
    # The traveller comes back with a new passport: the lost old one is not a reason.
    [second] = _apply_and_pay(client, agency, application(traveller(document_number="C01X00T88")))
    assert second.person_id == first.person_id
    assert second.case.state == workflow.ISSUED
    # Presenting the lost one again is.
    watchlist_entry(category="stolen", document_number="C01X00T88", issuing_state="DE")
    [third] = _apply_and_pay(client, agency, application(traveller(document_number="C01X00T88")))
    assert third.case.state == workflow.REFERRED


def test_a_wanted_person_found_by_name_in_another_spelling_is_referred_and_the_hit_is_shown(
    client: Client, agency: Agency
) -> None:
    watchlist_entry(category="wanted", full_name="MUELLER ANNA MARIA", birth_date="1980-05-17")
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.REFERRED
    app.refresh_from_db()
    assert app.reasons == [{"code": "wanted_person", "message": "Wanted person"}]
    hit = ScreeningHit.objects.get(case=app.case)
    assert hit.office_id == app.case.office_id
    assert app.case.events.filter(action="SCREENING_HIT_RAISED").exists()
    client.force_login(agency.world.alice)
    hits_page = client.get("/office/screening/hits/").content.decode()
    assert f"/office/screening/hits/{hit.pk}/" in hits_page and "MUELLER ANNA MARIA" in hits_page
    for url in (f"/office/cases/{app.case.reference}/", f"/office/evisa/{app.case.reference}/"):
        assert f"/office/screening/hits/{hit.pk}/" in client.get(url).content.decode()


def test_a_dismissed_hit_is_not_raised_again_on_the_next_application(
    client: Client, agency: Agency
) -> None:
    watchlist_entry(full_name="Anna Müller", birth_date="1980-05-17", nationality="AT")
    [first] = _apply_and_pay(client, agency)
    assert first.case.state == workflow.REFERRED
    hit = ScreeningHit.objects.get(case=first.case)
    screening_hit_decide(
        actor=agency.world.alice,
        hit_id=hit.pk,
        decision="dismiss",
        reason="Another person: different passport and nationality.",
        expected_version=hit.version,
    )
    case = Case.objects.get(pk=first.case.pk)
    services.visa_approve(actor=agency.world.alice, case=case, expected_version=case.version)
    [second] = _apply_and_pay(client, agency)
    assert second.person_id == first.person_id
    assert second.case.state == workflow.ISSUED
    assert ScreeningHit.objects.count() == 1


def _bomb_png() -> str:
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, format="PNG")  # tiny file, 900 Mpx decoded
    import base64

    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            {"applicants": [traveller(document_expiry="2020-01-01")]},
            "passport_expired",
            "applicants.0.document_expiry",
        ),
        (
            {
                "applicants": [
                    traveller(document_expiry=(dt.date.today() + dt.timedelta(days=40)).isoformat())
                ]
            },
            "passport_validity_too_short",
            "applicants.0.document_expiry",
        ),
        (
            {"applicants": [traveller(nationality="AF")]},
            "nationality_not_eligible",
            "applicants.0.nationality",
        ),
        ({"stay_days": 31}, "stay_too_long", "stay_days"),
        (
            {"applicants": [traveller(photo="JVBERi0xLjQKJcfsj6IKMSAwIG9iago=")]},
            "photo_not_image",
            "applicants.0.photo",
        ),
        (
            {"applicants": [traveller(photo="A" * (6 * 1024 * 1024 // 3 * 4))]},
            "photo_too_large",
            "applicants.0.photo",
        ),
        ({"applicants": [traveller(photo=_bomb_png())]}, "photo_dimensions", "applicants.0.photo"),
        (
            {"applicants": [traveller(photo=photo_b64(width=50, height=60))]},
            "photo_too_small",
            "applicants.0.photo",
        ),
        ({"applicants": [traveller()] * 11}, "group_too_large", "applicants"),
        ({"speed": "yesterday"}, "invalid_choice", "speed"),
        ({"entry_date": "2020-01-01"}, "entry_in_past", "entry_date"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    client: Client, agency: Agency, change: dict[str, Any], code: str, field: str
) -> None:
    response = _apply(client, agency, application(**change), **{"Accept-Language": "en"})
    assert response.status_code == 422, response.content
    errors = response.json()["error"]["errors"]
    assert any(e["code"] == code and e["field"] == field for e in errors), errors
    assert not Case.objects.exists()
    assert not PaymentOrder.objects.exists()


def test_a_50_mb_photo_is_refused_before_it_is_read(client: Client, agency: Agency) -> None:
    response = _apply(
        client, agency, application(traveller(photo="A" * (50 * 1024 * 1024 // 3 * 4)))
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not Case.objects.exists()


def test_a_50_mb_photo_in_the_portal_form_is_refused(client: Client, agency: Agency) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = {k: v for k, v in application().items() if k != "applicants"}
    person = {k: v for k, v in traveller().items() if k != "photo"}
    big = SimpleUploadedFile("me.jpg", b"\xff\xd8\xff" + b"0" * (50 * 1024 * 1024), "image/jpeg")
    response = client.post("/evisa/apply/", {**fields, **person, "photo": big})
    assert response.status_code == 422
    assert "5 MB" in response.content.decode()
    assert not Case.objects.exists()


def test_error_messages_follow_the_request_language(client: Client, agency: Agency) -> None:
    en = _apply(client, agency, application(stay_days=31), **{"Accept-Language": "en"})
    ru = _apply(client, agency, application(stay_days=31), **{"Accept-Language": "ru"})
    assert en.json()["error"]["code"] == ru.json()["error"]["code"] == "stay_too_long"


def test_photo_is_re_encoded_without_exif(client: Client, agency: Agency) -> None:
    buffer = io.BytesIO()
    image = Image.new("RGB", (400, 500), (10, 20, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (40.0, 24.0, 0.0)}  # GPS
    exif[0x010F] = "SpyCam"
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    import base64

    body = application(traveller(photo=base64.b64encode(buffer.getvalue()).decode()))
    assert _apply(client, agency, body).status_code == 201
    stored = bytes(VisaApplication.objects.get().photo)
    with Image.open(io.BytesIO(stored)) as saved:
        assert saved.format == "JPEG"
        assert not saved.getexif()
        assert b"SpyCam" not in stored


def test_callback_twice_issues_one_visa(client: Client, agency: Agency) -> None:
    [app] = _apply_and_pay(client, agency)
    assert pay_callback(client, app.payment_order).json()["duplicate"] is True
    assert (
        pay_callback(client, app.payment_order, event_id="another").json()["status"]
        == "already_paid"
    )
    outbox_drain()
    assert IssuedDocument.objects.filter(case=app.case).count() == 1


def test_wrong_amount_in_the_callback_pays_nothing(client: Client, agency: Agency) -> None:
    response = _apply(client, agency, application())
    order = PaymentOrder.objects.get(subject=response.json()["reference"])
    assert pay_callback(client, order, amount="1.00").status_code == 422
    outbox_drain()
    case = Case.objects.get()
    assert case.state == workflow.AWAITING_PAYMENT


def test_lost_callback_is_settled_by_reconciliation(
    client: Client, agency: Agency, tmp_path: Path
) -> None:
    from django.conf import settings

    from umis.payments.gateway import statement_render

    response = _apply(client, agency, application())
    order = PaymentOrder.objects.get(subject=response.json()["reference"])
    path = tmp_path / "statement.csv"
    path.write_bytes(
        statement_render(
            settings.UMIS_PAYMENT_SECRET,
            [
                {
                    "event_id": "EV-LOST",
                    "transaction_id": "TX-LOST",
                    "order": order.number,
                    "amount": str(order.amount),
                    "currency": order.currency,
                    "status": "payment.succeeded",
                    "paid_at": clock.now().isoformat(),
                }
            ],
        )
    )
    call_command("payments", "reconcile", str(path))
    outbox_drain()
    assert Case.objects.get().state == workflow.ISSUED


def test_worker_dying_while_issuing_issues_exactly_once_after_restart(
    client: Client, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = _apply(client, agency, application())
    order = PaymentOrder.objects.get(subject=response.json()["reference"])
    real = services.document_issue_visa

    def dies(**kwargs: Any) -> Any:
        real(**kwargs)  # the seal is written ...
        raise SystemExit("worker killed")  # ... and the process dies before the commit

    monkeypatch.setattr(services, "document_issue_visa", dies)
    pay_callback(client, order)
    with pytest.raises(SystemExit):
        outbox_drain()
    case = Case.objects.get()
    assert case.state == workflow.SCREENING
    assert not IssuedDocument.objects.exists()
    assert OutboxMessage.objects.get(topic=services.DECIDE_TOPIC).done_at is None
    monkeypatch.setattr(services, "document_issue_visa", real)
    outbox_drain()
    outbox_drain()
    case.refresh_from_db()
    assert case.state == workflow.ISSUED
    assert IssuedDocument.objects.filter(case=case).count() == 1
    assert OutboxMessage.objects.get(topic=services.DECIDE_TOPIC).done_at is not None


def _referred(client: Client, agency: Agency) -> VisaApplication:
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47")
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.REFERRED
    return app


def _dismiss_hits(app: VisaApplication, agency: Agency) -> None:
    """Dismiss the case's screening hits, as an officer does before issuing."""
    for hit in ScreeningHit.objects.filter(case=app.case):
        screening_hit_decide(
            actor=agency.world.alice,
            hit_id=hit.pk,
            decision="dismiss",
            reason="Another person.",
            expected_version=hit.version,
        )
    app.case.refresh_from_db()


def test_officer_refuses_with_a_legal_ground_and_the_notice_is_in_the_applicants_language(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    alice = agency.world.alice
    client.force_login(alice)
    page = client.get(f"/office/evisa/{app.case.reference}/")
    assert page.status_code == 200 and "entry_ban" in page.content.decode()
    response = client.post(
        f"/office/evisa/{app.case.reference}/decide/",
        {
            "decision": "refuse",
            "version": app.case.version,
            "legal_ground": "mc-visa-entry-ban",
            "note": "The applicant is under an entry ban.",
        },
    )
    assert response.status_code == 302
    app.case.refresh_from_db()
    assert app.case.state == workflow.REFUSED
    refund = Refund.objects.get(subject=app.case.reference)
    assert refund.status == Refund.Status.NOT_REFUNDABLE
    from umis.visas.documents import refusal_pdf

    assert refusal_pdf(app).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="EVISA_REFUSED").exists()


def _assert_not_refused(app: VisaApplication) -> None:
    app.case.refresh_from_db()
    assert app.case.state == workflow.REFERRED
    assert not AuditEvent.objects.filter(action="EVISA_REFUSED").exists()
    assert not Refund.objects.filter(subject=app.case.reference).exists()
    assert not IssuedDocument.objects.filter(case=app.case).exists()


@pytest.mark.parametrize(
    ("lang", "message", "summary"),
    [
        (
            "az",
            "Əsaslandırma çox uzundur: ən çoxu 2000 simvol ola bilər, bu mətndə isə 2399 simvol var.",
            "İmtina qeydə alınmadı. Aşağıda qeyd olunan sahələri düzəldin.",
        ),
        (
            "ru",
            "Обоснование слишком длинное: допускается не более 2000 символов, а в этом тексте 2399.",
            "Отказ не оформлен. Исправьте отмеченные ниже поля.",
        ),
    ],
)
def test_refusal_reasons_over_2000_characters_are_refused_not_cut(
    client: Client, agency: Agency, lang: str, message: str, summary: str
) -> None:
    app = _referred(client, agency)
    client.force_login(agency.world.alice)
    reasons = "The applicant is under an entry ban until 2030. " * 50  # 2,400 characters
    prefix = "" if lang == "az" else f"/{lang}"
    response = client.post(
        f"{prefix}/office/evisa/{app.case.reference}/decide/",
        {
            "decision": "refuse",
            "version": app.case.version,
            "legal_ground": "mc-visa-entry-ban",
            "note": reasons,
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page.split('id="error_note"', 1)[1].split("</p>", 1)[0]
    assert summary in page
    # the form comes back as the officer filled it in, to be shortened, not retyped
    form = page.split('id="refuse-form"', 1)[1].split("</form>", 1)[0]
    assert reasons.strip() in form
    assert '<option value="mc-visa-entry-ban" selected>' in form
    _assert_not_refused(app)
    attempt = AuditEvent.objects.get(action="EVISA_DECISION_REFUSED")
    assert attempt.data == {"code": "reasons_too_long"}


def test_the_service_refuses_over_long_refusal_reasons(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    with pytest.raises(DomainError) as refused:
        services.visa_refuse(
            actor=agency.world.alice,
            case=app.case,
            expected_version=app.case.version,
            legal_ground=LegalGround.objects.get(code="mc-visa-entry-ban"),
            note="x" * 2001,
        )
    assert (refused.value.code, refused.value.field) == ("reasons_too_long", "note")
    _assert_not_refused(app)


def test_refusal_reasons_of_exactly_2000_characters_are_kept_whole(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    client.force_login(agency.world.alice)
    reasons = ("x" * 99 + "\r\n") * 20  # a browser sends a line break as two characters
    response = client.post(
        f"/en/office/evisa/{app.case.reference}/decide/",
        {
            "decision": "refuse",
            "version": app.case.version,
            "legal_ground": "mc-visa-entry-ban",
            "note": reasons,
        },
    )
    assert response.status_code == 302
    app.case.refresh_from_db()
    assert app.case.state == workflow.REFUSED
    decision = app.case.events.get(action="EVISA_REFUSED")
    assert decision.note == (("x" * 99 + "\n") * 20).strip()


@pytest.mark.parametrize(
    ("lang", "message", "summary"),
    [
        (
            "/en",
            "The reasons are too long: at most 2000 characters, these have 2399.",
            "The e-visa was not issued. Correct the field marked below.",
        ),
        (
            "",
            "Əsaslandırma çox uzundur: ən çoxu 2000 simvol ola bilər, bu mətndə isə 2399 simvol var.",
            "E-viza verilmədi. Aşağıda qeyd olunan sahəni düzəldin.",
        ),
        (
            "/ru",
            "Обоснование слишком длинное: допускается не более 2000 символов, а в этом тексте 2399.",
            "Э-виза не выдана. Исправьте отмеченное ниже поле.",
        ),
    ],
)
def test_an_approval_note_over_2000_characters_is_refused_not_cut(
    client: Client, agency: Agency, lang: str, message: str, summary: str
) -> None:
    app = _referred(client, agency)
    client.force_login(agency.world.alice)
    note = "The ban was lifted by the court on 12 May 2026. " * 50  # 2,400 characters
    response = client.post(
        f"{lang}/office/evisa/{app.case.reference}/decide/",
        {"decision": "approve", "version": app.case.version, "note": note},
    )
    assert response.status_code == 422
    page = response.content.decode()
    form = page.split('id="approve-form"', 1)[1].split("</form>", 1)[0]
    assert summary in form
    assert message in form.split('id="error_approve_note"', 1)[1].split("</p>", 1)[0]
    assert note.strip() in form  # kept, to be shortened
    app.case.refresh_from_db()
    assert app.case.state == workflow.REFERRED
    assert not IssuedDocument.objects.filter(case=app.case).exists()
    assert not app.case.events.filter(action="EVISA_APPROVED").exists()
    assert AuditEvent.objects.get(action="EVISA_DECISION_REFUSED").data == {
        "code": "reasons_too_long"
    }


def test_an_approval_note_is_kept_whole_in_the_history(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    _dismiss_hits(app, agency)
    client.force_login(agency.world.alice)
    note = ("y" * 99 + "\r\n") * 20
    response = client.post(
        f"/en/office/evisa/{app.case.reference}/decide/",
        {"decision": "approve", "version": app.case.version, "note": note},
    )
    assert response.status_code == 302
    app.case.refresh_from_db()
    assert app.case.state == workflow.ISSUED
    assert app.case.events.get(action="EVISA_APPROVED").note == (("y" * 99 + "\n") * 20).strip()


def test_refusal_needs_a_visa_refusal_ground(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    with pytest.raises(DomainError) as refused:
        services.visa_refuse(
            actor=agency.world.alice,
            case=app.case,
            expected_version=app.case.version,
            note="The applicant is under an entry ban.",
            legal_ground=LegalGround.objects.get(code="host-error"),
        )
    assert refused.value.code == "invalid_legal_ground"


def test_two_officers_deciding_at_once_only_one_wins(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    _dismiss_hits(app, agency)
    version = app.case.version
    services.visa_approve(actor=agency.world.alice, case=app.case, expected_version=version)
    with pytest.raises(Conflict):
        services.visa_refuse(
            actor=agency.world.hannah,
            case=Case.objects.get(pk=app.case.pk),
            expected_version=version,
            legal_ground=LegalGround.objects.get(code="mc-visa-entry-ban"),
            note="The applicant is under an entry ban.",
        )
    assert Case.objects.get(pk=app.case.pk).state == workflow.ISSUED
    assert IssuedDocument.objects.filter(case=app.case).count() == 1


def test_officer_of_another_region_gets_404_and_an_audit_row(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    client.force_login(agency.world.bob)
    assert client.get(f"/office/evisa/{app.case.reference}/").status_code == 404
    assert (
        client.post(
            f"/office/evisa/{app.case.reference}/decide/", {"decision": "approve", "version": 1}
        ).status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="CASE_ACCESS_DENIED").exists()
    assert Case.objects.get(pk=app.case.pk).state == workflow.REFERRED


def test_urgent_sla_is_three_hours_and_near_breach_escalates(
    client: Client, agency: Agency
) -> None:
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47")
    paid_at = clock.now()
    [app] = _apply_and_pay(client, agency, application(speed="urgent"))
    case = Case.objects.get(pk=app.case.pk)
    assert case.due_at is not None
    assert (
        dt.timedelta(hours=2, minutes=59) < case.due_at - paid_at < dt.timedelta(hours=3, minutes=1)
    )
    assert services.visa_escalate_near_breach(now=paid_at + dt.timedelta(hours=1)) == 0
    assert services.visa_escalate_near_breach(now=paid_at + dt.timedelta(hours=2, minutes=30)) == 1
    assert services.visa_escalate_near_breach(now=paid_at + dt.timedelta(hours=2, minutes=40)) == 0
    case.refresh_from_db()
    assert case.needs_attention
    assert case.events.filter(action="EVISA_ESCALATED").exists()
    client.force_login(agency.world.alice)
    queue = client.get("/office/evisa/").content.decode()
    assert app.case.reference in queue


def test_dashboard_shows_the_share_decided_within_sla(client: Client, agency: Agency) -> None:
    _apply_and_pay(client, agency)
    client.force_login(agency.world.hannah)
    page = client.get("/office/evisa/dashboard/").content.decode()
    assert 'id="decided">1<' in page
    assert "100 %" in page


def test_verify_seal_command_checks_a_visa_offline(
    client: Client, agency: Agency, tmp_path: Path
) -> None:
    [app] = _apply_and_pay(client, agency)
    document = IssuedDocument.objects.get(case=app.case)
    good = tmp_path / "payload.txt"
    good.write_text(f"http://example/verify/{document_verify_code(document)}")
    out = io.StringIO()
    call_command("visa", "verify-seal", str(good), stdout=out)
    assert "signature:          VALID" in out.getvalue()
    assert app.visa_number in out.getvalue()
    tampered = bytearray(bytes(document.seal))
    tampered[-70] ^= 0x01
    bad = tmp_path / "bad.bin"
    bad.write_bytes(bytes(tampered))
    with pytest.raises(CommandError):
        call_command("visa", "verify-seal", str(bad), stdout=io.StringIO())


def test_escalation_mails_the_office_head(client: Client, agency: Agency, mailoutbox: Any) -> None:
    hannah = agency.world.hannah
    hannah.email = "head@migration.gov.az"
    hannah.save()
    app = _referred(client, agency)
    due = Case.objects.get(pk=app.case.pk).due_at
    assert due is not None
    services.visa_escalate_near_breach(now=due - dt.timedelta(minutes=5))
    outbox_drain()
    assert any("head@migration.gov.az" in m.to for m in mailoutbox)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_refusal_notice_is_in_the_applicants_language(client: Client, agency: Agency) -> None:
    from umis.visas.documents import refusal_pdf

    app = _referred(client, agency)
    VisaApplication.objects.filter(pk=app.pk).update(language="ru")
    services.visa_refuse(
        actor=agency.world.alice,
        case=app.case,
        expected_version=app.case.version,
        note="The applicant is under an entry ban.",
        legal_ground=LegalGround.objects.get(code="mc-visa-entry-ban"),
    )
    app.refresh_from_db()
    text = _pdf_text(refusal_pdf(app))
    assert "Уведомление об отказе в э-визе" in text
    assert "Лицу запрещён въезд в страну" in text


def test_evisa_pdf_prints_the_machine_readable_zone(client: Client, agency: Agency) -> None:
    from umis.visas.documents import evisa_pdf

    [app] = _apply_and_pay(client, agency)
    document = IssuedDocument.objects.get(case=app.case)
    text = _pdf_text(evisa_pdf(app))
    for line in document.data["mrz"]:
        assert line in text


@pytest.mark.parametrize(
    ("lang", "passport"),
    [("ru", "C01X00T47 (Германия)"), ("az", "C01X00T47 (Almaniya)"), ("en", "C01X00T47 (Germany)")],
)
def test_the_evisa_pdf_names_the_state_that_issued_the_passport(
    client: Client, agency: Agency, lang: str, passport: str
) -> None:
    from umis.visas.documents import evisa_pdf

    [app] = _apply_and_pay(client, agency)
    VisaApplication.objects.filter(pk=app.pk).update(language=lang)
    app.refresh_from_db()
    text = _pdf_text(evisa_pdf(app))
    assert passport in text
    assert "(DE)" not in text


@pytest.mark.parametrize(
    ("lang", "passport"),
    [("ru", "C01X00T47 (Германия)"), ("az", "C01X00T47 (Almaniya)"), ("en", "C01X00T47 (Germany)")],
)
def test_the_refusal_notice_names_the_state_that_issued_the_passport(
    client: Client, agency: Agency, lang: str, passport: str
) -> None:
    from umis.visas.documents import refusal_pdf

    app = _referred(client, agency)
    VisaApplication.objects.filter(pk=app.pk).update(language=lang)
    services.visa_refuse(
        actor=agency.world.alice,
        case=app.case,
        expected_version=app.case.version,
        note="The applicant is under an entry ban.",
        legal_ground=LegalGround.objects.get(code="mc-visa-entry-ban"),
    )
    app.refresh_from_db()
    text = _pdf_text(refusal_pdf(app))
    assert passport in text
    assert "(DE)" not in text


DAYS = [  # a duration of stay in words, with the number's plural
    ("ru", 1, "1 день"),
    ("ru", 3, "3 дня"),
    ("ru", 10, "10 дней"),
    ("ru", 21, "21 день"),
    ("az", 1, "1 gün"),
    ("az", 10, "10 gün"),
    ("en", 1, "1 day"),
    ("en", 10, "10 days"),
]


@pytest.mark.parametrize(("lang", "days", "duration"), DAYS)
def test_the_evisa_pdf_writes_the_days_of_stay_in_full(
    client: Client, agency: Agency, lang: str, days: int, duration: str
) -> None:
    from umis.visas.documents import evisa_pdf

    [app] = _apply_and_pay(client, agency)
    VisaApplication.objects.filter(pk=app.pk).update(language=lang, stay_days=days)
    app.refresh_from_db()
    text = _pdf_text(evisa_pdf(app))
    assert f"\n{duration}\n" in text
    assert "дн." not in text


def test_an_application_with_another_persons_passport_number_is_refused(
    client: Client, agency: Agency
) -> None:
    """Nobody obtains an e-visa in another person's name, nor sees that name, by typing the
    number of a passport on file for that person."""
    _apply_and_pay(client, agency)
    before = (VisaApplication.objects.count(), PaymentOrder.objects.count(), Case.objects.count())
    impostor = traveller(surname="Schmidt", given_names="Karl", birth_date="1990-02-02", sex="M")
    response = _apply(client, agency, application(impostor))
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (
        "document_held_by_another",
        "applicants.0.document_number",
    )
    assert "Müller" not in response.content.decode()
    assert (
        VisaApplication.objects.count(),
        PaymentOrder.objects.count(),
        Case.objects.count(),
    ) == before
    # the attempt stays in the holder's audit trail, although the request rolled back
    holder = TravelDocument.objects.get(number=impostor["document_number"]).person_id
    [attempt] = AuditEvent.objects.filter(action="DOCUMENT_HELD_REFUSED")
    assert (attempt.person_id, attempt.data["service"]) == (holder, "evisa")
    # the portal form marks the passport number field
    from umis.visas.tests.test_portal import _form

    page = client.post(
        "/en/evisa/apply/", _form(surname="Schmidt", given_names="Karl", birth_date="1990-02-02")
    )
    assert page.status_code == 422
    assert "on file with another name" in page.content.decode()


def test_a_stateless_person_is_told_the_e_visa_is_for_citizens(
    client: Client, agency: Agency
) -> None:
    body = application(traveller(nationality="XXA"))
    response = _apply(client, agency, body, **{"Accept-Language": "en"})
    assert response.status_code == 422, response.content
    [error] = response.json()["error"]["errors"]
    assert (error["code"], error["field"]) == (
        "nationality_not_eligible",
        "applicants.0.nationality",
    )
    assert error["message"] == (
        "Stateless person: the e-visa is only for citizens of the eligible countries; "
        "apply at a consulate."
    )
    assert not Case.objects.exists()


def test_a_status_is_refused_as_the_passports_issuing_state(client: Client, agency: Agency) -> None:
    response = _apply(client, agency, application(traveller(issuing_state="XXB")))
    assert response.status_code == 422, response.content
    [error] = response.json()["error"]["errors"]
    assert (error["code"], error["field"]) == (
        "not_an_issuing_state",
        "applicants.0.issuing_state",
    )
    assert not Case.objects.exists()


def test_a_visas_zone_is_not_taken_for_the_passport(client: Client, agency: Agency) -> None:
    lines = mrz.compose_mrv_b(
        issuing_state="AZE",
        surname="MUELLER",
        given_names="ANNA MARIA",
        document_number="VB0054321",
        nationality="DEU",
        birth_date=dt.date(1980, 5, 17),
        sex="F",
        expiry_date=clock.today() + dt.timedelta(days=30),
    )
    body = application(traveller(mrz=list(lines)))
    response = _apply(client, agency, body, **{"Accept-Language": "en"})
    assert response.status_code == 422, response.content
    errors = response.json()["error"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("mrz_visa", "applicants.0.mrz")]
    assert not Case.objects.exists()


def test_queue_says_the_time_left_in_the_readers_language(client: Client, agency: Agency) -> None:
    """In full words with the number's plural, days and hours or under a day hours and
    minutes, never abbreviated («3 дн. 7 ч»)."""
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47")
    [app] = _apply_and_pay(client, agency, application(speed="urgent"))
    client.force_login(agency.world.alice)
    moment = clock.now()
    expected = {
        dt.timedelta(hours=2, minutes=52, seconds=30): {
            "": "2 saat 52 dəqiqə",
            "/ru": "2 часа 52 минуты",
            "/en": "2 hours 52 minutes",
        },
        dt.timedelta(hours=5, minutes=1): {
            "": "5 saat 1 dəqiqə",
            "/ru": "5 часов 1 минута",
            "/en": "5 hours 1 minute",
        },
        dt.timedelta(minutes=25, seconds=59): {
            "": "25 dəqiqə",
            "/ru": "25 минут",
            "/en": "25 minutes",
        },
        dt.timedelta(days=3, hours=7, minutes=5, seconds=30): {
            "": "3 gün 7 saat",
            "/ru": "3 дня 7 часов",
            "/en": "3 days 7 hours",
        },
        dt.timedelta(days=2, hours=3): {
            "": "2 gün 3 saat",
            "/ru": "2 дня 3 часа",
            "/en": "2 days 3 hours",
        },
        dt.timedelta(days=21, hours=1, minutes=40): {
            "": "21 gün 1 saat",
            "/ru": "21 день 1 час",
            "/en": "21 days 1 hour",
        },
        dt.timedelta(days=5, minutes=59): {"": "5 gün", "/ru": "5 дней", "/en": "5 days"},
    }
    for left, by_prefix in expected.items():
        Case.objects.filter(pk=app.case.pk).update(due_at=moment + left)
        for prefix, text in by_prefix.items():
            with clock.frozen_at(moment):
                queue = client.get(f"{prefix}/office/evisa/").content.decode()
            assert (
                f'<td class="time-left">{text}<' in queue
                or f'<td class="time-left">{text} <' in queue
            ), (prefix, text)


def test_the_officer_reads_the_nationality_and_issuing_state_by_name(
    client: Client, agency: Agency
) -> None:
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47")
    [app] = _apply_and_pay(client, agency)
    client.force_login(agency.world.alice)
    queue = client.get("/ru/office/evisa/").content.decode()
    assert "(Германия)</td>" in queue and "(DE)" not in queue
    page = client.get(f"/ru/office/evisa/{app.case.reference}/").content.decode()
    assert "C01X00T47 (Германия)" in page and "(DE)" not in page


@pytest.mark.parametrize(
    ("lang", "message", "ground_message"),
    [
        (
            "/en",
            "Give the reasons for this decision.",
            "Choose the legal ground for this decision.",
        ),
        ("", "Qərarın əsaslandırmasını yazın.", "Bu qərarın hüquqi əsasını seçin."),
        ("/ru", "Изложите обоснование решения.", "Выберите правовое основание для этого решения."),
    ],
)
def test_a_refusal_without_reasons_is_refused_beside_the_field(
    client: Client, agency: Agency, lang: str, message: str, ground_message: str
) -> None:
    app = _referred(client, agency)
    client.force_login(agency.world.alice)
    page = client.get(f"{lang}/office/evisa/{app.case.reference}/").content.decode()
    form = page.split('id="refuse-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="note" rows="3" maxlength="2000" required' in form  # the browser asks first

    # the legal ground alone: refused, the reasons' error beside their field
    response = client.post(
        f"{lang}/office/evisa/{app.case.reference}/decide/",
        {
            "decision": "refuse",
            "version": app.case.version,
            "legal_ground": "mc-visa-entry-ban",
            "note": " \r\n ",
        },
    )
    assert response.status_code == 422
    form = response.content.decode().split('id="refuse-form"', 1)[1].split("</form>", 1)[0]
    assert f'<p class="error" id="error_note">{message}</p>' in form
    assert 'aria-describedby="hint_note error_note" aria-invalid="true"' in form
    assert '<option value="mc-visa-entry-ban" selected>' in form
    _assert_not_refused(app)
    assert AuditEvent.objects.get(action="EVISA_DECISION_REFUSED").data == {
        "code": "reasons_required"
    }

    # neither: both errors, each beside its field
    response = client.post(
        f"{lang}/office/evisa/{app.case.reference}/decide/",
        {"decision": "refuse", "version": app.case.version, "legal_ground": "", "note": ""},
    )
    assert response.status_code == 422
    form = response.content.decode().split('id="refuse-form"', 1)[1].split("</form>", 1)[0]
    assert f'<p class="error" id="error_note">{message}</p>' in form
    assert f'<p class="error" id="error_legal_ground">{ground_message}</p>' in form
    _assert_not_refused(app)


def test_the_service_refuses_a_refusal_without_reasons(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    with pytest.raises(DomainError) as refused:
        services.visa_refuse(
            actor=agency.world.alice,
            case=app.case,
            expected_version=app.case.version,
            legal_ground=LegalGround.objects.get(code="mc-visa-entry-ban"),
        )
    assert (refused.value.code, refused.value.field) == ("reasons_required", "note")
    _assert_not_refused(app)


@pytest.mark.parametrize(
    ("lang", "heading", "decision_reasons"),
    [
        ("", "Yönləndirmə səbəbləri", "Əsaslandırma"),
        ("/en", "Reasons for referral", "Reasons"),
        ("/ru", "Причины передачи", "Обоснование"),
    ],
)
def test_the_queue_names_the_reasons_an_application_was_referred(
    client: Client, agency: Agency, lang: str, heading: str, decision_reasons: str
) -> None:
    """The column of the reasons for referral is not headed as the reasons an officer gives
    for a decision, as on the application's page."""
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47")
    _apply_and_pay(client, agency)
    client.force_login(agency.world.alice)
    queue = client.get(f"{lang}/office/evisa/").content.decode()
    head = queue.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert f'<th scope="col">{heading}</th>' in head
    assert f'<th scope="col">{decision_reasons}</th>' not in head


def test_the_queue_lists_the_state_chosen_and_reports_a_state_it_does_not_know(
    client: Client, agency: Agency
) -> None:
    watchlist_entry(full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47")
    [app] = _apply_and_pay(client, agency, application(speed="urgent"))
    assert Case.objects.get(pk=app.case.pk).state == workflow.REFERRED
    client.force_login(agency.world.alice)
    referred = client.get("/en/office/evisa/?state=referred")
    assert referred.status_code == 200
    assert app.case.reference in referred.content.decode()
    being_checked = client.get("/en/office/evisa/?state=screening")
    assert being_checked.status_code == 200
    assert app.case.reference not in being_checked.content.decode()
    unknown = client.get("/ru/office/evisa/?state=refrred")
    assert unknown.status_code == 400
    page = unknown.content.decode()
    errors = page.split('id="filter-errors">', 1)[1].split("</div>", 1)[0]
    assert "Список не показан: исправьте фильтр." in errors
    assert "«refrred» нет в этом списке: выберите из списка." in errors
    assert 'id="evisa-queue"' not in page and app.case.reference not in page
