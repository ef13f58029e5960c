"""The applicant's photo: checked by what it is, not by its name; re-encoded, so no
metadata (GPS position) and nothing hidden in it survives; kept without the uploaded file
name; served to officers as a JPEG under a name of ours."""

from __future__ import annotations

import base64
import html
import io
import json
import random
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from umis.core.errors import DomainError
from umis.visas.models import VisaApplication
from umis.visas.photo import photo_clean
from umis.visas.testing import application, photo_png, traveller
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"


def _form(photo: SimpleUploadedFile) -> dict[str, object]:
    fields = {k: v for k, v in application().items() if k != "applicants"}
    person = {k: v for k, v in traveller().items() if k != "photo"}
    return {**fields, **person, "region": "baku", "photo": photo}


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 24.0, 0.0), 3: "E", 4: (49.0, 52.0, 0.0)}  # GPS
    exif[0x010F] = "SpyCam"
    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), (10, 20, 30)).save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_with_script() -> bytes:
    """A real PNG carrying a script in a text chunk and after its end."""
    png = photo_png()
    end = png.rindex(b"IEND") - 4
    return png[:end] + _png_chunk(b"tEXt", b"Comment\x00" + SCRIPT) + png[end:] + SCRIPT


def _upload(client: Client, name: str, data: bytes, content_type: str) -> int:
    response = client.post("/en/evisa/apply/", _form(SimpleUploadedFile(name, data, content_type)))
    return response.status_code


def _officer_photo(agency: Agency) -> tuple[VisaApplication, object]:
    app = VisaApplication.objects.select_related("case").get()
    officer = Client()
    officer.force_login(agency.world.alice)
    return app, officer.get(f"/en/office/evisa/{app.case.reference}/photo.jpg")


def test_a_photo_with_its_gps_position_is_kept_and_served_without_it(
    client: Client, agency: Agency
) -> None:
    assert _upload(client, "IMG_0001.jpg", _jpeg_with_gps(), "image/jpeg") == 302
    app, response = _officer_photo(agency)
    assert response.status_code == 200  # type: ignore[attr-defined]
    served: bytes = response.content  # type: ignore[attr-defined]
    assert served == bytes(app.photo)
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.info.get("exif") is None
    assert b"SpyCam" not in served and b"Exif" not in served
    assert response["Content-Type"] == "image/jpeg"  # type: ignore[index]
    assert (
        response["Content-Disposition"]  # type: ignore[index]
        == f'inline; filename="{app.case.reference}-photo.jpg"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert response["Cache-Control"] == "no-store"  # type: ignore[index]


def test_a_png_named_jpg_with_a_script_inside_is_re_encoded_without_it(
    client: Client, agency: Agency
) -> None:
    upload = _png_with_script()
    with Image.open(io.BytesIO(upload)) as check:  # the upload is a readable PNG
        assert check.format == "PNG" and check.text.get("Comment") == SCRIPT.decode()
    assert _upload(client, '"><img src=x>.jpg', upload, "image/jpeg") == 302
    app, response = _officer_photo(agency)
    stored = bytes(app.photo)
    assert stored.startswith(b"\xff\xd8\xff")
    assert b"<script" not in stored and b"script" not in response.content  # type: ignore[attr-defined]
    assert b"<img" not in response["Content-Disposition"].encode()  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", b"<html><body>" + SCRIPT + b"</body></html>"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + SCRIPT * 50),  # a JPEG's first bytes, then a page
        ("photo.png", b"GIF89a" + SCRIPT),
        ("photo.png", b"%PDF-1.4\n" + SCRIPT),
    ],
)
def test_what_is_not_a_jpeg_or_png_is_refused_whatever_its_name(
    client: Client, agency: Agency, name: str, data: bytes
) -> None:
    response = client.post("/en/evisa/apply/", _form(SimpleUploadedFile(name, data, "image/jpeg")))
    assert response.status_code == 422
    assert 'id="error_photo"' in response.content.decode()
    assert not VisaApplication.objects.exists()


# A PNG header for a 400x500 image with no image data (IHDR + IEND, 57 bytes).
PNG_WITHOUT_IDAT = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 400, 500, 8, 2, 0, 0, 0))
    + _png_chunk(b"IEND", b"")
)


def _jpeg_turned_with_odd_exif() -> bytes:
    """A 400x500 camera JPEG to be turned a quarter right (Orientation=6), whose EXIF also
    holds a tag stored with an unexpected type."""
    tiff = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 2)
    tiff += struct.pack(">HHI", 0x0155, 2, 4) + b"cam\x00"  # SMinSampleValue as ASCII
    tiff += struct.pack(">HHI", 0x0112, 3, 1) + struct.pack(">HH", 6, 0)  # Orientation
    tiff += struct.pack(">I", 0)
    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), (200, 180, 160)).save(
        buffer, format="JPEG", exif=b"Exif\x00\x00" + tiff
    )
    return buffer.getvalue()


