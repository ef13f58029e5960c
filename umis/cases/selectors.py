from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from umis.accounts.models import Role
from umis.audit.services import audit_record
from umis.cases.models import Case, CaseEvent
from umis.core.errors import NotFound
from umis.core.text import storable


def case_scope_for_user(user: Any) -> QuerySet[Case]:
    """The cases a user may see: head-office officers all, regional officers their office's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if user.role == Role.HEAD_OFFICER:
        return Case.objects.all()
    if user.role == Role.REGIONAL_OFFICER and user.office_id:
        return Case.objects.filter(office_id=user.office_id)
    return Case.objects.none()


def case_get_for_user(
    *, user: Any, reference: str, purpose: str = "case work", for_update: bool = False
) -> Case:
    """A case the user may see, or NotFound, with the read (or the refused attempt) audited."""
    qs = case_scope_for_user(user).select_related(
        "applicant", "applicant__nationality", "office", "assignee"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    known = storable(reference)  # a NUL or a lone surrogate is in no stored reference
    case = qs.filter(reference=reference).first() if known else None
    if case is None:
        exists = (
            Case.objects.filter(reference=reference).values_list("id", "applicant_id").first()
            if known
            else None
        )
        audit_record(
            actor=user,
            action="CASE_ACCESS_DENIED",
            entity_type="cases.case",
            entity_id=str(exists[0]) if exists else reference[:60],
            person_id=exists[1] if exists else None,
            data={"reference": reference[:60], "exists": bool(exists)},
        )
        raise NotFound("not_found", _("Not found."))
    if not for_update:
        audit_record(
            actor=user,
            action="CASE_VIEWED",
            entity=case,
            person_id=case.applicant_id,
            data={"purpose": purpose},
        )
    return case


@dataclass(frozen=True)
class QueueFilter:
    service: str = ""
    state: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    include_closed: bool = False


def case_queue_for_user(
    *, user: Any, filters: QueueFilter, page: int = 1, per_page: int = 25
) -> Page[Case]:
    """The office queue: open cases first due first; filters are whitelisted fields only."""
    qs = case_scope_for_user(user)
    if not filters.include_closed:
        qs = qs.filter(is_open=True)
    if filters.service:
        qs = qs.filter(service_code=filters.service)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.submitted_from:
        qs = qs.filter(created_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        qs = qs.filter(created_at__date__lte=filters.submitted_to)
    qs = qs.select_related("applicant", "office", "assignee").order_by("due_at", "id")
    paginator = Paginator(qs, per_page)
    return paginator.get_page(page)


@dataclass(frozen=True)
class QueueRow:
    case: Case
    overdue: bool
    due_soon: bool


def case_queue_rows(*, cases: Iterable[Case], at: dt.datetime) -> list[QueueRow]:
    """The queue's cases with their urgency at `at`: only an open case can be overdue or
    due soon; an ended, annulled or decided one has nothing left to do."""
    soon = at + dt.timedelta(hours=24)
    return [
        QueueRow(
            case=c,
            overdue=bool(c.is_open and c.due_at and c.due_at < at),
            due_soon=bool(c.is_open and c.due_at and at <= c.due_at < soon),
        )
        for c in cases
    ]


def case_history(*, case: Case) -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "legal_ground")
        .order_by("at", "id")
    )


def cases_of_person_for_user(*, user: Any, person_id: int) -> QuerySet[Case]:
    return (
        case_scope_for_user(user)
        .filter(applicant_id=person_id)
        .select_related("office")
        .order_by("created_at", "id")
    )
