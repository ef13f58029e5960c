"""Back-office pages (screening hits, watchlist entries) and the public entry-ban check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from umis.accounts.decorators import officer_required
from umis.core.errors import DomainError, NotFound
from umis.core.filters import choice_filter_read
from umis.core.middleware import unstorable_input_checked_by_view
from umis.core.once import form_token_new, form_token_valid
from umis.core.ratelimit import rate_limited
from umis.reference.selectors import country_choices
from umis.screening import selectors, services
from umis.screening.validation import (
    BAN_QUERY_FIELDS,
    ENTRY_FIELDS,
    ENTRY_SEARCH_FIELDS,
    EntryBanQuery,
    EntrySearch,
    entry_ban_query_parse,
    entry_search_parse,
)

HIT_STATUSES = ("open", "confirmed", "dismissed", "all")
ENTRY_STATE_CHOICES = (
    ("active", gettext_lazy("On the list")),
    ("ended", gettext_lazy("Ended")),
    ("withdrawn", gettext_lazy("Withdrawn")),
)


def _page_number(request: HttpRequest | Mapping[str, str]) -> int:
    params = request.GET if isinstance(request, HttpRequest) else request
    try:
        return max(1, int(params.get("page", "1")))
    except ValueError:
        return 1


@officer_required
def hits(request: HttpRequest) -> HttpResponse:
    # no status chosen: the open hits; "all" (or empty, as the list once sent it): every one.
    # A status that is none of the list's is reported (400), and no list shown until corrected.
    errors: dict[str, str] = {}
    status = "open"
    if "status" in request.GET:
        status = choice_filter_read(request.GET, "status", HIT_STATUSES, errors) or "all"
    page = None
    if not errors:
        page = selectors.hits_page_for_user(
            user=request.user, status="" if status == "all" else status, page=_page_number(request)
        )
    return render(
        request,
        "screening/hits.html",
        {"page": page, "status": "" if errors else status, "filter_errors": errors},
        status=400 if errors else 200,
    )


def _hit_page(
    request: HttpRequest, hit_id: int, *, decision: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """A hit's page; `decision`: one not recorded, its form as the officer filled it in
    (reason) with the errors by field, and `conflict`: why, when the hit changed since."""
    try:
        hit = selectors.hit_get_for_user(user=request.user, hit_id=hit_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "screening/hit.html",
        {
            "hit": hit,
            "entry_countries": selectors.watchlist_entry_countries(entry=hit.entry),
            "decision": decision or {"reason": "", "errors": {}},
        },
        status=status,
    )


@officer_required
def hit_detail(request: HttpRequest, hit_id: int) -> HttpResponse:
    return _hit_page(request, hit_id)


@officer_required
@require_POST
def hit_decide(request: HttpRequest, hit_id: int) -> HttpResponse:
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    reason = request.POST.get("reason", "")
    try:
        hit = services.screening_hit_decide(
            actor=request.user,
            hit_id=hit_id,
            decision=request.POST.get("decision", ""),
            reason=reason,
            expected_version=version,
        )
        messages.success(
            request,
            _("The hit is confirmed.") if hit.status == "confirmed" else _("The hit is dismissed."),
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        errors = {e.field: str(e.message) for e in exc.errors if e.field in ("decision", "reason")}
        if errors:
            # nothing is recorded; the form comes back as filled in, to be corrected
            decision = {"reason": reason, "errors": errors}
            return _hit_page(request, hit_id, decision=decision, status=422)
        if exc.code == "stale_version":
            # decided on a page since changed: the hit as it is now, the reasons as typed
            decision = {"reason": reason, "errors": {}, "conflict": str(exc.message)}
            return _hit_page(request, hit_id, decision=decision, status=409)
        messages.error(request, str(exc.message))
    return redirect("screening:hit", hit_id=hit_id)


# a name or a document number is posted, never put in an address (browser history, access
# logs, the Referer of the next page); the list and the state may be
POSTED_ONLY = ("name", "document_number")


@officer_required
@require_http_methods(["GET", "POST"])
def entries(request: HttpRequest) -> HttpResponse:
    """The watchlist entries, searched by name, document number, list and state; a filter
    no entry can have is reported beside the form (400) instead of an empty list."""
    try:
        selectors.watchlist_keeper_check(user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    source = request.POST if request.method == "POST" else request.GET
    raw = {
        k: source.get(k, "")
        for k in ENTRY_SEARCH_FIELDS
        if request.method == "POST" or k not in POSTED_ONLY
    }
    watchlists = selectors.watchlists_for_user(user=request.user)
    search = entry_search_parse(raw, watchlist_codes={w.code for w in watchlists})
    errors = search if isinstance(search, dict) else {}
    found = None
    if isinstance(search, EntrySearch):
        found = selectors.watchlist_entries_page_for_user(
            user=request.user, search=search, page=_page_number(source)
        )
    # shown again as typed, less the characters no one can see or type
    values = {
        k: "".join(c for c in raw.get(k, "")[:300] if c.isprintable()).strip()
        for k in ENTRY_SEARCH_FIELDS
    }
    return render(
        request,
        "screening/entries.html",
        {
            "page": found.page if found else None,
            "cut": found.cut if found else False,
            "max_results": selectors.MAX_NAME_RESULTS,
            "values": values,
            "posted": any(values[k] for k in POSTED_ONLY),
            "query": urlencode({k: v for k, v in values.items() if v}),
            "errors": errors,
            "states": ENTRY_STATE_CHOICES,
            "watchlists": watchlists,
        },
        status=400 if errors else 200,
    )


@officer_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = selectors.watchlist_entry_get_for_user(user=request.user, entry_id=entry_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "screening/entry.html",
        {
            "entry": entry,
            "entry_countries": selectors.watchlist_entry_countries(entry=entry),
            "history": selectors.watchlist_entry_history(entry=entry),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """The head office uploads a file of entries (CSV or JSON, as `umis watchlist import`
    reads it); checked at once, imported in the background, its progress on the next page."""
    try:
        selectors.watchlist_keeper_check(user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    watchlists = selectors.watchlists_for_user(user=request.user)
    errors: dict[str, str] = {}
    code = request.POST.get("list", "")[:100]
    skip_invalid = request.POST.get("skip_invalid") == "on"
    # the form's one-time token: sent twice, it queues one import (ADR 0022)
    posted = request.POST.get("submission", "")[:64]
    token = posted if form_token_valid(posted) else form_token_new()
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors["file"] = _("Choose a CSV or JSON file.")
        else:
            # past the limit only a little is read: the service reports it as too large
            data = upload.read(services.MAX_IMPORT_BYTES + 1)
            # the service shortens a name too long visibly, keeping its start and its end
            name = "".join(c for c in (upload.name or "") if c.isprintable())
            try:
                queued = services.watchlist_import_queue(
                    actor=request.user,
                    watchlist_code=code,
                    file_name=name,
                    data=data,
                    skip_invalid=skip_invalid,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    token=posted,
                )
            except DomainError as exc:
                errors = {e.field or "file": str(e.message) for e in reversed(exc.errors)}
            else:
                if queued.sent_again:
                    messages.info(
                        request,
                        _(
                            "This form was sent already: this is the import it started; the "
                            "file is not imported again."
                        ),
                    )
                elif not queued.queued:
                    messages.info(
                        request,
                        _(
                            "The same file is already waiting to be imported into this list, "
                            "or being imported: this is that import; the file is not queued "
                            "again."
                        ),
                    )
                return redirect("screening:import_status", import_id=queued.job.pk)
    return render(
        request,
        "screening/import.html",
        {
            "watchlists": watchlists,
            "list": code,
            "skip_invalid": skip_invalid,
            "errors": errors,
            "submission": token,
            "fields": ", ".join(ENTRY_FIELDS),
            "max_mb": services.MAX_IMPORT_BYTES // (1024 * 1024),
        },
        status=422 if errors else 200,
    )


@officer_required
def import_status(request: HttpRequest, import_id: int) -> HttpResponse:
    """An import's progress (the page reloads itself until it is done), then its summary."""
    try:
        job = selectors.watchlist_import_get_for_user(user=request.user, import_id=import_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "screening/import_status.html",
        {
            "job": job,
            # the list by its name in the reader's language (its code if it is gone since)
            "watchlist": next(
                (
                    w
                    for w in selectors.watchlists_for_user(user=request.user)
                    if w.code == job.watchlist_code
                ),
                None,
            ),
            "worker_missing": selectors.watchlist_import_worker_missing(job),
        },
    )


@unstorable_input_checked_by_view
@require_http_methods(["GET", "POST"])
@rate_limited("lookup")
def entry_ban_check(request: HttpRequest) -> HttpResponse:
    """The public e-service: is an entry ban recorded for my passport?"""
    errors: dict[str, str] = {}
    answer = None
    if request.method == "POST":
        query = entry_ban_query_parse(request.POST)
        if isinstance(query, EntryBanQuery):
            answer = selectors.entry_ban_check(
                document_number=query.document_number,
                issuing_state=query.issuing_state,
                surname=query.surname,
                birth_date=query.birth_date,
            )
        else:
            errors = query
    # shown again as typed, less the characters no one can see or type
    values = {
        k: "".join(c for c in request.POST.get(k, "")[:200] if c.isprintable()).strip()
        for k in BAN_QUERY_FIELDS
    }
    return render(
        request,
        "screening/entry_ban_check.html",
        {"values": values, "errors": errors, "answer": answer, "countries": country_choices()},
        status=422 if errors else 200,
    )
