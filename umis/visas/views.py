"""E-visa pages: apply and follow an application (public), the officer's queue and decision."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from umis.accounts.decorators import officer_required
from umis.audit.services import audit_record
from umis.cases import registry
from umis.cases.forms import AnnulmentForm, annulment_form_read, posted_version
from umis.cases.selectors import (
    case_closing,
    case_get_for_user,
    case_history,
    case_transition_refusal,
)
from umis.cases.services import case_reasons_clean
from umis.cases.views import case_assignment_form, case_assignment_post
from umis.core import clock
from umis.core.durations import days_in_full
from umis.core.errors import DomainError, NotFound
from umis.core.filters import choice_filter_read
from umis.core.forms import fields_left_blank
from umis.core.once import form_token_for_session, form_token_given
from umis.core.races import atomic_retried
from umis.core.ratelimit import rate_limited
from umis.documents.services import document_verify_link
from umis.payments.services import (
    payment_confirmation_awaited,
    payment_confirmation_wait,
    payment_start_allowed,
)
from umis.people.models import Sex
from umis.reference.models import LegalGround
from umis.reference.selectors import legal_ground_list, region_choices
from umis.screening.models import ScreeningHit
from umis.screening.selectors import hits_for_case
from umis.visas import documents, selectors, services, workflow
from umis.visas.catalogue import SERVICE_CODE
from umis.visas.models import VisaApplication
from umis.visas.pending import (
    pending_file_name,
    pending_photo_drop,
    pending_photo_keep,
    pending_photo_read,
    pending_photos_expire,
)
from umis.visas.photo import MAX_BYTES, photo_clean
from umis.visas.validation import MAX_GROUP

SESSION_KEY = services.OPEN_GROUPS_SESSION_KEY
TOKENS_KEY = "evisa_form_tokens"  # the one-time tokens of the forms this browser was given
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
REFERENCE_RE = re.compile(r"[A-Z]{2,4}-\d{4}-\d{6,9}")  # a case's reference, EV-2026-000008
PERSON_FIELDS = (
    ("surname", gettext_noop("Surname"), ""),
    ("given_names", gettext_noop("Given names"), ""),
    ("birth_date", gettext_noop("Date of birth"), "date"),
    ("sex", gettext_noop("Sex"), ""),
    ("nationality", gettext_noop("Nationality"), ""),
    ("issuing_state", gettext_noop("Passport issued by"), ""),
    ("document_number", gettext_noop("Passport number"), ""),
    ("document_expiry", gettext_noop("Passport valid until"), "date"),
)
TRIP_FIELDS = (
    ("entry_date", gettext_noop("Intended entry date"), "date"),
    ("stay_days", gettext_noop("Length of stay (days, at most 30)"), "number"),
    ("city", gettext_noop("City"), ""),
    ("street", gettext_noop("Street and building"), ""),
    ("email", gettext_noop("E-mail"), "email"),
)


def _allow(request: HttpRequest, group: str) -> None:
    groups = list(request.session.get(SESSION_KEY, []))[-20:]
    if group not in groups:
        groups.append(group)
    request.session[SESSION_KEY] = groups


def _form_token(request: HttpRequest, posted: str) -> str:
    """The form's one-time token, remembered for this browser (`form_token_for_session`)."""
    return form_token_for_session(request.session, key=TOKENS_KEY, posted=posted)


def _group_for_session(request: HttpRequest, reference: str) -> list[VisaApplication]:
    if reference not in request.session.get(SESSION_KEY, []):
        return []
    return list(
        VisaApplication.objects.filter(group_reference=reference)
        .select_related("case", "person", "travel_document", "payment_order")
        .order_by("case_id")
    )


def _prefix(i: int) -> str:
    """Form field prefix of the i-th traveller: the first has none, the others `t2-`, `t3-`..."""
    return "" if i == 0 else f"t{i + 1}-"


