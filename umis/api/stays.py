"""Place-of-stay registration API for hotels and landlords."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from umis.accounts.models import Scope
from umis.api.auth import ApiKeyAuth
from umis.api.idempotency import request_idempotent
from umis.api.schemas import (
    CONFLICT_ERRORS,
    ERRORS,
    NO_OBJECT_ERRORS,
    PDF_ANSWER,
    AnnulledOut,
    BulkIn,
    BulkOut,
    EndIn,
    GuestOut,
    StayRegistrationIn,
    StayRegistrationItemIn,
    StayRegistrationOut,
    unknown_fields,
)
from umis.core.errors import DomainError, Gone, PermissionDenied, ValidationFailed
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_url
from umis.stays import selectors, services
from umis.stays.documents import certificate_pdf
from umis.stays.models import Host, StayRegistration
from umis.stays.validation import client_reference_read

router = Router(tags=["Place-of-stay registration"], auth=ApiKeyAuth(Scope.STAY_REGISTRATIONS))
MAX_OFFSET = 10**9  # far past any host's list; a bigger one overflows the database's integers


class Paging(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(100, ge=1, le=500, description="1 to 500")


def _host(request: HttpRequest) -> Host:
    host = selectors.host_for_user(user=request.user)
    if host is None:
        raise PermissionDenied("no_host", _("This account is not linked to a hotel or landlord."))
    return host


def _move(move: selectors.Move | None) -> dict[str, Any] | None:
    if move is None:
        return None
    return {
        "same_host": move.same_host,
        "moved_on": move.moved_on,
        "deadline": move.deadline,
        "previous_registration_ended": True,
        "message": move.notice(),
    }


TAKEN_OVER = "own_filing_taken_over"


def _taken_over(taken_over: selectors.TakeOver | None) -> dict[str, Any] | None:
    if taken_over is None:
        return None
    return {
        "code": TAKEN_OVER,
        "ended_registrations": list(taken_over.registrations),
        "ended_on": taken_over.ended_on,
        "message": taken_over.notice(),
    }


def _out(
    reg: StayRegistration,
    request: HttpRequest,
    document: IssuedDocument | None = None,
    move: selectors.Move | None = None,
    taken_over: selectors.TakeOver | None = None,
    *,
    fresh: bool = False,
) -> dict[str, Any]:
    """The registration as its host reads it; `fresh`: in the answer to the intake, whose
    result says what it moved from and took over."""
    if document is None:
        document = selectors.stay_registration_certificate(registration=reg)
    if move is None and not fresh:
        move = selectors.stay_registration_move(registration=reg)
    if taken_over is None and not fresh:
        taken_over = selectors.stay_registration_taken_over(registration=reg)
    annulment = selectors.stay_registration_annulment(registration=reg)
    return {
        "reference": reg.case.reference,
        "registration_number": reg.case.reference,
        "state": reg.case.state,
        "person_id": reg.person_id,
        "surname": reg.surname,
        "given_names": reg.given_names,
        "patronymic": reg.patronymic,
        "birth_date": reg.birth_date,
        "birth_year_only": reg.birth_year_only,
        "sex": reg.sex,
        "nationality": reg.nationality_id or "",
        "late": reg.late,
        "arrival_date": reg.arrival_date,
        "planned_departure": reg.planned_departure,
        "certificate_url": None  # gone: its link answers 410
        if annulment
        else request.build_absolute_uri(
            f"/api/v1/stay-registrations/{reg.case.reference}/certificate.pdf"
        ),
        "verify_url": document_verify_url(document) if document else "",
        "client_reference": reg.client_reference,
        "move": _move(move),
        "taken_over": _taken_over(taken_over),
        "annulled_on": annulment.on if annulment else None,
    }


def _respond(status: int, payload: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(payload, default=str), status=status, content_type="application/json"
    )


@router.post(
    "/stay-registrations",
    response={201: StayRegistrationOut, **CONFLICT_ERRORS},
    summary="Register one guest",
)
def register_one(request: HttpRequest, payload: StayRegistrationIn) -> HttpResponse:
    host = _host(request)

    def work() -> tuple[int, dict[str, Any]]:
        result = services.stay_registrations_submit(
            actor=request.user, host=host, raws=[payload.model_dump()]
        )[0]
        if result.registration is None:
            raise ValidationFailed(result.errors)
        return 201, _out(
            result.registration,
            request,
            result.certificate,
            result.move,
            result.taken_over,
            fresh=True,
        )

    status, body = request_idempotent(request, work)
    return _respond(status, body)


@router.post(
    "/stay-registrations/bulk",
    response={200: BulkOut, **CONFLICT_ERRORS},
    summary="Register up to 1,000 guests",
)
def register_bulk(request: HttpRequest, payload: BulkIn) -> HttpResponse:
    """Each item is accepted or refused with its own errors; an item with a value of another
    type (a number for a text: `invalid`) or a field it does not know (`unknown_field`) is
    refused alone, as for any other mistake in it. An item's errors name its fields alone
    (`nationality`, `surname`, `patronimic`), the item being the one at its `index`; an
    error outside the items names its path (`items`: missing, not a list, empty) and refuses
    the request. Send an `Idempotency-Key` header so a retried batch never duplicates."""
    host = _host(request)
    known = StayRegistrationItemIn.model_fields.keys()
    if not payload.items:  # a batch of nothing did nothing and answered 200
        raise DomainError("required", _("Send at least one item."), "items")
    if len(payload.items) > services.MAX_BATCH:
        raise DomainError(
            "batch_too_large",
            _("At most %(n)d registrations per request.") % {"n": services.MAX_BATCH},
            "items",
        )

    def work() -> tuple[int, dict[str, Any]]:
        raws = [i.sent for i in payload.items]
        # an item with a value of another type or a field it does not know is refused
        # alone, before any rule reads it
        unknown = {
            i: errors
            for i, item in enumerate(payload.items)
            if (errors := [*item.type_errors, *unknown_fields(item.extra, known)])
        }
        kept = [i for i in range(len(raws)) if i not in unknown]
        submitted = (
            services.stay_registrations_submit(
                actor=request.user, host=host, raws=[raws[i] for i in kept]
            )
            if kept
            else []
        )
        for r in submitted:
            r.index = kept[r.index]
        results = sorted(
            [*submitted, *(services.ItemResult(index=i, errors=e) for i, e in unknown.items())],
            key=lambda r: r.index,
        )
        accepted = [r.registration for r in results if r.registration is not None]
        items = []
        for r in results:
            if r.registration is not None:
                items.append(
                    {
                        "index": r.index,
                        "status": "accepted",
                        "reference": r.registration.case.reference,
                        "verify_url": document_verify_url(r.certificate) if r.certificate else None,
                        "client_reference": r.registration.client_reference,
                        "late": r.registration.late,
                        "state": r.registration.case.state,
                        "move": _move(r.move),
                        "taken_over": _taken_over(r.taken_over),
                        "errors": [],
                    }
                )
            else:
                items.append(
                    {
                        "index": r.index,
                        "status": "refused",
                        "client_reference": client_reference_read(raws[r.index]),
                        "errors": [e.to_dict() for e in r.errors],
                    }
                )
        return 200, {
            "accepted": len(accepted),
            "refused": len(results) - len(accepted),
            "items": items,
        }

    status, body = request_idempotent(request, work)
    return _respond(status, body)


@router.get(
    "/stay-registrations",
    response={200: list[GuestOut], **NO_OBJECT_ERRORS},
    summary="Current guests",
)
def current_guests(request: HttpRequest, paging: Query[Paging]) -> list[dict[str, Any]]:
    host = _host(request)
    limit, offset = paging.limit, paging.offset
    regs = selectors.stay_registrations_current(host=host)[offset : offset + limit]
    return [
        {
            "reference": r.case.reference,
            "surname": r.surname,
            "given_names": r.given_names,
            "patronymic": r.patronymic,
            "nationality": r.nationality_id or "",
            "document_number": r.travel_document.number,
            "arrival_date": r.arrival_date,
            "planned_departure": r.planned_departure,
            "state": r.case.state,
            "client_reference": r.client_reference,
        }
        for r in regs
    ]


@router.get(
    "/stay-registrations/{reference}",
    response={200: StayRegistrationOut, **ERRORS},
    summary="One registration",
)
def registration_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    host = _host(request)
    reg = selectors.stay_registration_get_for_host(
        user=request.user, host=host, reference=reference
    )
    return _out(reg, request)


@router.post(
    "/stay-registrations/{reference}/end",
    response={200: StayRegistrationOut, **CONFLICT_ERRORS},
    summary="The guest has left",
)
def registration_end(request: HttpRequest, reference: str, payload: EndIn) -> HttpResponse:
    """With an `Idempotency-Key`, a retry gets the first answer back."""
    host = _host(request)
    reg = selectors.stay_registration_get_for_host(
        user=request.user, host=host, reference=reference
    )

    def work() -> tuple[int, dict[str, Any]]:
        ended = services.stay_registration_end(
            actor=request.user, registration=reg, left_on=payload.left_on
        )
        return 200, _out(ended, request)

    return _respond(*request_idempotent(request, work))


@router.get(
    "/stay-registrations/{reference}/certificate.pdf",
    response={200: None, 410: AnnulledOut, **ERRORS},
    summary="Registration certificate (PDF)",
    openapi_extra=PDF_ANSWER,
    description="The certificate of an annulled registration is gone (410, code"
    " `registration_annulled`): the answer gives the day and the legal ground of the"
    " annulment and the link where the certificate verifies as annulled.",
)
def registration_certificate(request: HttpRequest, reference: str) -> HttpResponse:
    host = _host(request)
    reg = selectors.stay_registration_get_for_host(
        user=request.user, host=host, reference=reference
    )
    annulment = selectors.stay_registration_annulment(registration=reg)
    if annulment is not None:  # as the web link's page: the day, the ground, where it verifies
        document = selectors.stay_registration_certificate(registration=reg)
        ground = annulment.legal_ground
        raise Gone(
            "registration_annulled",
            _("This registration certificate has been annulled"),
            details={
                "annulled_on": annulment.on.isoformat(),
                "legal_ground": (
                    {"code": ground.code, "name": ground.name, "article": ground.cited}
                    if ground
                    else None
                ),
                "verify_url": document_verify_url(document) if document else "",
            },
        )
    response = HttpResponse(certificate_pdf(reg), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{reg.case.reference}.pdf"'
    return response
