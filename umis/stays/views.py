from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from umis.accounts.decorators import signed_in_required
from umis.core import clock
from umis.core.errors import DomainError, NotFound
from umis.core.forms import fields_left_blank
from umis.core.once import (
    form_token_for_session,
    form_token_given,
    form_token_new,
    form_token_valid,
)
from umis.core.ratelimit import rate_limited
from umis.documents.services import document_verify_link
from umis.people.models import DocumentType, Sex
from umis.reference.models import Country
from umis.reference.selectors import countries_by_name, region_choices
from umis.stays import selectors, services
from umis.stays.documents import certificate_pdf
from umis.stays.models import Host, StayRegistration

FORM_FIELDS = (
    "surname",
    "given_names",
    "patronymic",
    "birth_date",
    "sex",
    "nationality",
    "document_type",
    "document_number",
    "issuing_state",
    "document_expiry",
    "region",
    "city",
    "street",
    "arrival_date",
    "planned_departure",
)


# what a registration may leave blank (validation.registration_parse, own_provider_parse):
# the form marks every other field as one to fill in
OPTIONAL_FIELDS = frozenset({"patronymic", "provider_phone"})


def _host_or_404(request: HttpRequest) -> Host:
    host = selectors.host_for_user(user=request.user)
    if host is None:
        raise Http404
    return host


@signed_in_required
def guests(request: HttpRequest) -> HttpResponse:
    host = _host_or_404(request)
    registrations = selectors.stay_registrations_current(host=host)[:200]
    return render(
        request,
        "stays/guests.html",
        {
            "host": host,
            "registrations": registrations,
            "ended": [
                (reg, _end_of_stay(reg))
                for reg in selectors.stay_registrations_recently_ended(host=host, on=clock.today())
            ],
            "ended_days": selectors.RECENTLY_ENDED_DAYS,
        },
    )


def _end_of_stay(reg: StayRegistration) -> str:
    """How an ended registration ended, in words that agree with the guest's sex where the
    language marks it (Russian "выбыл" / "выбыла"); a sex not stated reads without a verb."""
    date = formats.date_format(reg.ended_on, "d.m.Y") if reg.ended_on else ""
    sex = reg.sex
    if reg.moved_away:
        if sex == Sex.MALE:
            return _("moved to another place of stay on %(date)s") % {"date": date}
        if sex == Sex.FEMALE:
            return _("moved to another place of stay on %(date)s [of a female guest]") % {
                "date": date
            }
        return _("moved to another place of stay on %(date)s [guest's sex not stated]") % {
            "date": date
        }
    if sex == Sex.MALE:
        return _("left on %(date)s") % {"date": date}
    if sex == Sex.FEMALE:
        return _("left on %(date)s [of a female guest]") % {"date": date}
    return _("left on %(date)s [guest's sex not stated]") % {"date": date}


def _alpha3_if_other(country: Country) -> str:
    return country.alpha3 if country.alpha3 != country.icao_code else ""


@signed_in_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    host = _host_or_404(request)
    values: dict[str, str] = {
        "region": host.region.code,
        "city": host.city,
        "street": host.street,
        "arrival_date": clock.today().isoformat(),
        "document_type": DocumentType.PASSPORT,
    }
    errors: dict[str, str] = {}
    token = form_token_new()  # the form's one-time token: sent twice, it registers once
    if request.method == "POST":
        values, raw = _posted(request, FORM_FIELDS)
        posted = request.POST.get("submission", "")[:64]
        token = posted if form_token_valid(posted) else token
        result, earlier = services.stay_registration_submit_form(
            actor=request.user, host=host, raw=raw, token=posted
        )
        if result is None:  # the same form sent again: what its first sending stored
            messages.info(
                request,
                _(
                    "This form was sent already: the guest is registered once. Registration number: %(ref)s"
                )
                % {"ref": earlier},
            )
            return redirect("stays:detail", reference=earlier)
        if result.registration is not None:
            messages.success(
                request,
                _("The guest is registered. Registration number: %(ref)s")
                % {"ref": result.registration.case.reference},
            )
            if result.move is not None:
                messages.info(request, result.move.notice())
            if result.taken_over is not None:
                messages.info(request, result.taken_over.notice())
            return redirect("stays:detail", reference=result.registration.case.reference)
        errors = {e.field or "__all__": str(e.message) for e in result.errors}
    return render(
        request,
        "stays/register.html",
        {"host": host, "submission": token, **_form_context(values, errors, own=False)},
        status=422 if errors else 200,
    )


