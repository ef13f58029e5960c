"""E-visa API for travel agencies: apply (1–10 travellers, one payment), follow, download."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from umis.accounts.models import Scope
from umis.api.auth import ApiKeyAuth
from umis.api.idempotency import request_idempotent
from umis.api.schemas import CONFLICT_ERRORS, ERRORS, PDF_ANSWER, BodyIn, how_many, longest
from umis.audit.services import AuditEntry, audit_record, audit_record_many
from umis.core.errors import NotFound
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_url
from umis.people.validation import COUNTRY_CODE_MAX, DATE_MAX, NAME_MAX, SEX_MAX
from umis.visas import documents, selectors, services, validation, workflow
from umis.visas.models import VisaApplication

router = Router(tags=["E-visa"], auth=ApiKeyAuth(Scope.EVISA))


class TravellerIn(BodyIn):
    """A traveller as in the passport: the fields, or `mrz` (the passport's two lines)."""

    mrz: list[str] | str | None = None
    surname: str | None = Field(None, json_schema_extra=longest(NAME_MAX))
    given_names: str | None = Field(None, json_schema_extra=longest(NAME_MAX))
    birth_date: str | None = Field(
        None, description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX)
    )
    sex: str | None = Field(None, description="M, F or X", json_schema_extra=longest(SEX_MAX))
    nationality: str | None = Field(
        None,
        description="ISO alpha-2/alpha-3 or ICAO code",
        json_schema_extra=longest(COUNTRY_CODE_MAX),
    )
    issuing_state: str | None = Field(None, json_schema_extra=longest(COUNTRY_CODE_MAX))
    document_number: str | None = Field(
        None, json_schema_extra=longest(validation.PASSPORT_NUMBER_MAX)
    )
    document_expiry: str | None = Field(
        None, description="YYYY-MM-DD", json_schema_extra=longest(DATE_MAX)
    )
    photo: str | None = Field(None, description="JPEG or PNG, base64, at most 5 MB")


class EvisaApplicationIn(BodyIn):
    purpose: str | None = Field(
        None,
        description="tourism, business, visit, treatment, other",
        json_schema_extra=longest(validation.PURPOSE_MAX),
    )
    entry_date: str | None = Field(
        None,
        description="YYYY-MM-DD, at most 90 days ahead",
        json_schema_extra=longest(DATE_MAX),
    )
    stay_days: int | None = Field(
        None,
        description="1–30; the stay must end within the e-visa's validity, 90 days from its "
        "issue (at the earliest today): else 422 `stay_beyond_validity`",
    )
    speed: str | None = Field(
        None,
        description="standard (3 working days) or urgent (3 hours)",
        json_schema_extra=longest(validation.SPEED_MAX),
    )
    email: str | None = Field(None, json_schema_extra=longest(validation.EMAIL_MAX))
    region: str | None = Field(
        None,
        description="region code of the address in Azerbaijan",
        json_schema_extra=longest(validation.REGION_CODE_MAX),
    )
    city: str | None = Field(None, json_schema_extra=longest(validation.CITY_MAX))
    street: str | None = Field(None, json_schema_extra=longest(validation.STREET_MAX))
    client_reference: str | None = Field(
        None, json_schema_extra=longest(validation.CLIENT_REFERENCE_MAX)
    )
    applicants: list[TravellerIn] = Field(
        default_factory=list,
        description="1–10 travellers",
        json_schema_extra=how_many(1, validation.MAX_GROUP),
    )


class EvisaTravellerOut(Schema):
    reference: str
    state: str
    passport_number: str
    visa_number: str | None = None
    reasons: list[dict[str, str]] = []
    verify_url: str | None = None
    evisa_url: str | None = None


class EvisaApplicationOut(Schema):
    reference: str
    payment_number: str
    payment_status: str
    amount: str
    currency: str
    payment_url: str | None = Field(
        None,
        description="the gateway's page to pay the fee (send the payer there) while "
        "payment_status is pending; null once it is paid",
    )
    travellers: list[EvisaTravellerOut]