def _travellers_count(request: HttpRequest) -> int:
    try:
        n = int(request.POST.get("travellers") or request.GET.get("travellers") or 1)
    except ValueError:
        n = 1
    return max(1, min(MAX_GROUP, n))


def _group_size_changed(request: HttpRequest, count: int) -> int | None:
    """The number of travellers chosen in the form's list, when the form is sent to change it
    ("Change", or the list changed before sending the application): the form comes back with
    that many travellers and everything typed for them, nothing is submitted. None otherwise."""
    chosen = request.POST.get("group_size")
    if chosen is None:  # a form without the list (a script): submitted as it is
        return None
    try:
        size = max(1, min(MAX_GROUP, int(chosen)))
    except ValueError:
        size = count
    return size if "resize" in request.POST or size != count else None


def _kept_note(kept: tuple[str, str, bytes] | None) -> dict[str, str] | None:
    """What the form shows of a kept photo: its token and a line naming the file."""
    if kept is None:
        return None
    token, name, _data = kept
    return {
        "token": token,
        "note": _("Photo kept: %(name)s. Choose another file only to replace it.")
        % {"name": pending_file_name(name)},
    }


def _kept_photos(request: HttpRequest, count: int) -> dict[str, tuple[str, str, bytes]]:
    """The photos kept for this browser's form when it was shown again with errors, by
    field: (token, the file's name, the photo), those the form names and may still use."""
    kept: dict[str, tuple[str, str, bytes]] = {}
    for i in range(count):
        name = f"{_prefix(i)}photo"
        token = request.POST.get(f"{name}_kept", "")
        found = pending_photo_read(session=request.session, token=token)
        if found is not None:
            kept[name] = (token, found[1], found[0])
    return kept


def _traveller_from_form(
    request: HttpRequest,
    values: dict[str, Any],
    i: int,
    kept: dict[str, tuple[str, str, bytes]],
) -> dict[str, Any]:
    p = _prefix(i)
    person: dict[str, Any] = {k: values.get(f"{p}{k}", "") for k, _l, _t in PERSON_FIELDS}
    if values.get(f"{p}mrz"):
        person["mrz"] = values[f"{p}mrz"]
    upload = request.FILES.get(f"{p}photo")
    if upload is not None:  # a file chosen replaces the photo kept
        replaced = kept.pop(f"{p}photo", None)
        if replaced is not None:
            pending_photo_drop(session=request.session, token=replaced[0])
        person["photo"] = _chosen_photo(upload)
    elif f"{p}photo" in kept:
        person["photo"] = kept[f"{p}photo"][2]
    return person


def _chosen_photo(upload: Any) -> bytes:
    """A chosen file's bytes; one past the limit is read as too large without reading it."""
    if (upload.size or 0) > MAX_BYTES:
        return b"\0" * (MAX_BYTES + 1)
    return bytes(upload.read(MAX_BYTES + 1))


def _keep_chosen_photo(
    request: HttpRequest,
    name: str,
    data: bytes,
    kept: dict[str, tuple[str, str, bytes]],
    errors: dict[str, str],
    full: str,
) -> None:
    """Keep a photo chosen in the form shown again (a browser sends a chosen file once), or
    say beside its field why it is chosen again."""
    upload = request.FILES.get(name)
    file_name = (upload.name if upload is not None else "") or ""
    try:
        photo_clean(data)
    except DomainError as exc:
        errors[name] = str(exc.message)
        return
    keep_token = pending_photo_keep(session=request.session, data=data, name=file_name)
    if keep_token is None:  # no room left for kept photos
        errors[name] = full
        return
    kept[name] = (keep_token, file_name, data)