def _form_context(values: dict[str, str], errors: dict[str, str], *, own: bool) -> dict[str, Any]:
    """The registration form's fields, as filled in, with the errors beside them: the host's,
    or the foreigner's own (`own`), which adds who provides the accommodation and his e-mail."""
    active = countries_by_name()
    # by ICAO code, as a zone writes it (Germany `D`); the alpha-3 code beside it where it
    # differs, so a zone pasted with `DEU` fills the list too (static/umis.js)
    nationalities = [(c.icao_code, c.name, _alpha3_if_other(c)) for c in active]
    issuers = [(c.icao_code, c.name, _alpha3_if_other(c)) for c in active if c.is_state]
    regions = region_choices()

    def spec(name: str, label: str, *, options: object = None, kind: str = "") -> dict[str, object]:
        return {
            "required": name not in OPTIONAL_FIELDS,
            "name": name,
            "label": label,
            "current": values.get(name, ""),
            "error": errors.get(name, ""),
            "options": options,
            "type": kind,
        }

    person_fields = [
        spec("surname", _("Surname (as in the passport)")),
        spec("given_names", _("Given names")),
        spec("patronymic", _("Patronymic (if any)")),
        spec("birth_date", _("Date of birth"), kind="date"),
        spec("sex", _("Sex"), options=Sex.choices),
        spec("nationality", _("Nationality"), options=nationalities),
        spec("document_type", _("Document type"), options=DocumentType.choices),
        spec("document_number", _("Document number")),
        spec("issuing_state", _("Issuing state"), options=issuers),
        spec("document_expiry", _("Expiry date"), kind="date"),
    ]
    stay_fields = [
        spec("region", _("Region"), options=regions),
        spec("city", _("City")),
        spec("street", _("Street and building")),
        spec("arrival_date", _("Arrival date"), kind="date"),
        spec("planned_departure", _("Planned departure"), kind="date"),
    ]
    provider_fields = (
        [
            spec("provider_name", _("Owner or landlord of the accommodation (full name)")),
            spec("provider_phone", _("Their phone (optional)"), kind="tel"),
            spec("email", _("Your e-mail"), kind="email"),
        ]
        if own
        else []
    )
    return {
        "values": values,
        "errors": errors,
        "person_fields": person_fields,
        "stay_fields": stay_fields,
        "provider_fields": provider_fields,
        "mrz_error": errors.get("mrz", ""),
        "general_errors": [v for k, v in errors.items() if k == "__all__"],
    }


def _posted(
    request: HttpRequest, fields: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, object]]:
    """The form's values as typed (shown again on an error) and as submitted to the service."""
    values = {f: request.POST.get(f, "") for f in fields}
    raw: dict[str, object] = dict(values)
    mrz_text = request.POST.get("mrz", "").strip()
    values["mrz"] = mrz_text
    if mrz_text:
        raw["mrz"] = mrz_text
    return values, raw


def _detail_page(
    request: HttpRequest,
    reg: StayRegistration,
    *,
    left_on: str = "",
    left_on_error: str = "",
    status: int = 200,
) -> HttpResponse:
    document = selectors.stay_registration_certificate(registration=reg)
    return render(
        request,
        "stays/detail.html",
        {
            "reg": reg,
            "annulment": selectors.stay_registration_annulment(registration=reg),
            "document": document,
            "verify_url": document_verify_link(document) if document else "",
            # the day the guest left: today, or as typed when it was refused
            "left_on": left_on or clock.today().isoformat(),
            "left_on_error": left_on_error,
        },
        status=status,
    )


def _registration_or_404(request: HttpRequest, reference: str) -> StayRegistration:
    host = _host_or_404(request)
    try:
        return selectors.stay_registration_get_for_host(
            user=request.user, host=host, reference=reference
        )
    except NotFound as exc:
        raise Http404 from exc


@signed_in_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail_page(request, _registration_or_404(request, reference))


@signed_in_required
def certificate(request: HttpRequest, reference: str) -> HttpResponse:
    host = _host_or_404(request)
    try:
        reg = selectors.stay_registration_get_for_host(
            user=request.user, host=host, reference=reference
        )
    except NotFound as exc:
        raise Http404 from exc
    return _certificate_response(
        request,
        reg,
        back_url=reverse("stays:detail", args=[reg.case.reference]),
        back_label=_("Back to the registration"),
    )


