"""Name matching, watchlist screening and watchlist imports for agencies."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field, WithJsonSchema

from umis.accounts.models import Scope
from umis.api.auth import ApiKeyAuth
from umis.api.idempotency import request_idempotent
from umis.api.schemas import (
    CONFLICT_ERRORS,
    NO_OBJECT_BODY_ERRORS,
    BodyIn,
    how_many,
    longest,
)
from umis.core.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from umis.core.text import storable
from umis.people.validation import COUNTRY_CODE_MAX, DATE_MAX
from umis.screening import selectors, services
from umis.screening.engine import screening_threshold
from umis.screening.index import Query
from umis.screening.models import Watchlist
from umis.screening.validation import (
    MAX_DOCUMENT_NUMBER,
    MAX_EXTERNAL_ID,
    MAX_LIMIT,
    MAX_NAME,
    MAX_NAME_PART,
    MAX_REASON,
    MAX_SEARCH_NAMES,
    MAX_SOURCE,
    MIN_LIMIT,
    name_errors,
    search_query_parse,
    source_hidden_error,
)

names_router = Router(tags=["Names"], auth=ApiKeyAuth(Scope.SCREENING))
screening_router = Router(tags=["Screening"], auth=ApiKeyAuth(Scope.SCREENING))
watchlist_router = Router(tags=["Watchlists"], auth=ApiKeyAuth(Scope.WATCHLISTS_MANAGE))


class CompareIn(BodyIn):
    a: str = Field(
        description="A name in any script and order", json_schema_extra=longest(MAX_NAME)
    )
    b: str = Field(json_schema_extra=longest(MAX_NAME))


class CompareOut(Schema):
    score: float
    threshold: float
    match: bool
    reasons: list[str]
    flags: dict[str, list[str]]
    keys: dict[str, list[str]]


@names_router.post(
    "/names/compare",
    response={200: CompareOut, **NO_OBJECT_BODY_ERRORS},
    summary="Compare two names",
)
def names_compare(request: HttpRequest, payload: CompareIn) -> dict[str, Any]:
    errors = [*name_errors(payload.a, field="a"), *name_errors(payload.b, field="b")]
    if errors:
        raise ValidationFailed(errors)
    return selectors.name_compare_result(payload.a, payload.b)


class SearchIn(BodyIn):
    names: list[Annotated[str, Field(json_schema_extra=longest(MAX_NAME))]] = Field(
        description="The person's names, any script (1 to 10)",
        json_schema_extra=how_many(1, MAX_SEARCH_NAMES),
    )
    birth_date: str | None = Field(
        None, description="YYYY-MM-DD, or only the year YYYY", json_schema_extra=longest(DATE_MAX)
    )
    nationality: str | None = Field(
        None,
        description="ISO alpha-2/alpha-3 or ICAO code",
        json_schema_extra=longest(COUNTRY_CODE_MAX),
    )
    document_number: str | None = Field(None, json_schema_extra=longest(MAX_DOCUMENT_NUMBER))
    issuing_state: str | None = Field(None, json_schema_extra=longest(COUNTRY_CODE_MAX))
    threshold: float | None = Field(
        None,
        description="0 to 100; default the configured one",
        json_schema_extra={"minimum": 0, "maximum": 100},
    )
    limit: int = Field(
        20,
        description="At most this many hits, 1 to 100",
        json_schema_extra={"minimum": MIN_LIMIT, "maximum": MAX_LIMIT},
    )


class HitOut(Schema):
    entry_id: int
    watchlist: str
    category: str
    name: str
    aliases: list[str]
    birth_date: str | None
    nationality: str
    document_number: str
    valid_until: str | None
    source: str
    score: float
    name_score: float
    matched_name: str
    reasons: list[str]


class SearchOut(Schema):
    threshold: float
    hits: list[HitOut]


def search_query(payload: SearchIn) -> tuple[Query, float | None]:
    """The search as the screening domain reads it (`search_query_parse`)."""
    return search_query_parse(
        names=payload.names,
        birth_date=payload.birth_date,
        nationality=payload.nationality,
        document_number=payload.document_number,
        issuing_state=payload.issuing_state,
        threshold=payload.threshold,
        limit=payload.limit,
    )


@screening_router.post(
    "/screening/search",
    response={200: SearchOut, **NO_OBJECT_BODY_ERRORS},
    summary="Screen a person against the watchlists",
)
def screening_search(request: HttpRequest, payload: SearchIn) -> dict[str, Any]:
    """Candidate hits with their score and the reasons: which name parts matched how, date of
    birth and nationality agreement. Entries that are withdrawn or out of force are left out."""
    query, threshold = search_query(payload)
    hits = selectors.screening_search(
        actor=request.user, query=query, threshold=threshold, limit=payload.limit
    )
    return {
        "threshold": screening_threshold() if threshold is None else threshold,
        "hits": [
            {
                "entry_id": h.entry.pk,
                "watchlist": h.entry.watchlist.code,
                "category": h.entry.category,
                "name": h.entry.full_name,
                "aliases": h.entry.aliases,
                "birth_date": (
                    h.entry.birth_date.isoformat()
                    if h.entry.birth_date
                    else (str(h.entry.birth_year) if h.entry.birth_year else None)
                ),
                "nationality": h.entry.nationality,
                "document_number": h.entry.document_number,
                "valid_until": h.entry.valid_until.isoformat() if h.entry.valid_until else None,
                "source": h.entry.source,
                "score": h.score,
                "name_score": h.name_score,
                "matched_name": h.matched_name,
                "reasons": h.reasons,
            }
            for h in hits
        ],
    }


class WatchlistEntryIn(BodyIn):
    """An entry of a watchlist import: a mistake in any entry is named with the entry's index
    (`entries.1.reason`), and the import is refused as a whole."""

    category: str
    external_id: str | None = Field(None, json_schema_extra=longest(MAX_EXTERNAL_ID))
    full_name: str | None = Field(None, json_schema_extra=longest(MAX_NAME))
    surname: str | None = Field(None, json_schema_extra=longest(MAX_NAME_PART))
    given_names: str | None = Field(None, json_schema_extra=longest(MAX_NAME_PART))
    aliases: list[Annotated[str, Field(json_schema_extra=longest(MAX_NAME))]] | None = None
    birth_date: str | None = Field(None, description="YYYY-MM-DD or YYYY")
    nationality: str | None = None
    sex: str | None = None
    document_number: str | None = Field(
        None,
        description="Its letters and digits count; other characters are left out",
        json_schema_extra=longest(MAX_DOCUMENT_NUMBER),
    )
    issuing_state: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    reason: str = Field(json_schema_extra=longest(MAX_REASON))
    source: str | None = Field(None, json_schema_extra=longest(MAX_SOURCE))
    source_reference: str | None = Field(None, json_schema_extra=longest(MAX_SOURCE))


class ImportIn(BodyIn):
    entries: list[
        Annotated[dict[str, Any], WithJsonSchema(WatchlistEntryIn.model_json_schema())]
    ] = Field(
        description=(
            "Up to 10,000 entries: category (entry_ban, wanted, alert, lost, stolen, invalid), "
            "external_id, full_name (or surname and given_names), aliases, birth_date "
            "(YYYY-MM-DD or YYYY), nationality, sex, document_number, issuing_state, valid_from, "
            "valid_until, reason, source, source_reference, each text (aliases: a list of "
            "texts); a number or true/false in one is refused (invalid), any other field "
            "(unknown_field), and the import as a whole"
        ),
        json_schema_extra=how_many(1, services.MAX_API_IMPORT),
    )
    source: str | None = Field(
        None,
        description="Default source for entries without one",
        json_schema_extra=longest(MAX_SOURCE),
    )


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    replayed: bool = Field(
        False, description="The answer to an earlier request with this Idempotency-Key"
    )


@watchlist_router.post(
    "/watchlists/{code}/entries",
    response={200: ImportOut, **CONFLICT_ERRORS},
    summary="Import entries into a watchlist",
)
def watchlist_import(request: HttpRequest, code: str, payload: ImportIn) -> HttpResponse:
    """All or nothing: if any entry is invalid nothing is written and every error is listed
    with its entry index. Entries with an `external_id` already on the list are updated
    (with history); unchanged ones are left alone. While the head office's import of the
    same entries into the same list is waiting or running, nothing is written: 409
    (`import_in_progress`, naming that import); once it has finished they may be sent again.
    Send an `Idempotency-Key` header so a retried import never imports twice: the same key
    with the same body gets the first answer back (`replayed`) and imports nothing; the same
    key with another body gets 409 (`idempotency_key_reused`). A refused import does not use
    its key up."""
    if not payload.entries:  # an import of nothing did nothing and answered 200
        raise DomainError("required", _("Send at least one item."), "entries")
    if len(payload.entries) > services.MAX_API_IMPORT:
        raise DomainError(
            "batch_too_large",
            _("At most %(n)d entries per request.") % {"n": services.MAX_API_IMPORT},
            "entries",
        )
    default_source = " ".join((payload.source or "").split())
    if len(default_source) > MAX_SOURCE:  # refused, never cut, as an entry's own source
        raise ValidationFailed(
            [
                FieldError(
                    "too_long",
                    _("At most %(n)d characters (this has %(length)d).")
                    % {"n": MAX_SOURCE, "length": len(default_source)},
                    "source",
                )
            ]
        )
    if hidden := source_hidden_error(default_source, key="source"):  # refused once, not per entry
        raise ValidationFailed([hidden])
    watchlist = Watchlist.objects.filter(code=code[:50]).first() if storable(code) else None
    if watchlist is None:
        raise NotFound("not_found", _("No watchlist with this code."), "code")

    def work() -> tuple[int, dict[str, Any]]:
        earlier = services.watchlist_import_in_progress(
            watchlist_code=watchlist.code, rows=payload.entries
        )
        if earlier is not None:
            raise Conflict(
                "import_in_progress",
                _(
                    "The same entries are already waiting to be imported into this list, or "
                    "being imported (import %(id)d); nothing imported. Send them again once it "
                    "has finished."
                )
                % {"id": earlier.pk},
            )
        result = services.watchlist_import(
            actor=request.user,
            watchlist=watchlist,
            raws=payload.entries,
            default_source=default_source,
        )
        if result.errors:
            raise ValidationFailed(
                [
                    type(e)(
                        e.code, e.message, f"entries.{i}.{e.field}" if e.field else f"entries.{i}"
                    )
                    for i, errs in result.errors
                    for e in errs
                ][:200]
            )
        return 200, {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }

    status, body = request_idempotent(request, work)
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")
