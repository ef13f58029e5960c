"""Uploaded files are size-limited while they arrive: of each file at most
`UMIS_MAX_REQUEST_BYTES` (and one chunk past it) is kept, in memory or in a temporary file;
the rest of an oversized upload is read off the connection and dropped. A view still sees
that the file was too large (its size is above any field's limit) and says so; the disk
never holds more."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class UploadSizeLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes a file's chunks on up to the limit."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None  # dropped: the handlers after this one never see it
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handler makes the file
