"""Name matching, watchlist screening and watchlist imports for agencies."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from umis.accounts.models import Scope
from umis.api.auth import ApiKeyAuth
from umis.api.schemas import BODY_ERRORS, NO_OBJECT_BODY_ERRORS, BodyIn, longest
from umis.core.errors import DomainError, ErrorCollector, FieldError, NotFound, ValidationFailed
from umis.core.text import storable
from umis.people.validation import COUNTRY_CODE_MAX, DATE_MAX
from umis.reference.selectors import ReferenceSnapshot
from umis.screening import selectors, services
from umis.screening.engine import screening_threshold
from umis.screening.index import Query
from umis.screening.models import Watchlist
from umis.screening.validation import (
    MAX_DOCUMENT_NUMBER,
    MAX_NAME,
    MAX_SOURCE,
    birth_parse,
    country_code,
    name_errors,
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


MIN_LIMIT, MAX_LIMIT = 1, 100  # hits a search returns


class SearchIn(BodyIn):
    names: list[Annotated[str, Field(json_schema_extra=longest(MAX_NAME))]] = Field(
        description="The person's names, any script (1 to 10)"
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
    errors = ErrorCollector()
    if not payload.names:
        errors.add("required", _("This field is required."), "names")
    if len(payload.names) > 10:
        errors.add("too_many", _("Too many items."), "names")
    for i, n in enumerate(payload.names[:10]):
        errors.errors.extend(name_errors(n, field=f"names.{i}"))
    # a date or a code longer than any is refused as too long, before it is read
    limits = {
        "birth_date": DATE_MAX,
        "nationality": COUNTRY_CODE_MAX,
        "issuing_state": COUNTRY_CODE_MAX,
    }
    values: dict[str, str] = {f: getattr(payload, f) or "" for f in limits}
    for field, most in limits.items():
        if len(values[field]) > most:
            errors.add("too_long", _("At most %(n)d characters.") % {"n": most}, field)
            values[field] = ""
    birth_date, birth_year = birth_parse(values["birth_date"], field="birth_date", errors=errors)
    ref = ReferenceSnapshot()
    nationality = country_code(values["nationality"], field="nationality", ref=ref, errors=errors)
    issuing_state = country_code(
        values["issuing_state"], field="issuing_state", ref=ref, errors=errors
    )
    if payload.threshold is not None and not 0 <= payload.threshold <= 100:
        errors.add("invalid", _("Enter a number from 0 to 100."), "threshold")
    if not MIN_LIMIT <= payload.limit <= MAX_LIMIT:
        errors.add("invalid", _("Enter a number from 1 to 100."), "limit")
    if len(payload.document_number or "") > MAX_DOCUMENT_NUMBER:
        errors.add(
            "too_long",
            _("At most %(n)d characters.") % {"n": MAX_DOCUMENT_NUMBER},
            "document_number",
        )
    errors.raise_if_any()
    return (
        Query(
            names=tuple(payload.names),
            birth_date=birth_date,
            birth_year=birth_year,
            nationality=nationality,
            document_number=payload.document_number or "",
            issuing_state=issuing_state,
        ),
        payload.threshold,
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


class ImportIn(BodyIn):
    entries: list[dict[str, Any]] = Field(
        description=(
            "Up to 10,000 entries: category (entry_ban, wanted, alert, lost, stolen, invalid), "
            "external_id, full_name (or surname and given_names), aliases, birth_date "
            "(YYYY-MM-DD or YYYY), nationality, sex, document_number, issuing_state, valid_from, "
            "valid_until, reason, source, source_reference, each text (aliases: a list of "
            "texts); a number or true/false in one is refused (invalid), any other field "
            "(unknown_field), and the import as a whole"
        )
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


@watchlist_router.post(
    "/watchlists/{code}/entries",
    response={200: ImportOut, **BODY_ERRORS},
    summary="Import entries into a watchlist",
)
def watchlist_import(request: HttpRequest, code: str, payload: ImportIn) -> dict[str, Any]:
    """All or nothing: if any entry is invalid nothing is written and every error is listed
    with its entry index. Entries with an `external_id` already on the list are updated
    (with history); unchanged ones are left alone."""
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
    result = services.watchlist_import(
        actor=request.user,
        watchlist=watchlist,
        raws=payload.entries,
        default_source=default_source,
    )
    if result.errors:
        raise ValidationFailed(
            [
                type(e)(e.code, e.message, f"entries.{i}.{e.field}" if e.field else f"entries.{i}")
                for i, errs in result.errors
                for e in errs
            ][:200]
        )
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