def _out(
    request: HttpRequest, apps: list[VisaApplication], payment_url: str | None
) -> dict[str, Any]:
    order = apps[0].payment_order
    docs = {
        d.case_id: d
        for d in IssuedDocument.objects.filter(
            case_id__in=[a.case_id for a in apps], kind=IssuedDocument.Kind.EVISA
        )
    }
    group = apps[0].group_reference
    return {
        "reference": group,
        "payment_number": order.number,
        "payment_status": order.status,
        "amount": str(order.amount),
        "currency": order.currency,
        "payment_url": payment_url,
        "travellers": [
            {
                "reference": a.case.reference,
                "state": a.case.state,
                "passport_number": a.travel_document.number,
                "visa_number": a.visa_number or None,
                "reasons": [],  # the screening reasons are for officers only
                "verify_url": document_verify_url(docs[a.case_id]) if a.case_id in docs else None,
                "evisa_url": request.build_absolute_uri(
                    f"/api/v1/evisa/applications/{group}/{a.case.reference}/evisa.pdf"
                )
                if a.case.state == workflow.ISSUED
                else None,
            }
            for a in apps
        ],
    }


@router.post(
    "/evisa/applications",
    response={201: EvisaApplicationOut, **CONFLICT_ERRORS},
    summary="Apply for e-visas (1–10 travellers, one payment)",
)
def apply(request: HttpRequest, payload: EvisaApplicationIn) -> HttpResponse:
    """Nothing is stored if any traveller is refused (errors name `applicants.N.field`, as `applicants.0.photo`).
    Send the payer to `payment_url`; the decision follows the payment within seconds."""

    def work() -> tuple[int, dict[str, Any]]:
        submission = services.visa_applications_submit(
            actor=request.user,
            raw=payload.model_dump(),
            language=(get_language() or "az")[:2],
        )
        return 201, _out(request, submission.applications, submission.payment_url)

    status, body = request_idempotent(request, work)
    return HttpResponse(
        json.dumps(body, default=str), status=status, content_type="application/json"
    )


def _group(request: HttpRequest, reference: str) -> list[VisaApplication]:
    apps = selectors.group_for_client(user=request.user, reference=reference)
    if not apps:
        audit_record(
            actor=request.user,
            action="EVISA_ACCESS_DENIED",
            entity_type="visas.visaapplication",
            entity_id=reference[:60],
        )
        raise NotFound("not_found", _("Application not found."))
    audit_record_many(
        actor=request.user,
        entries=[
            AuditEntry(
                "EVISA_VIEWED", a, person_id=a.person_id, data={"reference": a.case.reference}
            )
            for a in apps
        ],
    )
    return apps


@router.get(
    "/evisa/applications/{reference}",
    response={200: EvisaApplicationOut, **ERRORS},
    summary="Status of an application",
)
def status(request: HttpRequest, reference: str) -> dict[str, Any]:
    """`payment_url` is given again while the fee is pending (the same link as when applying)."""
    apps = _group(request, reference)
    order = apps[0].payment_order
    return _out(
        request,
        apps,
        services.visa_payment_url(order=order, group_reference=apps[0].group_reference),
    )


@router.get(
    "/evisa/applications/{reference}/{case_reference}/evisa.pdf",
    response={200: None, **ERRORS},
    summary="The e-visa as PDF",
    openapi_extra=PDF_ANSWER,
)
def evisa_pdf(request: HttpRequest, reference: str, case_reference: str) -> HttpResponse:
    for app in _group(request, reference):
        if app.case.reference == case_reference and app.case.state == workflow.ISSUED:
            return HttpResponse(documents.evisa_pdf(app), content_type="application/pdf")
    raise NotFound("not_found", _("No e-visa is issued for this application."))
