"""The two bare endpoints (see the package's docstring)."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI, Schema
from pydantic import Field, StringConstraints

from bare.models import BareRegistration

Text = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=3)]


class Guest(Schema):
    surname: Text
    given_names: Text
    birth_date: dt.date
    sex: Annotated[str, StringConstraints(pattern="^[MFX]$")]
    nationality: Code
    document_type: Annotated[str, StringConstraints(max_length=20)]
    document_number: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    issuing_state: Code
    document_expiry: dt.date
    region: Annotated[str, StringConstraints(max_length=40)]
    city: Text
    street: Text
    arrival_date: dt.date
    planned_departure: dt.date


class Batch(Schema):
    items: list[Guest] = Field(max_length=1000)


api = NinjaAPI(urls_namespace="bare")


@api.post("/stay-registrations", response={201: dict})
def one(request: HttpRequest, payload: Guest) -> tuple[int, dict[str, int]]:
    row = BareRegistration.objects.create(**payload.model_dump())
    return 201, {"id": row.pk}


@api.post("/stay-registrations/bulk")
def bulk(request: HttpRequest, payload: Batch) -> dict[str, int]:
    rows = BareRegistration.objects.bulk_create(
        [BareRegistration(**item.model_dump()) for item in payload.items]
    )
    return {"accepted": len(rows)}


urlpatterns = [path("bare/", api.urls)]