def test_a_png_without_image_data_is_refused_in_the_portal_in_the_readers_language(
    agency: Agency,
) -> None:
    client = Client(raise_request_exception=False)
    upload = SimpleUploadedFile("me.png", PNG_WITHOUT_IDAT, "image/png")
    response = client.post("/ru/evisa/apply/", _form(upload))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error_photo"' in page
    assert "Фото не удалось прочитать как изображение." in page
    assert not VisaApplication.objects.exists()


def test_a_png_without_image_data_is_refused_by_the_api(agency: Agency) -> None:
    client = Client(raise_request_exception=False)
    body = application(traveller(photo=base64.b64encode(PNG_WITHOUT_IDAT).decode()))
    response = client.post(
        "/api/v1/evisa/applications",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-API-Key": agency.key},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "applicants.0.photo"
    assert response.json()["error"]["code"] == "photo_not_image"
    assert not VisaApplication.objects.exists()


def test_a_turned_camera_photo_with_odd_exif_is_kept_upright(
    client: Client, agency: Agency
) -> None:
    upload = _jpeg_turned_with_odd_exif()
    assert _upload(client, "IMG_0002.jpg", upload, "image/jpeg") == 302
    app = VisaApplication.objects.get()
    with Image.open(io.BytesIO(bytes(app.photo))) as stored:
        assert stored.size == (500, 400)  # turned as the camera said, then stripped
        assert not stored.getexif()


def _mutants(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)  # noqa: S311 - a fixed corpus, not a secret
    jpeg = io.BytesIO()
    Image.new("RGB", (240, 260), (90, 120, 150)).save(jpeg, format="JPEG")
    samples = [jpeg.getvalue(), photo_png(240, 260), _jpeg_turned_with_odd_exif()]
    out = []
    for _ in range(count):
        data = bytearray(rng.choice(samples))
        if rng.random() < 0.3:
            del data[rng.randrange(8, len(data)) :]
        for _flip in range(rng.randrange(1, 6)):
            data[rng.randrange(3, len(data))] = rng.randrange(256)
        out.append(bytes(data))
    return out


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_a_damaged_photo_is_refused_or_re_encoded_never_an_error() -> None:
    for data in _mutants(seed=20261123, count=300):
        try:
            cleaned = photo_clean(data)
        except DomainError as exc:
            assert exc.code in {"photo_not_image", "photo_too_small", "photo_dimensions"}
        else:
            assert cleaned.startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize(
    ("prefix", "words"), [("", "şəkli"), ("/en", "Photo of"), ("/ru", "Фотография:")]
)
def test_the_case_page_names_whose_photo_it_shows(
    client: Client, agency: Agency, prefix: str, words: str
) -> None:
    """A screen reader reads whose photo the officer is looking at, not a bare "Photo"."""
    assert _upload(client, "me.png", photo_png(), "image/png") == 302
    app = VisaApplication.objects.select_related("case", "person").get()
    officer = Client()
    officer.force_login(agency.world.alice)
    page = officer.get(f"{prefix}/office/evisa/{app.case.reference}/").content.decode()

    (alt,) = re.findall(r'<img src="[^"]*photo\.jpg" alt="([^"]*)"', page)
    assert words in alt and html.escape(app.person.full_name) in alt


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "Foto faylı boşdur (0 bayt). Fotonun faylını yenidən seçin."),
        ("/en", "The photo file is empty (0 bytes). Choose the file of your photo again."),
        ("/ru", "Файл фото пуст (0 байт). Выберите файл с фото ещё раз."),
    ],
)
def test_an_empty_photo_file_is_refused_saying_it_is_empty(
    agency: Agency, prefix: str, message: str
) -> None:
    """A file of 0 bytes (a download cut short, a file still syncing) was chosen: "Upload a
    photo" would not tell the applicant what is wrong with the one he chose."""
    response = Client().post(
        f"{prefix}/evisa/apply/", _form(SimpleUploadedFile("me.jpg", b"", "image/jpeg"))
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="error" id="error_photo" role="alert">{message}</p>' in page
    assert not VisaApplication.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "Foto 5 MB-dan böyükdür. Daha kiçik fayl seçin və ya fotonu daha kiçik saxlayın."),
        ("/en", "The photo is larger than 5 MB. Choose a smaller file, or save the photo smaller."),
        ("/ru", "Фото больше 5 МБ. Выберите файл меньше или сохраните фото в меньшем размере."),
    ],
)
def test_a_photo_over_5_mb_is_refused_saying_what_to_do(
    agency: Agency, prefix: str, message: str
) -> None:
    big = SimpleUploadedFile(
        "me.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "image/png"
    )
    response = Client().post(f"{prefix}/evisa/apply/", _form(big))
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="error" id="error_photo" role="alert">{message}</p>' in page
    assert not VisaApplication.objects.exists()
