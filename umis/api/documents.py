"""Public document services: MRZ reading, seal verification, signer certificates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router

from umis.api.schemas import (
    PUBLIC_BODY_ERRORS,
    PUBLIC_ERRORS,
    PUBLIC_NO_INPUT_ERRORS,
    MrzIn,
    SignerKeyOut,
    VerifyOut,
)
from umis.core.errors import DomainError
from umis.documents.models import SignerKey
from umis.documents.services import document_verify
from umis.people import mrz

router = Router(tags=["Documents"])


@router.post(
    "/documents/mrz",
    response={200: dict[str, Any], **PUBLIC_BODY_ERRORS},
    summary="Read a machine-readable zone",
    auth=None,
)
def read_mrz(request: HttpRequest, payload: MrzIn) -> dict[str, Any]:
    """Returns the document format and type, the fields, and the result of every check digit (ICAO Doc 9303).

    Visas are read too (format MRVA or MRVB, document_type visa); a registration refuses them.
    A P document whose holder's nationality is XXA, XXB or XXC is a stateless person's or
    refugee's travel document (document_type travel_document, document_code P)."""
    lines = payload.lines
    if len(lines) == 1 and len(lines[0]) <= mrz.MRZ_TEXT_MAX:  # a zone sent as one text
        lines = mrz.split_mrz_text(lines[0])
    if any(len(line) > mrz.MRZ_LINE_MAX for line in lines):
        raise DomainError(
            "mrz_line_length", _("A machine-readable zone line has at most 44 characters."), "lines"
        )
    try:
        return mrz.parse_mrz(lines).to_dict()
    except mrz.MrzError as exc:
        raise DomainError(exc.code, exc.message, "lines") from exc


@router.get(
    "/documents/verify/{code}",
    response={200: VerifyOut, **PUBLIC_ERRORS},
    summary="Verify an issued document",
    auth=None,
)
def verify(request: HttpRequest, code: str) -> dict[str, Any]:
    """genuine / annulled / expired / unknown, with the minimum data needed to compare with the holder."""
    return document_verify(code=code[:2000]).to_dict()


@router.get(
    "/documents/signer-keys",
    response={200: list[SignerKeyOut], **PUBLIC_NO_INPUT_ERRORS},
    summary="Published document-signer certificates",
    auth=None,
)
def signer_keys(request: HttpRequest) -> list[SignerKey]:
    """All certificates ever used to seal documents (retired ones too, so old documents verify offline)."""
    return list(SignerKey.objects.order_by("-created_at"))
