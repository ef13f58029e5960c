from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pytest_django.fixtures import Settings

from umis.core import clock
from umis.core.outbox import outbox_drain
from umis.payments.models import PaymentOrder
from umis.payments.testing import return_path
from umis.visas import pending, workflow
from umis.visas.models import VisaApplication
from umis.visas.photo import photo_clean
from umis.visas.testing import application, pay_callback, photo_png, traveller
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


def _form(**overrides: object) -> dict[str, object]:
    fields = {k: v for k, v in application().items() if k != "applicants"}
    person = {k: v for k, v in traveller().items() if k != "photo"}
    return {
        **fields,
        **person,
        "photo": SimpleUploadedFile("me.png", photo_png(), "image/png"),
        **overrides,
    }


def test_apply_in_the_portal_then_pay_then_download(client: Client, agency: Agency) -> None:
    response = client.post("/en/evisa/apply/", _form())
    assert response.status_code == 302
    app = VisaApplication.objects.select_related("case").get()
    assert response["Location"].endswith(f"/evisa/status/{app.group_reference}")
    pay = client.get(f"/en/evisa/status/{app.group_reference}/pay")
    assert "/pay?" in pay["Location"] and "sig=" in pay["Location"]
    assert app.language == "en"
    status = client.get(f"/en/evisa/status/{app.group_reference}")
    assert status.status_code == 200
    assert 'data-status="pending"' in status.content.decode()
    pay_callback(client, app.payment_order)
    outbox_drain()
    page = client.get(f"/en/evisa/status/{app.group_reference}?paid=1").content.decode()
    assert 'data-state="issued"' in page
    pdf = client.get(f"/en/evisa/status/{app.group_reference}/{app.case.reference}/evisa.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_portal_form_shows_field_errors(client: Client, agency: Agency) -> None:
    response = client.post(
        "/en/evisa/apply/",
        _form(stay_days="31", photo=SimpleUploadedFile("cv.jpg", b"%PDF-1.4 fake", "image/jpeg")),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error_stay_days"' in page and 'id="error_photo"' in page
    assert not VisaApplication.objects.exists()
    assert not PaymentOrder.objects.exists()


def test_status_needs_the_reference_and_a_passport_number(client: Client, agency: Agency) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    stranger = Client()
    assert stranger.get(f"/en/evisa/status/{app.group_reference}").status_code == 302
    wrong = stranger.post(
        "/en/evisa/status/", {"reference": app.group_reference, "passport_number": "X1"}
    )
    assert wrong.status_code == 404
    right = stranger.post(
        "/en/evisa/status/", {"reference": app.group_reference, "passport_number": "c01x00t47"}
    )
    assert right.status_code == 302
    assert stranger.get(f"/en/evisa/status/{app.group_reference}").status_code == 200


def test_the_browser_returning_before_the_callback_sees_a_waiting_page(
    client: Client, agency: Agency
) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    back = client.get(return_path(app.payment_order), follow=True)
    assert 'id="payment-waiting"' in back.content.decode()
    assert app.case.state == workflow.AWAITING_PAYMENT


@pytest.mark.parametrize(
    ("prefix", "status_page"), [("/en", "/en/evisa/"), ("/ru", "/ru/evisa/"), ("", "/evisa/")]
)
def test_back_from_the_gateway_the_payer_reads_their_own_language(
    client: Client, agency: Agency, prefix: str, status_page: str
) -> None:
    client.post(f"{prefix}/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    # the gateway's return address has no language prefix, and this browser sends no hint
    back = client.get(return_path(app.payment_order))
    assert back.status_code == 302
    assert back["Location"] == f"{status_page}status/{app.group_reference}"


@pytest.mark.parametrize(("prefix", "status_page"), [("/ru", "/ru/evisa/"), ("", "/evisa/")])
def test_the_e_mail_links_to_the_status_page_in_the_applicants_language(
    client: Client,
    agency: Agency,
    mailoutbox: list[Any],
    prefix: str,
    status_page: str,
) -> None:
    client.post(f"{prefix}/evisa/apply/", _form())
    outbox_drain()  # the worker sends the e-mail the application owes
    app = VisaApplication.objects.get()
    [received] = mailoutbox
    link = f"{settings.UMIS_PUBLIC_URL}{status_page}status/{app.group_reference}"
    assert f"{link}\n" in received.body + "\n"


def test_the_catalogue_offers_the_e_visa(client: Client, agency: Agency) -> None:
    page = client.get("/en/services/evisa/").content.decode()
    assert "/evisa/apply/" in page


def test_a_group_of_two_applies_in_the_portal_and_pays_once(client: Client, agency: Agency) -> None:
    apps = _group_of_two(client)
    assert len(apps) == 2 and apps[0].payment_order_id == apps[1].payment_order_id
    assert apps[0].payment_order.amount == 50


def test_a_group_error_names_the_traveller(client: Client, agency: Agency) -> None:
    second = {
        f"t2-{k}": v
        for k, v in traveller(document_number="C01X00T55", nationality="AF").items()
        if k != "photo"
    }
    form = {
        **_form(),
        **second,
        "t2-photo": SimpleUploadedFile("p.png", photo_png(), "image/png"),
        "travellers": "2",
    }
    response = client.post("/en/evisa/apply/", form)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error_t2-nationality"' in page
    assert not VisaApplication.objects.exists()


def _group_of_two(client: Client) -> list[VisaApplication]:
    second = {
        f"t2-{k}": v
        for k, v in traveller(given_names="Paul", document_number="C01X00T55").items()
        if k != "photo"
    }
    form = {
        **_form(),
        **second,
        "t2-photo": SimpleUploadedFile("paul.png", photo_png(), "image/png"),
        "travellers": "2",
    }
    assert client.post("/en/evisa/apply/?travellers=2", form).status_code == 302
    return list(VisaApplication.objects.select_related("case").order_by("case_id"))


def test_a_traveller_finds_the_group_by_their_own_application_reference(
    client: Client, agency: Agency
) -> None:
    _anna, paul = _group_of_two(client)
    assert paul.case.reference != paul.group_reference  # his e-mails and PDFs name his own
    stranger = Client()
    found = stranger.post(
        "/en/evisa/status/", {"reference": paul.case.reference, "passport_number": "c01x00t55"}
    )
    assert found.status_code == 302
    assert found["Location"] == f"/en/evisa/status/{paul.group_reference}"
    page = stranger.get(found["Location"])
    assert page.status_code == 200
    assert paul.case.reference in page.content.decode()


def test_an_application_reference_with_another_travellers_passport_finds_nothing(
    client: Client, agency: Agency
) -> None:
    _anna, paul = _group_of_two(client)
    stranger = Client()
    for reference, number in [(paul.case.reference, "C01X00T47"), (paul.case.reference, "X1")]:
        wrong = stranger.post(
            "/en/evisa/status/", {"reference": reference, "passport_number": number}
        )
        assert wrong.status_code == 404
        assert "No application matches this reference and passport number." in (
            wrong.content.decode()
        )
    assert stranger.get(f"/en/evisa/status/{paul.group_reference}").status_code == 302


def _submission_token(client: Client) -> str:
    page = client.get("/en/evisa/apply/").content.decode()
    match = re.search(r'name="submission" value="([^"]+)"', page)
    assert match, "the form carries a one-time submission token"
    return match.group(1)


def test_a_form_sent_twice_opens_one_application_and_shows_it_again(
    client: Client, agency: Agency
) -> None:
    token = _submission_token(client)
    first = client.post("/en/evisa/apply/", _form(submission=token))
    again = client.post("/en/evisa/apply/", _form(submission=token))  # double click, or back
    app = VisaApplication.objects.get()
    assert PaymentOrder.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == f"/en/evisa/status/{app.group_reference}"
    assert client.get(again["Location"]).status_code == 200


def test_a_new_form_opens_a_new_application(client: Client, agency: Agency) -> None:
    client.post("/en/evisa/apply/", _form(submission=_submission_token(client)))
    other = {"document_number": "C01X00T55", "given_names": "Paul"}
    client.post("/en/evisa/apply/", _form(submission=_submission_token(client), **other))
    assert VisaApplication.objects.count() == 2


def test_another_browser_sending_a_used_token_is_not_shown_the_application(
    client: Client, agency: Agency
) -> None:
    token = _submission_token(client)
    client.post("/en/evisa/apply/", _form(submission=token))
    app = VisaApplication.objects.get()
    stranger = Client()
    response = stranger.post("/en/evisa/apply/", _form(submission=token))
    assert VisaApplication.objects.count() == 1
    assert stranger.get(f"/en/evisa/status/{app.group_reference}").status_code == 302
    assert response.status_code == 302


def test_a_failed_status_lookup_keeps_the_typed_reference(client: Client, agency: Agency) -> None:
    client.post("/en/evisa/apply/", _form())
    app = VisaApplication.objects.get()
    stranger = Client()
    wrong = stranger.post(
        "/en/evisa/status/", {"reference": app.group_reference.lower(), "passport_number": "X1"}
    )
    assert wrong.status_code == 404
    page = wrong.content.decode()
    assert "No application matches this reference and passport number." in page
    # only the passport number is typed again
    assert (
        f'name="reference" maxlength="30" required aria-required="true" value="{app.group_reference}"'
        in page
    )
    assert (
        'id="id_passport_number" name="passport_number" maxlength="20" required aria-required="true">'
        in page
    )


def _kept_token(page: str, name: str = "photo") -> str:
    found = re.search(rf'name="{name}_kept" value="([^"]+)"', page)
    assert found, "no photo kept"
    return found.group(1)


def test_a_photo_chosen_before_an_error_is_kept_and_used_when_the_form_is_sent_again(
    client: Client, agency: Agency, settings: Settings
) -> None:
    """A browser does not send a chosen file again: the photo that passed its checks is
    kept, the page says so beside the field, and the corrected form needs no new choice."""
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    response = client.post("/en/evisa/apply/", _form(entry_date=far))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Photo kept: me.png. Choose another file only to replace it." in page
    assert 'aria-describedby="kept_photo"' in page
    assert not VisaApplication.objects.exists()
    # a form refused before any photo was chosen only says the photo is missing
    refused = client.post("/en/evisa/apply/", {**_form(entry_date=far), "photo": ""})
    assert "Photo kept" not in refused.content.decode()

    response = client.post("/en/evisa/apply/", _form(photo="", photo_kept=_kept_token(page)))
    assert response.status_code == 302
    app = VisaApplication.objects.get()
    assert bytes(app.photo) == photo_clean(photo_png())
    # used once: nothing is left waiting
    assert list((settings.VAR_DIR / "pending-photos").iterdir()) == []


def test_a_photo_kept_in_another_session_reaches_no_one(client: Client, agency: Agency) -> None:
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    token = _kept_token(client.post("/en/evisa/apply/", _form(entry_date=far)).content.decode())

    stranger = Client()
    response = stranger.post("/en/evisa/apply/", _form(photo="", photo_kept=token))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error_photo"' in page and "Photo kept" not in page
    assert not VisaApplication.objects.exists()


def test_a_photo_refused_by_its_checks_is_not_kept(client: Client, agency: Agency) -> None:
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    bad = SimpleUploadedFile("me.png", b"not a picture", "image/png")
    page = client.post("/en/evisa/apply/", _form(entry_date=far, photo=bad)).content.decode()
    assert 'id="error_photo"' in page
    assert "photo_kept" not in page and "Photo kept" not in page


def test_a_photo_kept_for_a_day_without_its_application_is_removed(
    client: Client, agency: Agency, settings: Settings
) -> None:
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    token = _kept_token(client.post("/en/evisa/apply/", _form(entry_date=far)).content.decode())
    (stored,) = (settings.VAR_DIR / "pending-photos").iterdir()
    day_ago = time.time() - 25 * 3600
    os.utime(stored, (day_ago, day_ago))

    # the next form sent (anyone's) clears it; its token then names nothing
    Client().post("/en/evisa/apply/", _form(entry_date=far, photo=""))
    assert not stored.exists()
    response = client.post("/en/evisa/apply/", _form(photo="", photo_kept=token))
    assert response.status_code == 422
    assert not VisaApplication.objects.exists()


def test_no_photo_is_kept_once_the_kept_photos_fill_their_room(
    client: Client, agency: Agency, settings: Settings
) -> None:
    """Forms sent with errors over and over cannot fill the disk: past the room given to
    kept photos, the photo is asked for again, as before photos were kept."""
    settings.UMIS_PENDING_PHOTOS_MB = 1
    directory = settings.VAR_DIR / "pending-photos"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ("0" * 32)).write_bytes(b"\0" * (1024 * 1024))
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    page = client.post("/en/evisa/apply/", _form(entry_date=far)).content.decode()
    assert "photo_kept" not in page
    assert "Choose the photo again: a photo is not kept when the form has errors." in page
    assert len(list(directory.iterdir())) == 1


def _photo_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo_png())).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def test_a_kept_photo_is_stored_encrypted_and_read_back_only_through_its_session(
    client: Client, agency: Agency, settings: Settings
) -> None:
    """A copy of the directory of kept photos shows no one's picture: each is encrypted
    under a key derived from the secret held in its browser's session."""
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    jpeg = SimpleUploadedFile("me.jpg", _photo_jpeg(), "image/jpeg")
    page = client.post("/en/evisa/apply/", _form(entry_date=far, photo=jpeg)).content.decode()
    (stored,) = (settings.VAR_DIR / "pending-photos").iterdir()
    on_disk = stored.read_bytes()
    assert b"\xff\xd8\xff" not in on_disk and b"JFIF" not in on_disk
    assert _photo_jpeg()[200:264] not in on_disk

    response = client.post("/en/evisa/apply/", _form(photo="", photo_kept=_kept_token(page)))
    assert response.status_code == 302
    assert bytes(VisaApplication.objects.get().photo) == photo_clean(_photo_jpeg())


