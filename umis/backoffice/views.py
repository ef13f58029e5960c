from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from umis.accounts.decorators import officer_required, signed_in_required
from umis.audit.services import audit_record
from umis.backoffice.forms import queue_filter_read
from umis.border.selectors import (
    findings_of_person_for_user,
    person_stay_compute,
    person_timeline,
)
from umis.cases import registry
from umis.cases.forms import AnnulmentForm, annulment_form_read, posted_version
from umis.cases.selectors import (
    case_closing,
    case_get_for_user,
    case_history,
    case_queue_for_user,
    case_queue_rows,
    case_transition_refusal,
    cases_of_person_for_user,
    queue_state_groups,
)
from umis.cases.views import case_assignment_form, case_assignment_post
from umis.core import clock
from umis.core.errors import DomainError, NotFound
from umis.core.middleware import unstorable_input_checked_by_view
from umis.core.once import form_token_new, form_token_valid
from umis.core.text import storable
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_link
from umis.people import selectors as people_selectors
from umis.people.purposes import MAX_REFERENCE, PURPOSES
from umis.people.selectors import (
    person_current,
    person_get_for_user,
    person_merges_of,
    person_read_purpose,
    person_search,
)
from umis.people.views import UNMERGE_FORM
from umis.reference.selectors import legal_ground_list
from umis.screening.models import ScreeningHit
from umis.screening.selectors import hits_for_case, hits_for_person
from umis.stays import services as stay_services
from umis.stays.selectors import (
    stay_cases_filed_by_foreigner,
    stay_registration_differences,
    stay_registration_ending,
    stay_registration_for_case,
)


def _date(value: str) -> dt.date | None:
    try:
        return clock.date_parse(value) if value else None
    except ValueError:
        return None


@signed_in_required
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", "") == "host":
        return redirect("stays:guests")
    if getattr(request.user, "role", "") == "administrator":
        return redirect("admin:index")
    if getattr(request.user, "is_officer", False):
        return redirect("backoffice:queue")
    if getattr(request.user, "role", "") == "analyst":
        return redirect("reports:statistics")
    # any other signed-in account (an applicant, an agency's) has no back-office page: the
    # portal, with a word why, rather than the queue's 404
    messages.info(request, _("There are no back-office pages for your role yet."))
    return redirect("portal:home")


@officer_required
def queue(request: HttpRequest) -> HttpResponse:
    filters, filter_errors = queue_filter_read(request.GET)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page = case_queue_for_user(user=request.user, filters=filters, page=page_number)
    cases = list(page)
    state_groups = queue_state_groups()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/queue.html",
        {
            "page": page,
            "rows": case_queue_rows(cases=cases, at=clock.now()),
            # the registrations the foreigner filed himself, marked in the list
            "filed_by_foreigner": stay_cases_filed_by_foreigner(case_ids=[c.pk for c in cases]),
            "filters": filters,
            "filter_errors": filter_errors,
            "services": [s for s in registry.all_services() if s.workflow is not None],
            "state_groups": state_groups,
            "state_label": next(
                (label for g in state_groups for st, label in g.states if st == filters.state), ""
            ),
            "query": query.urlencode(),
        },
        status=400 if filter_errors else 200,
    )


@officer_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        case = case_get_for_user(user=request.user, reference=reference, purpose="case work")
    except NotFound as exc:
        raise Http404 from exc
    return _case_page(request, case)