def apply(request: HttpRequest) -> HttpResponse:
    """One traveller, or a group of up to ten (`?travellers=N`) paying once."""
    count = _travellers_count(request)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    general: list[str] = []
    kept: dict[str, tuple[str, str, bytes]] = {}  # photos kept across the form's errors
    resized_unasked = False
    resized = None
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "")[:300] for k in request.POST if k != "csrfmiddlewaretoken"
        }
        resized = _group_size_changed(request, count)
        pending_photos_expire()
    if resized is not None:
        # the typed values are kept (those of travellers beyond the new number are not shown)
        resized_unasked = "resize" not in request.POST and resized != count
        kept = _kept_photos(request, max(count, resized))
        for i in range(resized, count):  # the travellers removed: their photos go at once
            dropped = kept.pop(f"{_prefix(i)}photo", None)
            if dropped is not None:
                pending_photo_drop(session=request.session, token=dropped[0])
        count = resized
        for i in range(count):  # a photo chosen for a traveller who stays is kept for him
            name = f"{_prefix(i)}photo"
            upload = request.FILES.get(name)
            if upload is None:
                continue
            replaced = kept.pop(name, None)
            if replaced is not None:
                pending_photo_drop(session=request.session, token=replaced[0])
            _keep_chosen_photo(
                request,
                name,
                _chosen_photo(upload),
                kept,
                errors,
                _("Choose the photo again: it could not be kept while the form was changed."),
            )
    elif request.method == "POST":
        kept = _kept_photos(request, count)
        raw = {
            **{k: values.get(k, "") for k, _l, _t in TRIP_FIELDS},
            "purpose": values.get("purpose", ""),
            "speed": values.get("speed", ""),
            "region": values.get("region", ""),
            "applicants": [_traveller_from_form(request, values, i, kept) for i in range(count)],
        }
        language = (get_language() or "az")[:2]
        token = values.get("submission", "")
        try:
            if TOKEN_RE.fullmatch(token):
                group, replayed = services.visa_applications_submit_once(
                    actor=request.user, raw=raw, language=language, token=token
                )
            else:  # a form without its token (a script): submitted as it is
                submission = atomic_retried(
                    lambda: services.visa_applications_submit(
                        actor=request.user, raw=raw, language=language
                    )
                )
                group, replayed = submission.group_reference, False
        except DomainError as exc:
            for e in exc.errors:
                name = e.field or ""
                match = re.match(r"applicants\.(\d+)\.(.+)", name)
                if match:
                    name = _prefix(int(match.group(1))) + match.group(2)
                if name:
                    errors.setdefault(name, str(e.message))
                else:
                    general.append(str(e.message))
        else:
            # A form sent again shows what its first sending made; only to the browser the
            # form was given to, as a token seen elsewhere opens nobody's application.
            if not replayed or form_token_given(request.session, key=TOKENS_KEY, token=token):
                _allow(request, group)
            for photo_token, _name, _data in kept.values():
                pending_photo_drop(session=request.session, token=photo_token)
            # The status page links to the gateway: a form may only post back to UMIS (CSP).
            return redirect("visas:status", reference=group)

        if errors or general:
            # a browser sends a chosen file once: a photo that passes its checks is kept
            # for the form sent again, where it need not be chosen anew
            for i, person in enumerate(raw["applicants"]):
                name = f"{_prefix(i)}photo"
                if request.FILES.get(name) is None or name in errors:
                    continue
                _keep_chosen_photo(
                    request,
                    name,
                    person["photo"],
                    kept,
                    errors,
                    _("Choose the photo again: a photo is not kept when the form has errors."),
                )

    # chosen from lists, as on the host's form; the API still takes any code (validation)
    countries = selectors.evisa_country_choices(on=clock.today())
    options: dict[str, Any] = {
        "sex": Sex.choices,
        "nationality": countries.nationalities,
        "issuing_state": countries.issuing_states,
    }
    hints = {
        "nationality": _(
            "Only the nationalities that can get an e-visa are listed. If yours is not, you may need no visa at all, or else apply at a consulate."
        )
    }

    def fields(spec: tuple[tuple[str, str, str], ...], prefix: str = "") -> list[dict[str, Any]]:
        return [
            {
                "name": f"{prefix}{n}",
                "label": _(label),
                "type": t,
                "current": values.get(f"{prefix}{n}", ""),
                "error": errors.get(f"{prefix}{n}"),
                "options": options.get(n),
                "hint": hints.get(n, ""),
                "required": True,  # each of a traveller's and the trip's (validation)
            }
            for n, label, t in spec
        ]

    travellers = [
        {
            "number": i + 1,
            "prefix": _prefix(i),
            "fields": fields(PERSON_FIELDS, _prefix(i)),
            "mrz": values.get(f"{_prefix(i)}mrz", ""),
            "mrz_error": errors.get(f"{_prefix(i)}mrz"),
            "photo_error": errors.get(f"{_prefix(i)}photo"),
            "photo_kept": _kept_note(kept.get(f"{_prefix(i)}photo")),
        }
        for i in range(count)
    ]
    regions = region_choices()
    return render(
        request,
        "visas/apply.html",
        {
            "travellers": travellers,
            "count": count,
            "counts": range(1, MAX_GROUP + 1),
            "trip_fields": fields(TRIP_FIELDS),
            "purposes": VisaApplication.Purpose.choices,
            "speeds": VisaApplication.Speed.choices,
            "fees": selectors.evisa_fees_per_traveller(on=clock.today()),
            "regions": regions,
            "values": values,
            "errors": errors,
            "general_errors": general,
            "resized_unasked": resized_unasked,
            "submission": _form_token(request, values.get("submission", "")),
        },
        status=422 if errors or general else 200,
    )


