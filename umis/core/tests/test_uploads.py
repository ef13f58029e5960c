"""An oversized upload is not stored whole: of each file at most the request limit (plus
one 64 KB chunk) is kept while it arrives, so a 50 MB or 5 GB "photo" cannot fill the disk
before the view refuses it."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from pytest_django.fixtures import Settings as SettingsWrapper

CHUNK = 64 * 1024


def test_an_upload_is_kept_only_up_to_the_limit(settings: SettingsWrapper) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    big = b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024)
    small = b"\x89PNG\r\n\x1a\n" + b"1" * 1000
    request = RequestFactory().post(
        "/evisa/apply/",
        {
            "photo": SimpleUploadedFile("me.jpg", big, "image/jpeg"),
            "t2-photo": SimpleUploadedFile("you.png", small, "image/png"),
            "surname": "Müller",
        },
    )
    kept = request.FILES["photo"]
    assert 1024 * 1024 < kept.size <= 1024 * 1024 + CHUNK  # still seen as too large
    assert kept.read(3) == b"\xff\xd8\xff"
    assert request.FILES["t2-photo"].read() == small  # a file under the limit is untouched
    assert request.POST["surname"] == "Müller"