def _certificate_response(
    request: HttpRequest, reg: StayRegistration, *, back_url: str, back_label: str
) -> HttpResponse:
    """The certificate's PDF, or, once the registration is annulled, a page saying so (410 Gone,
    as an annulled e-visa's link): the host's link and the foreigner's own answer alike."""
    annulment = selectors.stay_registration_annulment(registration=reg)
    if annulment is not None:
        document = selectors.stay_registration_certificate(registration=reg)
        return render(
            request,
            "documents/annulled.html",
            {
                "heading": _("This registration certificate has been annulled"),
                "annulment": annulment,
                "consequence": _("The registration and its certificate are no longer valid."),
                "verify_url": document_verify_link(document) if document else "",
                "back_url": back_url,
                "back_label": back_label,
            },
            status=410,
        )
    response = HttpResponse(certificate_pdf(reg), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{reg.case.reference}.pdf"'
    return response


@signed_in_required
@require_POST
def end(request: HttpRequest, reference: str) -> HttpResponse:
    reg = _registration_or_404(request, reference)
    return _end_from_form(
        request,
        reg,
        end=services.stay_registration_end,
        page=_detail_page,
        ended=_("The registration has ended."),
        back=reverse("stays:detail", args=[reference]),
    )


def _end_from_form(
    request: HttpRequest,
    reg: StayRegistration,
    *,
    end: Callable[..., object],
    page: Callable[..., HttpResponse],
    ended: str,
    back: str,
) -> HttpResponse:
    """End a registration on the day typed in the form (the host's "guest left" or the
    foreigner's "I have left"): a wrong day is shown again beside the field, as typed (422)."""
    typed = request.POST.get("left_on", "").strip()[:10]
    if not typed:
        return page(
            request, reg, left_on="", left_on_error=_("This field is required."), status=422
        )
    try:
        left_on = clock.date_parse(typed)
    except ValueError:
        return page(
            request, reg, left_on=typed, left_on_error=_("Enter a date as YYYY-MM-DD."), status=422
        )
    try:
        end(actor=request.user, registration=reg, left_on=left_on)
    except DomainError as exc:
        if exc.field == "left_on":
            return page(request, reg, left_on=typed, left_on_error=str(exc.message), status=422)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, ended)
    return redirect(back)


# The foreigner's own registration: public pages, no account. The browser that filed it,
# or that looked it up with the registration number and the document number, may see it
# (remembered in its session, as the e-visa status pages do).
OWN_FIELDS = (*FORM_FIELDS, "provider_name", "provider_phone", "email")
OWN_SESSION_KEY = "own_stays"
OWN_TOKENS_KEY = "own_stay_form_tokens"  # the one-time tokens of the forms this browser was given


def _own_allow(request: HttpRequest, reference: str) -> None:
    references = [r for r in request.session.get(OWN_SESSION_KEY, []) if r != reference][-19:]
    request.session[OWN_SESSION_KEY] = [*references, reference]


def _own_or_lookup(request: HttpRequest, reference: str) -> StayRegistration | None:
    """The registration if this browser may see it, else None."""
    if reference not in request.session.get(OWN_SESSION_KEY, []):
        return None
    return selectors.stay_registration_own_by_reference(reference=reference)