@rate_limited("lookup")
def status_lookup(request: HttpRequest) -> HttpResponse:
    error = ""
    reference = passport_number = ""
    missing: dict[str, str] = {}
    if request.method == "POST":
        reference = request.POST.get("reference", "").strip().upper()[:30]
        passport_number = request.POST.get("passport_number", "")[:20]
        # a field left blank is named beside it, and nothing is looked up
        missing = fields_left_blank({"reference": reference, "passport_number": passport_number})
        if not missing:
            apps = selectors.group_for_applicant(
                reference=reference, passport_number=passport_number
            )
            if apps:  # found by the group's reference or by one traveller's own
                group = apps[0].group_reference
                _allow(request, group)
                return redirect("visas:status", reference=group)
            error = _("No application matches this reference and passport number.")
    # from the link in the e-mail, opened where the application is not open yet
    asked = request.GET.get("reference", "")[:30]
    # back from the bank's page in a browser where the application is not open
    payment = request.GET.get("payment", "")
    return render(
        request,
        "visas/status_lookup.html",
        {
            "error": error,
            "asked": asked if REFERENCE_RE.fullmatch(asked) else "",
            # a look-up that found nothing keeps the reference typed: only the passport
            # number is typed again
            "reference": reference,
            # kept only when the look-up was not made: a number that matched nothing is typed
            # again
            "passport_number": passport_number.strip() if missing else "",
            "missing": missing,
            "payment": payment if payment in ("returned", "cancelled") else "",
        },
        status=422 if missing else 404 if error else 200,
    )


