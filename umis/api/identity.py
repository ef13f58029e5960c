"""Identity review for officers' systems: possible duplicate persons raised on intake or by
the registry dedup, decided (link = merge, or keep separate) and merges undone.

The same selectors and services as the back-office pages (`/office/duplicates/`): the
caller is the officer the API key belongs to, who sees the tasks of their office (head
office: all); another office's task is 404, and the attempt is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from umis.accounts.models import Scope
from umis.api.auth import ApiKeyAuth
from umis.api.idempotency import request_idempotent
from umis.api.schemas import CONFLICT_ERRORS, ERRORS, BodyIn, Identifier, longest
from umis.audit.services import audit_record
from umis.cases.services import MAX_REASONS
from umis.core.errors import ErrorCollector, PermissionDenied
from umis.people import selectors, services
from umis.people.models import IdentityMatch, Person, PersonMerge
from umis.people.selectors import MatchOrder

router = Router(tags=["Identity review"], auth=ApiKeyAuth(Scope.IDENTITY_REVIEW))

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100


class ReviewFilters(Schema):
    status: str = Field(
        IdentityMatch.Status.OPEN,
        description="open, linked, separate, superseded",
        json_schema_extra={"enum": list(IdentityMatch.Status.values)},
    )
    source: str | None = Field(
        None,
        description="intake or dedup (default both)",
        json_schema_extra={"enum": list(IdentityMatch.Source.values)},
    )
    min_score: float | None = Field(
        None, description="Lowest score, 0 to 100", json_schema_extra={"minimum": 0, "maximum": 100}
    )
    order: str = Field(
        MatchOrder.BEST,
        description="best (highest score first) or newest",
        json_schema_extra={"enum": list(MatchOrder.CHOICES)},
    )
    page: int = Field(1, json_schema_extra={"minimum": 1, "maximum": MAX_PAGE})
    per_page: int = Field(
        50, description="1 to 100", json_schema_extra={"minimum": 1, "maximum": MAX_PER_PAGE}
    )


class ReviewItemOut(Schema):
    id: int
    source: str
    status: str
    score: float
    reasons: list[str]
    version: int
    created_at: dt.datetime
    person_id: int = Field(description="The newer record")
    candidate_id: int = Field(description="The record it may duplicate")


class ReviewPageOut(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    items: list[ReviewItemOut]


class DocumentOut(Schema):
    document_type: str
    number: str
    issuing_state: str
    expiry_date: dt.date


class PersonOut(Schema):
    id: int
    surname: str
    given_names: str
    patronymic: str
    birth_date: str = Field(description="YYYY-MM-DD, or YYYY when only the year is known")
    sex: str
    nationality: str
    merged_into: int | None
    documents: list[DocumentOut]


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    reason: str
    version: int
    unmerged_at: dt.datetime | None
    unmerge_reason: str


class ReviewOut(ReviewItemOut):
    decided_at: dt.datetime | None
    decision_reason: str
    persons: list[PersonOut] = Field(description="The candidate (older record), then the person")
    merge: MergeOut | None


class DecisionIn(BodyIn):
    decision: str = Field(
        description="link (one person: merge) or separate; anything else is refused (422 "
        "invalid_decision)",
        json_schema_extra={"enum": list(services.MatchDecision.CHOICES)},
    )
    reason: str = Field(
        description="Why; kept in the history", json_schema_extra=longest(MAX_REASONS)
    )
    version: int = Field(description="The task's version as read; a stale one gets 409")


class DecisionOut(Schema):
    id: int
    status: str
    version: int
    decided_at: dt.datetime | None
    decision_reason: str
    merge: MergeOut | None
    replayed: bool = Field(
        False, description="The answer to an earlier request with this Idempotency-Key"
    )


class UnmergeOut(MergeOut):
    replayed: bool = Field(
        False, description="The answer to an earlier request with this Idempotency-Key"
    )


class UnmergeIn(BodyIn):
    reason: str = Field(json_schema_extra=longest(MAX_REASONS))
    version: int = Field(description="The merge's version as read; a stale one gets 409")


def _reason(value: str, errors: ErrorCollector) -> None:
    if len(value) > MAX_REASONS:
        errors.add("too_long", _("At most %(n)d characters.") % {"n": MAX_REASONS}, "reason")


def _item(m: IdentityMatch) -> dict[str, Any]:
    return {
        "id": m.pk,
        "source": m.source,
        "status": m.status,
        "score": m.score,
        "reasons": [str(r) for r in m.reasons],
        "version": m.version,
        "created_at": m.created_at,
        "person_id": m.person_id,
        "candidate_id": m.candidate_id,
    }


def _person(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "surname": p.surname,
        "given_names": p.given_names,
        "patronymic": p.patronymic,
        "birth_date": str(p.birth_date.year) if p.birth_year_only else p.birth_date.isoformat(),
        "sex": p.sex,
        "nationality": p.nationality_id,
        "merged_into": p.merged_into_id,
        "documents": [
            {
                "document_type": d.document_type,
                "number": d.number,
                "issuing_state": d.issuing_state_id,
                "expiry_date": d.expiry_date,
            }
            for d in p.documents.order_by("created_at", "id")
        ],
    }


def _merge(merge: PersonMerge | None) -> dict[str, Any] | None:
    if merge is None:
        return None
    return {
        "id": merge.pk,
        "survivor_id": merge.survivor_id,
        "merged_id": merge.merged_id,
        "reason": merge.reason,
        "version": merge.version,
        "unmerged_at": merge.unmerged_at,
        "unmerge_reason": merge.unmerge_reason,
    }


def _merge_of(match: IdentityMatch) -> PersonMerge | None:
    return PersonMerge.objects.filter(match=match).order_by("-created_at", "-id").first()


@router.get(
    "/identity/reviews",
    response={200: ReviewPageOut, **ERRORS},
    summary="Possible duplicate persons to review",
)
def reviews_list(request: HttpRequest, filters: Query[ReviewFilters]) -> dict[str, Any]:
    """The review tasks of the caller's office (head office: all), best or newest first. Only
    identifiers and scores: a task's names and documents are read one task at a time
    (`GET /identity/reviews/{id}`), and that read is audited."""
    user = request.user
    if not getattr(user, "is_officer", False):
        audit_record(
            actor=user,
            action="IDENTITY_REVIEW_ACCESS_DENIED",
            entity_type="people.identitymatch",
            data={"path": request.path[:200]},
        )
        raise PermissionDenied(
            "officers_only", _("Only an officer's API key may review possible duplicates.")
        )
    errors = ErrorCollector()
    if filters.status not in IdentityMatch.Status.values:
        errors.add("invalid_choice", _("Choose one of the listed values."), "status")
    if filters.source and filters.source not in IdentityMatch.Source.values:
        errors.add("invalid_choice", _("Choose one of the listed values."), "source")
    if filters.order not in MatchOrder.CHOICES:
        errors.add("invalid_choice", _("Choose one of the listed values."), "order")
    if filters.min_score is not None and not 0 <= filters.min_score <= 100:
        errors.add("invalid", _("Enter a number from 0 to 100."), "min_score")
    if not 1 <= filters.page <= MAX_PAGE:
        errors.add("invalid", _("Enter a page number from 1."), "page")
    if not 1 <= filters.per_page <= MAX_PER_PAGE:
        errors.add("invalid", _("Enter a number from 1 to 100."), "per_page")
    errors.raise_if_any()
    page = selectors.identity_match_queue_for_user(
        user=user,
        status=filters.status,
        page=filters.page,
        per_page=filters.per_page,
        source=filters.source or "",
        min_score=filters.min_score,
        order=filters.order,
    )
    items = [_item(m) for m in page.object_list]
    audit_record(
        actor=user,
        action="IDENTITY_MATCHES_LISTED",
        entity_type="people.identitymatch",
        data={
            "status": filters.status,
            "source": filters.source or "",
            "min_score": filters.min_score,
            "page": page.number,
            "matches": [i["id"] for i in items],
        },
    )
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "per_page": filters.per_page,
        "items": items,
    }


@router.get(
    "/identity/reviews/{match_id}",
    response={200: ReviewOut, **ERRORS},
    summary="One review task with both persons' identity data",
)
def review_get(request: HttpRequest, match_id: Identifier) -> dict[str, Any]:
    """Both records' names, date of birth, sex, nationality and travel documents, with the
    score and the reasons. The read of each person's file is audited."""
    match = selectors.identity_match_get_for_user(user=request.user, match_id=match_id)
    return {
        **_item(match),
        "decided_at": match.decided_at,
        "decision_reason": match.decision_reason,
        "persons": [_person(match.candidate), _person(match.person)],
        "merge": _merge(_merge_of(match)),
    }


