from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from umis.audit.services import audit_record
from umis.core.errors import NotFound
from umis.stays.models import Host, StayRegistration


def host_for_user(*, user: Any) -> Host | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Host.objects.select_related("region").filter(members=user).order_by("id").first()


def stay_registrations_current(*, host: Host) -> QuerySet[StayRegistration]:
    return (
        StayRegistration.objects.filter(host=host, active=True)
        .select_related("person", "person__nationality", "travel_document", "case", "region")
        .order_by("-arrival_date", "-id")
    )


def stay_registration_get_for_host(*, user: Any, host: Host, reference: str) -> StayRegistration:
    """A registration of this host's, or NotFound (the attempt is audited)."""
    reg = (
        StayRegistration.objects.select_related(
            "person", "person__nationality", "travel_document", "case", "region", "host"
        )
        .filter(host=host, case__reference=reference)
        .first()
    )
    if reg is None:
        audit_record(
            actor=user,
            action="STAY_REGISTRATION_ACCESS_DENIED",
            entity_type="stays.stayregistration",
            entity_id=reference[:60],
        )
        raise NotFound("not_found", "Not found")
    return reg


def stay_registration_for_case(*, case_id: int) -> StayRegistration | None:
    return (
        StayRegistration.objects.select_related(
            "host", "region", "travel_document", "travel_document__issuing_state"
        )
        .filter(case_id=case_id)
        .first()
    )