def test_a_kept_photo_is_read_by_no_other_sessions_secret(
    client: Client, agency: Agency, settings: Settings
) -> None:
    """Even a token signed for another session naming the same stored file (the server's
    key and a copy of the directory, without the sessions) reads nothing."""
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    client.post("/en/evisa/apply/", _form(entry_date=far))
    (stored,) = (settings.VAR_DIR / "pending-photos").iterdir()
    own = {pending.SESSION_KEY: client.session[pending.SESSION_KEY]}
    other = {pending.SESSION_KEY: "another-browsers-secret-0123456789"}
    for session in (own, other):
        session["token"] = signing.dumps(
            {"id": stored.name, "name": "me.png"}, salt=pending._salt(session)
        )
    assert pending.pending_photo_read(session=own, token=own["token"]) is not None
    assert pending.pending_photo_read(session=other, token=other["token"]) is None


def test_a_kept_photo_altered_on_disk_is_refused_and_asked_for_again(
    client: Client, agency: Agency, settings: Settings
) -> None:
    far = (clock.today() + dt.timedelta(days=200)).isoformat()
    directory = settings.VAR_DIR / "pending-photos"
    for alter in (
        lambda stored: photo_png(width=500, height=600),  # another picture in its place
        lambda stored: stored[:-1] + bytes([stored[-1] ^ 1]),  # one bit changed
    ):
        token = _kept_token(client.post("/en/evisa/apply/", _form(entry_date=far)).content.decode())
        (path,) = directory.iterdir()
        path.write_bytes(alter(path.read_bytes()))

        response = client.post("/en/evisa/apply/", _form(photo="", photo_kept=token))
        assert response.status_code == 422
        page = response.content.decode()
        assert (
            '<p class="error" id="error_photo" role="alert">Upload a photo (JPEG or PNG).</p>'
            in page
        )
        assert "Photo kept" not in page
        assert not VisaApplication.objects.exists()
        assert list(directory.iterdir()) == []