@router.post(
    "/identity/reviews/{match_id}/decision",
    response={200: DecisionOut, **CONFLICT_ERRORS},
    summary="Link the two records (merge) or keep them separate",
)
def review_decide(
    request: HttpRequest,
    payload: DecisionIn,
    match_id: Identifier,
) -> dict[str, Any]:
    """`link` merges the newer record into the older one: every case, document and
    registration moves, and the merge can be undone (`POST /identity/merges/{id}/unmerge`).
    `separate` keeps two people; the pair is not proposed again. A stale `version` gets 409
    and changes nothing. With an `Idempotency-Key`, a retry gets the first answer back."""
    pk = match_id
    # The access check (a refusal is audited) before anything else.
    selectors.identity_match_get_for_user(user=request.user, match_id=pk, audit_read=False)
    errors = ErrorCollector()
    _reason(payload.reason, errors)
    errors.raise_if_any()

    def work() -> tuple[int, dict[str, Any]]:
        match = services.identity_match_decide(
            actor=request.user,
            match_id=pk,
            decision=payload.decision,
            reason=payload.reason,
            expected_version=payload.version,
        )
        linked = match.status == IdentityMatch.Status.LINKED
        return 200, {
            "id": match.pk,
            "status": match.status,
            "version": match.version,
            "decided_at": match.decided_at,
            "decision_reason": match.decision_reason,
            "merge": _merge(_merge_of(match)) if linked else None,
        }

    _status, body = request_idempotent(request, work)
    return body


@router.post(
    "/identity/merges/{merge_id}/unmerge",
    response={200: UnmergeOut, **CONFLICT_ERRORS},
    summary="Undo a merge",
)
def merge_undo(
    request: HttpRequest,
    payload: UnmergeIn,
    merge_id: Identifier,
) -> dict[str, Any]:
    """The rows the merge moved go back to the merged person, who stands alone again; the
    pair is then kept separate. A stale `version` gets 409 and changes nothing. With an
    `Idempotency-Key`, a retry gets the first answer back."""
    merge = selectors.person_merge_get_for_user(user=request.user, merge_id=merge_id)
    errors = ErrorCollector()
    _reason(payload.reason, errors)
    errors.raise_if_any()

    def work() -> tuple[int, dict[str, Any]]:
        undone = services.person_unmerge(
            actor=request.user,
            merge_id=merge.pk,
            expected_version=payload.version,
            reason=payload.reason,
        )
        return 200, _merge(undone) or {}

    _status, body = request_idempotent(request, work)
    return body