@rate_limited("stay_filing")
@require_http_methods(["GET", "POST"])
def own_register(request: HttpRequest) -> HttpResponse:
    values: dict[str, str] = {
        "arrival_date": clock.today().isoformat(),
        "document_type": DocumentType.PASSPORT,
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, raw = _posted(request, OWN_FIELDS)
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        posted = request.POST.get("submission", "")[:64]
        # the form's token counts only in the browser it was given to: a token seen elsewhere
        # is no token, and opens nobody's registration
        given = form_token_given(request.session, key=OWN_TOKENS_KEY, token=posted)
        result, earlier = services.stay_registration_file_own_form(
            actor=request.user, raw=raw, language=language, token=posted if given else ""
        )
        if result is None:  # the same form sent again: what its first sending stored
            _own_allow(request, earlier)
            messages.info(
                request,
                _(
                    "This form was sent already: you are registered once. Registration number: %(ref)s"
                )
                % {"ref": earlier},
            )
            return redirect("stays_own:status", reference=earlier)
        if result.registration is not None:
            reference = result.registration.case.reference
            _own_allow(request, reference)
            messages.success(
                request, _("You are registered. Registration number: %(ref)s") % {"ref": reference}
            )
            if result.move is not None:
                messages.info(request, result.move.notice())
            return redirect("stays_own:status", reference=reference)
        errors = {e.field or "__all__": str(e.message) for e in result.errors}
    return render(
        request,
        "stays/own_register.html",
        {
            # sent twice, it registers once (a refused form keeps its token)
            "submission": form_token_for_session(
                request.session,
                key=OWN_TOKENS_KEY,
                posted=request.POST.get("submission", "")[:64],
            ),
            **_form_context(values, errors, own=True),
        },
        status=422 if errors else 200,
    )


@rate_limited("lookup")
@require_http_methods(["GET", "POST"])
def own_status_lookup(request: HttpRequest) -> HttpResponse:
    error = ""
    reference = request.GET.get("reference", "").strip().upper()[:30]
    document_number = ""
    missing: dict[str, str] = {}
    if request.method == "POST":
        reference = request.POST.get("reference", "").strip().upper()[:30]
        document_number = request.POST.get("document_number", "")[:40]
        # a field left blank is named beside it, and nothing is looked up
        missing = fields_left_blank({"reference": reference, "document_number": document_number})
        if not missing:
            try:
                reg = selectors.stay_registration_get_own(
                    reference=reference, document_number=document_number
                )
            except NotFound:
                error = _(
                    "No registration you filed yourself matches this number and document number."
                )
            else:
                _own_allow(request, reg.case.reference)
                return redirect("stays_own:status", reference=reg.case.reference)
    return render(
        request,
        "stays/own_lookup.html",
        {
            "error": error,
            "reference": reference,
            # kept only when the look-up was not made: a number that matched nothing is typed
            # again
            "document_number": document_number.strip() if missing else "",
            "missing": missing,
        },
        status=422 if missing else 404 if error else 200,
    )


def _own_status_page(
    request: HttpRequest,
    reg: StayRegistration,
    *,
    left_on: str = "",
    left_on_error: str = "",
    status: int = 200,
) -> HttpResponse:
    document = selectors.stay_registration_certificate(registration=reg)
    return render(
        request,
        "stays/own_status.html",
        {
            "reg": reg,
            "annulment": selectors.stay_registration_annulment(registration=reg),
            "ending": selectors.stay_registration_ending(registration=reg),
            "standing": selectors.stay_registration_standing(registration=reg, on=clock.today()),
            "document": document,
            "verify_url": document_verify_link(document) if document else "",
            # the day he left: today (his planned departure if that has passed), or as typed
            "left_on": left_on or min(clock.today(), reg.planned_departure).isoformat(),
            "left_on_error": left_on_error,
            "left_button": _own_left_button(reg),
        },
        status=status,
    )


def _own_left_button(reg: StayRegistration) -> str:
    """The foreigner's "I have left this address", in words that agree with his or her sex
    where the language marks it (Russian "покинул" / "покинула"); a sex not stated reads
    without a verb in the past."""
    sex = reg.sex
    if sex == Sex.MALE:
        return _("I have left this address")
    if sex == Sex.FEMALE:
        return _("I have left this address [said by a woman]")
    return _("I have left this address [sex not stated]")


@require_GET
def own_status(request: HttpRequest, reference: str) -> HttpResponse:
    reg = _own_or_lookup(request, reference)
    if reg is None:
        return redirect(
            reverse("stays_own:lookup") + "?" + urlencode({"reference": reference[:30]})
        )
    return _own_status_page(request, reg)


@rate_limited("stay_ending")
@require_POST
def own_end(request: HttpRequest, reference: str) -> HttpResponse:
    """The foreigner has left the address: only a browser that filed the registration or
    looked it up with his document number (its session) may end it."""
    try:
        reg = selectors.stay_registration_own_held(
            reference=reference, held=list(request.session.get(OWN_SESSION_KEY, []))
        )
    except NotFound as exc:
        raise Http404 from exc
    if not reg.active:  # ended or annulled since the page was shown: nothing to end
        messages.error(request, _("This registration has already ended or was annulled."))
        return redirect("stays_own:status", reference=reg.case.reference)
    return _end_from_form(
        request,
        reg,
        end=services.stay_registration_end_own,
        page=_own_status_page,
        ended=_("Your registration has ended."),
        back=reverse("stays_own:status", args=[reg.case.reference]),
    )


@require_GET
def own_certificate(request: HttpRequest, reference: str) -> HttpResponse:
    reg = _own_or_lookup(request, reference)
    if reg is None:
        raise Http404
    return _certificate_response(
        request,
        reg,
        back_url=reverse("stays_own:status", args=[reg.case.reference]),
        back_label=_("Back to your registration"),
    )
