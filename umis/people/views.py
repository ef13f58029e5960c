"""Officer pages for identity resolution: possible duplicates to review, unmerge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from umis.accounts.decorators import officer_required
from umis.cases.selectors import cases_of_person_for_user
from umis.core.errors import Conflict, DomainError, NotFound
from umis.people import selectors, services
from umis.people.models import IdentityMatch, Person
from umis.people.purposes import purpose_query


def _int(value: str, default: int = -1) -> int:
    try:
        return int(value)
    except ValueError:
        return default


@officer_required
def matches(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", IdentityMatch.Status.OPEN)
    if status not in IdentityMatch.Status.values:
        status = IdentityMatch.Status.OPEN
    page = selectors.identity_match_queue_for_user(
        user=request.user, status=status, page=max(1, _int(request.GET.get("page", "1"), 1))
    )
    return render(
        request,
        "people/matches.html",
        {"page": page, "status": status, "statuses": IdentityMatch.Status.choices},
    )


def _side(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {
        "person": person,
        "documents": list(person.documents.select_related("issuing_state").order_by("created_at")),
        "cases": list(cases_of_person_for_user(user=request.user, person_id=person.pk)),
    }


def _match_page(
    request: HttpRequest,
    match_id: int,
    *,
    decision: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A possible duplicate's page; `decision`: one not recorded, its form as the officer
    filled it in (decision, reason) with the errors by field."""
    try:
        match = selectors.identity_match_get_for_user(user=request.user, match_id=match_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "people/match.html",
        {
            "match": match,
            "sides": [_side(request, match.candidate), _side(request, match.person)],
            "decision": decision or {"decision": "", "reason": "", "errors": {}},
        },
        status=status,
    )


@officer_required
def match_detail(request: HttpRequest, match_id: int) -> HttpResponse:
    return _match_page(request, match_id)


@officer_required
@require_POST
def match_decide(request: HttpRequest, match_id: int) -> HttpResponse:
    chosen = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")
    try:
        match = services.identity_match_decide(
            actor=request.user,
            match_id=match_id,
            decision=chosen,
            reason=reason,
            expected_version=_int(request.POST.get("version", "")),
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        errors = {e.field: str(e.message) for e in exc.errors if e.field in ("decision", "reason")}
        if errors:
            # nothing is recorded; the form comes back as filled in, to be corrected
            decision = {"decision": chosen, "reason": reason, "errors": errors}
            return _match_page(request, match_id, decision=decision, status=422)
        messages.error(request, str(exc.message))
        if isinstance(exc, Conflict):
            # decided on a page since changed: the pair as it is now, the decision as typed
            decision = {"decision": chosen, "reason": reason, "errors": {}}
            return _match_page(request, match_id, decision=decision, status=409)
        return redirect("people:match", match_id=match_id)
    if match.status == IdentityMatch.Status.LINKED:
        messages.success(request, _("The two records are now one person."))
    else:
        messages.success(request, _("The records are kept as two people."))
    return redirect("people:matches")


UNMERGE_FORM = "unmerge_form"  # an unmerge refused for its reason, shown on the person page
MAX_TYPED = 2100  # as much of a refused reason as is shown again (too long: 2000 at most)


@officer_required
@require_POST
def unmerge(request: HttpRequest, merge_id: int) -> HttpResponse:
    try:
        merge = selectors.person_merge_get_for_user(user=request.user, merge_id=merge_id)
        services.person_unmerge(
            actor=request.user,
            merge_id=merge.pk,
            expected_version=_int(request.POST.get("version", "")),
            reason=request.POST.get("reason", ""),
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        if exc.field == "reason":
            # the form comes back with the reason as typed and its error beside it
            request.session[UNMERGE_FORM] = {
                "merge": merge.pk,
                "reason": request.POST.get("reason", "")[:MAX_TYPED],
                "error": str(exc.message),
            }
        else:
            messages.error(request, str(exc.message))
        # back to the page the form was on: one of the two records, the merged one otherwise
        back = _int(request.POST.get("person", ""))
        if back not in (merge.survivor_id, merge.merged_id):
            back = merge.merged_id
        return redirect(reverse("backoffice:person", args=[back]) + _merge_purpose(merge_id))
    messages.success(request, _("The merge is undone: both people stand alone again."))
    return redirect(reverse("backoffice:person", args=[merge.merged_id]) + _merge_purpose(merge_id))


def _merge_purpose(merge_id: int) -> str:
    return purpose_query("identity", f"U{merge_id}")