def status(request: HttpRequest, reference: str) -> HttpResponse:
    apps = _group_for_session(request, reference)
    if not apps:
        lookup = reverse("visas:status_lookup")
        # back from the bank in another browser: the payment's address names no application
        # (so it is not filled in), but the look-up says where the payer is and what to do
        if request.GET.get("cancelled") == "1":
            lookup += "?" + urlencode({"payment": "cancelled"})
        elif request.GET.get("paid") or request.GET.get("cancelled"):
            lookup += "?" + urlencode({"payment": "returned"})
        elif REFERENCE_RE.fullmatch(reference):
            lookup += "?" + urlencode({"reference": reference})
        return redirect(lookup)
    order = apps[0].payment_order
    # back from the gateway's page: paid there (the bank's notification is awaited) or
    # cancelled there (the fee is not paid: the pay button is offered again)
    cancelled = request.GET.get("cancelled") == "1"
    # paid on the gateway's page and the bank has not confirmed it yet: said so on every
    # reading of the page, never a second pay button, and the page reloads itself until the
    # confirmation comes. Only from the return recorded by the address signed for the order:
    # `?paid=1` in the address is anyone's to add and says nothing by itself.
    confirming = not cancelled and payment_confirmation_awaited(order=order)
    annulments = selectors.visa_annulments(applications=apps)
    response = render(
        request,
        "visas/status.html",
        {
            "reference": reference,
            "apps": apps,
            "order": order,
            "paid_return": confirming,
            "wait_minutes": int(payment_confirmation_wait().total_seconds() // 60),
            "cancelled_return": cancelled,
            "workflow": workflow,
            # each traveller's application, with its annulment when its e-visa was annulled
            "rows": [(a, annulments.get(a.case_id)) for a in apps],
        },
    )
    if confirming and order.status == order.Status.PENDING:
        response["Refresh"] = str(settings.UMIS_EVISA_STATUS_RELOAD_SECONDS)
    return response


def pay(request: HttpRequest, reference: str) -> HttpResponse:
    apps = _group_for_session(request, reference)
    if apps and not payment_start_allowed(order=apps[0].payment_order, actor=request.user):
        messages.info(
            request,
            _(
                "Your payment is being confirmed by the bank: do not pay again. This page shows the application once the bank confirms it."
            ),
        )
        return redirect("visas:status", reference=reference)
    url = (
        services.visa_payment_url(order=apps[0].payment_order, group_reference=reference)
        if apps
        else None
    )
    if url is None:
        return redirect("visas:status_lookup")
    return redirect(url)


def _app_in_group(request: HttpRequest, reference: str, case_reference: str) -> VisaApplication:
    for app in _group_for_session(request, reference):
        if app.case.reference == case_reference:
            return app
    raise Http404


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def evisa_pdf(request: HttpRequest, reference: str, case_reference: str) -> HttpResponse:
    """The e-visa; once annulled, a page saying so (410 Gone): when, on what ground, and
    where the e-visa verifies as annulled."""
    app = _app_in_group(request, reference, case_reference)
    if app.case.state == workflow.ANNULLED:
        return _annulled_page(request, app, reference)
    if app.case.state != workflow.ISSUED:
        raise Http404
    return _pdf(documents.evisa_pdf(app), f"evisa-{app.visa_number}.pdf")


def _annulled_page(request: HttpRequest, app: VisaApplication, reference: str) -> HttpResponse:
    document = selectors.evisa_document(application=app)
    return render(
        request,
        "documents/annulled.html",
        {
            "heading": _("This e-visa has been annulled"),
            "annulment": selectors.visa_annulments(applications=[app]).get(app.case_id),
            "consequence": _("It can no longer be used to enter the country."),
            "verify_url": document_verify_link(document) if document else "",
            "back_url": reverse("visas:status", args=[reference]),
            "back_label": _("Back to the application"),
        },
        status=410,
    )


def refusal_pdf(request: HttpRequest, reference: str, case_reference: str) -> HttpResponse:
    app = _app_in_group(request, reference, case_reference)
    if app.case.state != workflow.REFUSED:
        raise Http404
    return _pdf(documents.refusal_pdf(app), f"refusal-{app.case.reference}.pdf")


@officer_required
def office_queue(request: HttpRequest) -> HttpResponse:
    # a state that is none of the list's is reported (400), and no list shown until corrected
    errors: dict[str, str] = {}
    state = choice_filter_read(request.GET, "state", selectors.QUEUE_STATES, errors)
    service = registry.get(SERVICE_CODE)
    return render(
        request,
        "visas/office_queue.html",
        {
            "rows": [] if errors else selectors.visa_queue_for_user(user=request.user, state=state),
            "state": state,
            "states": [(st, service.state_label(st)) for st in selectors.QUEUE_STATES],
            "filter_errors": errors,
        },
        status=400 if errors else 200,
    )


@officer_required
def office_dashboard(request: HttpRequest) -> HttpResponse:
    stats = selectors.visa_sla_stats(user=request.user)
    return render(request, "visas/office_dashboard.html", {"stats": stats})


def _case(request: HttpRequest, reference: str, purpose: str) -> Any:
    try:
        case = case_get_for_user(user=request.user, reference=reference[:30], purpose=purpose)
    except NotFound as exc:
        raise Http404 from exc
    if case.service_code != "evisa":
        raise Http404
    return case


def _office_case_page(
    request: HttpRequest,
    case: Any,
    *,
    refusal: dict[str, Any] | None = None,
    approval: dict[str, Any] | None = None,
    assignment: dict[str, Any] | None = None,
    annulment: AnnulmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The officer's page of an application; `refusal`, `approval` and `annulment`: a
    decision not stored, its form as the officer filled it in (legal_ground, note) with the
    errors by field, or with `conflict`, the message when someone else changed the case
    meanwhile; `assignment`: the assignment form likewise."""
    app = selectors.application_for_case(case_id=case.pk)
    if app is None:
        raise Http404
    hits = hits_for_case(user=request.user, case_id=case.pk)
    can_decide = case.state == workflow.REFERRED
    can_annul = case.state == workflow.ISSUED
    refusal = refusal or {"legal_ground": "", "note": "", "errors": {}}
    annulment = annulment or AnnulmentForm()
    return render(
        request,
        "visas/office_case.html",
        {
            "case": case,
            "app": app,
            # in full, with the number's plural (1 день, 3 дня, 10 дней), as on the e-visa
            "stay_days": days_in_full(app.stay_days),
            "history": case_history(case=case),
            "closing": case_closing(case=case),
            "hits": hits,
            "open_hits": [h for h in hits if h.status == ScreeningHit.Status.OPEN],
            "can_decide": can_decide,
            # what holds the issue back (a screening hit still open), shown by its button
            "approve_refusal": case_transition_refusal(case=case, target=workflow.ISSUED)
            if can_decide
            else None,
            "grounds": legal_ground_list(kind="visa_refusal", on=clock.today()),
            "refusal": refusal,
            "approval": approval or {"note": "", "errors": {}},
            "assignment": assignment or case_assignment_form(request, case),
            "assign_url": reverse("visas:office_assign", args=[case.reference]),
            "can_annul": can_annul,
            "annulment_grounds": legal_ground_list(
                kind=services.ANNULMENT_GROUNDS, on=clock.today()
            )
            if can_annul
            else [],
            "annulment": annulment,
            # a decision taken on a page since changed, whose form the case no longer shows
            "decision_conflict": (refusal.get("conflict") and not can_decide)
            or (annulment.conflict and not can_annul),
        },
        status=status,
    )


@officer_required
def office_case(request: HttpRequest, reference: str) -> HttpResponse:
    return _office_case_page(request, _case(request, reference, "e-visa decision"))


@officer_required
@require_POST
def office_assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "case assignment")
    return case_assignment_post(
        request,
        case,
        page=_office_case_page,
        done=reverse("visas:office_case", args=[case.reference]),
    )


@officer_required
def office_photo(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "e-visa photo")
    app = selectors.application_for_case(case_id=case.pk)
    if app is None:
        raise Http404
    # the JPEG we re-encoded at intake, under a name we make (never the uploaded file's)
    response = HttpResponse(bytes(app.photo), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-photo.jpg"'
    return response


@officer_required
@require_POST
def office_decide(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "decision")
    version = posted_version(request.POST)
    note = request.POST.get("note", "")
    ground_code = request.POST.get("legal_ground", "")[:60]
    refusing = request.POST.get("decision") != "approve"
    try:
        if not refusing:
            services.visa_approve(
                actor=request.user, case=case, expected_version=version, note=note
            )
            messages.success(request, _("The e-visa is issued."))
        else:
            ground = LegalGround.objects.filter(code=ground_code).first()
            if ground is None:
                raise DomainError(
                    "legal_ground_required",
                    _("Choose the legal ground for this decision."),
                    "legal_ground",
                )
            services.visa_refuse(
                actor=request.user,
                case=case,
                expected_version=version,
                legal_ground=ground,
                note=note,
            )
            messages.success(request, _("The application is refused."))
    except DomainError as exc:
        audit_record(
            actor=request.user,
            action="EVISA_DECISION_REFUSED",
            entity=case,
            person_id=case.applicant_id,
            data={"code": exc.code},
        )
        refusal: dict[str, Any] = {"legal_ground": ground_code, "note": note, "errors": {}}
        if refusing and exc.field in ("legal_ground", "note"):
            # nothing is stored; the form comes back as filled in, to be corrected: each
            # field's error beside it (no ground chosen and no reasons given: both)
            refusal["errors"] = {exc.field: exc.message}
            if exc.field == "legal_ground":
                try:
                    case_reasons_clean(reasons=note)
                except DomainError as reasons_error:
                    refusal["errors"]["note"] = reasons_error.message
            return _office_case_page(request, case, refusal=refusal, status=422)
        if not refusing and exc.field == "note":
            approval = {"note": note, "errors": {"note": exc.message}}
            return _office_case_page(request, case, approval=approval, status=422)
        if refusing and exc.code == "version_conflict":
            # decided on a page since changed: the case as it is now, the refusal as typed
            case.refresh_from_db()
            refusal["conflict"] = True
            return _office_case_page(request, case, refusal=refusal, status=409)
        messages.error(request, str(exc.message))
    return redirect("visas:office_case", reference=case.reference)


@officer_required
@require_POST
def office_annul(request: HttpRequest, reference: str) -> HttpResponse:
    """Annul an issued e-visa: a legal ground, the reasons and the confirmation, else the
    page comes back with what the officer entered and the errors beside the fields."""
    case = _case(request, reference, "decision")
    form = annulment_form_read(request.POST)
    version = posted_version(request.POST)
    if form.errors or form.legal_ground is None:
        _annulment_refused(request, case, "invalid_form", fields=sorted(form.errors))
        if case.state != workflow.ISSUED:
            # sent from a page showing the e-visa issued: the case has changed since
            form.conflict, form.confirmed = True, False
            return _office_case_page(request, case, annulment=form, status=409)
        return _office_case_page(request, case, annulment=form, status=422)
    try:
        services.visa_annul(
            actor=request.user,
            case=case,
            expected_version=version,
            legal_ground=form.legal_ground,
            reasons=form.reasons,
        )
        messages.success(request, _("The e-visa is annulled."))
    except DomainError as exc:
        _annulment_refused(request, case, exc.code)
        if exc.field in ("legal_ground", "note"):
            form.errors = {exc.field: str(exc.message)}
            return _office_case_page(request, case, annulment=form, status=422)
        if exc.code == "version_conflict":
            # decided on a page since changed: the case as it is now, the annulment as typed
            case.refresh_from_db()
            form.conflict, form.confirmed = True, False  # ticked again, knowing the change
            return _office_case_page(request, case, annulment=form, status=409)
        messages.error(request, str(exc.message))
    return redirect("visas:office_case", reference=case.reference)


def _annulment_refused(
    request: HttpRequest, case: Any, code: str, *, fields: list[str] | None = None
) -> None:
    """An annulment not recorded (nothing changed) is in the audit log, with why."""
    data: dict[str, Any] = {"decision": "annul", "code": code}
    if fields:
        data["fields"] = fields
    audit_record(
        actor=request.user,
        action="EVISA_DECISION_REFUSED",
        entity=case,
        person_id=case.applicant_id,
        data=data,
    )