def _case_page(
    request: HttpRequest,
    case: Any,
    *,
    annulment: AnnulmentForm | None = None,
    note: dict[str, str] | None = None,
    assignment: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; `annulment`, `note` and `assignment`: a form not stored, as the
    officer filled it in, with its errors."""
    service = registry.get(case.service_code)
    documents = list(IssuedDocument.objects.filter(case=case).order_by("issued_at"))
    workflow = service.workflow
    registration = stay_registration_for_case(case_id=case.pk)
    hits = hits_for_case(user=request.user, case_id=case.pk)
    can_confirm = bool(workflow and workflow.rule_for(case.state, "confirmed"))
    return render(
        request,
        "backoffice/case.html",
        {
            "case": case,
            "service": service,
            "history": case_history(case=case),
            "closing": case_closing(case=case),
            "registration": registration,
            # the date of birth, sex and nationality registered that differ from the person's
            "differs": stay_registration_differences(
                registration=registration, person=case.applicant
            )
            if registration
            else set(),
            "stay_ending": stay_registration_ending(registration=registration)
            if registration
            else None,
            "documents": [{"doc": d, "verify_url": document_verify_link(d)} for d in documents],
            # a registration's annulment (an e-visa is annulled on its own page)
            "can_annul": registration is not None
            and bool(workflow and workflow.rule_for(case.state, "annulled")),
            "can_confirm": can_confirm,
            # what holds the confirmation back (a screening hit still open), shown by its button
            "confirm_refusal": case_transition_refusal(case=case, target="confirmed")
            if can_confirm
            else None,
            "grounds": legal_ground_list(kind="annulment", on=clock.today()),
            "hits": hits,
            "open_hits": [h for h in hits if h.status == ScreeningHit.Status.OPEN],
            "annulment": annulment or AnnulmentForm(),
            # the note form's one-time token: a note sent twice with it is added once
            "note": note or {"text": "", "error": "", "submission": form_token_new()},
            "assignment": assignment or case_assignment_form(request, case),
            "assign_url": reverse("backoffice:case_assign", args=[case.reference]),
        },
        status=status,
    )


def _case_for_action(request: HttpRequest, reference: str, purpose: str = "decision") -> Any:
    try:
        return case_get_for_user(
            user=request.user, reference=reference, purpose=purpose, for_update=False
        )
    except NotFound as exc:
        raise Http404 from exc


@officer_required
@require_POST
def case_annul(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for_action(request, reference)
    form = annulment_form_read(request.POST)
    if form.errors or form.legal_ground is None:
        # nothing is changed; the page comes back with what the officer entered
        return _case_page(request, case, annulment=form, status=422)
    try:
        stay_services.stay_registration_annul(
            actor=request.user,
            case=case,
            expected_version=posted_version(request.POST),
            legal_ground=form.legal_ground,
            note=form.reasons,
        )
        messages.success(request, _("The registration is annulled."))
    except DomainError as exc:
        _decision_refused(request, case, exc, decision="annul")
        if exc.code == "version_conflict":
            # decided on a page since changed: the case as it is now, the annulment as typed
            case.refresh_from_db()
            form.conflict, form.confirmed = True, False  # ticked again, knowing the change
            return _case_page(request, case, annulment=form, status=409)
        messages.error(request, str(exc.message))
    return redirect("backoffice:case", reference=reference)


@officer_required
@require_POST
def case_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for_action(request, reference)
    try:
        stay_services.stay_registration_confirm(
            actor=request.user, case=case, expected_version=posted_version(request.POST)
        )
        messages.success(request, _("The registration is confirmed."))
    except DomainError as exc:
        _decision_refused(request, case, exc, decision="confirm")
        messages.error(request, str(exc.message))
    return redirect("backoffice:case", reference=reference)


def _decision_refused(request: HttpRequest, case: Any, exc: DomainError, *, decision: str) -> None:
    """A decision refused (nothing changed, the service's transaction rolled back) is in the
    audit log, with why."""
    audit_record(
        actor=request.user,
        action="STAY_REGISTRATION_DECISION_REFUSED",
        entity=case,
        person_id=case.applicant_id,
        data={"decision": decision, "code": exc.code},
    )


@officer_required
@require_POST
def case_assignment(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for_action(request, reference, purpose="case assignment")
    return case_assignment_post(
        request, case, page=_case_page, done=reverse("backoffice:case", args=[case.reference])
    )


@officer_required
@require_POST
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for_action(request, reference)
    note = request.POST.get("note", "")
    token = request.POST.get("submission", "")[:64]
    try:
        added = stay_services.stay_registration_add_note(
            actor=request.user, case=case, note=note, token=token
        )
    except DomainError as exc:
        # nothing is added; the page comes back with the note as typed, to be corrected
        return _case_page(
            request,
            case,
            note={
                "text": note,
                "error": str(exc.message),
                "submission": token if form_token_valid(token) else form_token_new(),
            },
            status=422,
        )
    if not added:
        messages.info(request, _("This note was added already; it is not added again."))
    return redirect("backoffice:case", reference=reference)


@unstorable_input_checked_by_view
@officer_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest) -> HttpResponse:
    """The search is posted: names, birth dates and document numbers never go into a URL
    (browser history, access logs, the Referer of the next page)."""
    typed = {
        "name": request.POST.get("name", "")[:200],
        "document": request.POST.get("document", "")[:20],
        "birth_date": request.POST.get("birth_date", "")[:20],
    }
    # text the database cannot hold (a NUL: a crafted request) is refused beside its field,
    # nothing is searched; the form shows it again without those characters
    errors = {
        k: _("The text contains control characters.") for k, v in typed.items() if not storable(v)
    }
    if errors:
        shown = {k: "".join(c for c in v if storable(c)) for k, v in typed.items()}
        return render(
            request,
            "backoffice/people.html",
            {**shown, "errors": errors, "results": [], "searched": False},
            status=422,
        )
    name, number = typed["name"], typed["document"]
    birth = _date(typed["birth_date"])
    results = list(
        person_search(user=request.user, name=name, birth_date=birth, document_number=number)
    )
    return render(
        request,
        "backoffice/people.html",
        {
            "results": results,
            "name": name,
            "document": number,
            "birth_date": typed["birth_date"],
            "errors": {},
            "searched": bool(name or number or birth),
            "truncated": len(results) >= people_selectors.SEARCH_LIMIT,
            "limit": people_selectors.SEARCH_LIMIT,
        },
    )


@officer_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        # who may open the file is settled before anything is asked
        purpose, problems = person_read_purpose(
            user=request.user, person_id=person_id, params=request.GET
        )
        if purpose is None:
            return render(
                request,
                "backoffice/person_purpose.html",
                {
                    "person_id": person_id,
                    "purposes": PURPOSES.items(),
                    "chosen": request.GET.get("purpose", ""),
                    "reference": request.GET.get("ref", "")[:MAX_REFERENCE],
                    "problems": problems,
                },
                status=422 if problems else 200,
            )
        person = person_get_for_user(user=request.user, person_id=person_id, purpose=purpose.text)
    except NotFound as exc:
        raise Http404 from exc
    cases = list(cases_of_person_for_user(user=request.user, person_id=person.pk))
    documents = list(person.documents.select_related("issuing_state").order_by("created_at"))
    issued = list(
        IssuedDocument.objects.filter(person=person, case__in=cases).order_by("issued_at")
    )
    today = clock.today()
    return render(
        request,
        "backoffice/person.html",
        {
            "person": person,
            "cases": cases,
            "documents": documents,
            "issued": [{"doc": d, "verify_url": document_verify_link(d)} for d in issued],
            "merged_into": person_current(person=person) if person.merged_into_id else None,
            "merges": list(person_merges_of(person_id=person.pk)),
            # an unmerge refused for its reason: that form, as typed, with the error
            "unmerge": request.session.pop(UNMERGE_FORM, None),
            "stay": person_stay_compute(person=person, on=today).to_dict(),
            "timeline": person_timeline(person=person, until=today, user=request.user),
            "findings": findings_of_person_for_user(user=request.user, person_id=person.pk),
            "hits": hits_for_person(user=request.user, person_id=person.pk),
            "purpose": purpose,
        },
    )
