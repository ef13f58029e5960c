"""Pages: the public stay calculator, the officers' overstay list and its exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from umis.accounts.decorators import officer_required
from umis.accounts.models import officer_name
from umis.border.basis import basis_label
from umis.border.calculator import stay_calculate
from umis.border.models import FindingKind, FindingState, OverstayFinding
from umis.border.selectors import (
    FindingFilter,
    FindingRow,
    crossing_point_names,
    finding_get_for_user,
    finding_history,
    findings_export_for_user,
    findings_for_user,
    findings_with_country_names,
    person_crossings,
    person_stay_compute,
)
from umis.border.services import overstay_finding_dismiss, overstay_finding_take
from umis.border.stayrules import Regime
from umis.core import clock
from umis.core.durations import stay_rule_in_full
from umis.core.errors import Conflict, DomainError, NotFound
from umis.core.filters import date_filters_read
from umis.core.text import spreadsheet_text
from umis.people.purposes import ReadPurpose
from umis.people.selectors import person_get_for_user
from umis.reference.selectors import country_choices, country_get_by_code, country_names

CALCULATOR_ROWS = 8
CALCULATOR_REGIMES = ("90/180", "30", "15")
RESULT_DATES = frozenset({"last_legal_day", "registration_due_by"})


def _calculator_field(field: str | None, filled: list[int]) -> tuple[str, str]:
    """The form input and the words for a field the calculator names (`stays.0.exit` is
    the exit of the first row filled in): ("exit_2", "Row 3, exit")."""
    parts = (field or "").split(".")
    if parts[0] == "stays" and len(parts) > 1 and parts[1].isdigit():
        k = int(parts[1])
        row = filled[k] if k < len(filled) else k
        if parts[2:] == ["entry"]:
            return f"entry_{row}", _("Row %(n)s, entry") % {"n": row + 1}
        if parts[2:] == ["exit"]:
            return f"exit_{row}", _("Row %(n)s, exit") % {"n": row + 1}
        return f"entry_{row}", _("Row %(n)s") % {"n": row + 1}
    labels = {"on": _("Control date"), "regime": _("Rule"), "nationality": _("Nationality")}
    return parts[0], labels.get(parts[0], "")


@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    rows = [
        {"entry": data.get(f"entry_{i}", "")[:10], "exit": data.get(f"exit_{i}", "")[:10]}
        for i in range(CALCULATOR_ROWS)
    ]
    filled = [i for i, r in enumerate(rows) if r["entry"] or r["exit"]]
    context: dict[str, Any] = {
        "rows": rows,
        "on": data.get("on", clock.today().isoformat())[:10],
        "regime": data.get("regime", "90/180")[:9],
        "nationality": data.get("nationality", "").strip().upper()[:3],
        "regimes": [
            {
                "label": r.label,
                "window_days": r.window_days,
                "text": stay_rule_in_full(r.days, r.window_days),
            }
            for r in map(Regime.parse, CALCULATOR_REGIMES)
        ],
        "countries": country_choices(),
    }
    if request.method == "POST":
        try:
            result = stay_calculate(
                stays=[rows[i] for i in filled],
                on=context["on"],
                regime=context["regime"],
                nationality=context["nationality"],
            )
            # the days as dates, which the page writes as every page does (24.11.2026)
            context["result"] = {
                k: dt.date.fromisoformat(v) if k in RESULT_DATES and v else v
                for k, v in result.items()
            }
        except DomainError as exc:
            context["errors"] = [
                dict(zip(("input", "label"), _calculator_field(e.field, filled), strict=True))
                | {"code": e.code, "message": e.message}
                for e in exc.errors
            ]
            context["invalid"] = {e["input"] for e in context["errors"]}
            # each field names the first error about it, which a screen reader reads with it
            for input_name in context["invalid"] - {""}:
                first = next(e for e in context["errors"] if e["input"] == input_name)
                first["id"] = f"error-{input_name}"
            for e in context["errors"]:
                if e["input"].startswith(("entry_", "exit_")):
                    name, row = e["input"].split("_")
                    rows[int(row)][f"{name}_invalid"] = "1"
    return render(request, "border/calculator.html", context)


def _nationality_filter(query: Mapping[str, str], errors: dict[str, str]) -> str:
    """The nationality chosen (ISO alpha-2), also read from an alpha-3 or ICAO code in the
    address; a code of no country is reported rather than listing nobody."""
    code = query.get("nationality", "").strip()
    if not code:
        return ""
    country = country_get_by_code(code)
    if country is None:
        errors["nationality"] = _(
            "“%(value)s” is not a country code: choose the nationality from the list."
        ) % {"value": code[:20]}
        return ""
    return country.code


def _choice_filter(
    query: Mapping[str, str], name: str, values: list[str], default: str, errors: dict[str, str]
) -> str:
    """The value of `name` chosen (empty: all; absent: `default`); one that is none of
    `values` is reported rather than listing as if it had not been given."""
    value = query.get(name, default).strip()
    if value and value not in values:
        errors[name] = (
            _("“%(value)s” is not a kind of finding: choose the kind from the list.")
            if name == "kind"
            else _("“%(value)s” is not a state of a finding: choose the state from the list.")
        ) % {"value": value[:20]}
        return ""
    return value


def _filters(request: HttpRequest) -> tuple[FindingFilter, dict[str, str]]:
    dates, errors = date_filters_read(request.GET, ("from", "to"))
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["period"] = _("The end of the period is before its start.")
    filters = FindingFilter(
        kind=_choice_filter(request.GET, "kind", FindingKind.values, "", errors),
        state=_choice_filter(request.GET, "state", FindingState.values, FindingState.OPEN, errors),
        nationality=_nationality_filter(request.GET, errors),
        detected_from=dates["from"],
        detected_to=dates["to"],
    )
    return filters, errors


def _filter_refused(errors: dict[str, str]) -> HttpResponse:
    """An export asked for with a filter not understood: said, rather than all rows."""
    return HttpResponse(
        "\n".join(errors.values()), status=400, content_type="text/plain; charset=utf-8"
    )


@officer_required
def findings(request: HttpRequest) -> HttpResponse:
    filters, errors = _filters(request)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    page = Paginator(findings_for_user(user=request.user, filters=filters), 50).get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    countries = country_choices()
    if filters.nationality and filters.nationality not in dict(countries):
        # a country no longer offered (inactive) that old findings still carry
        countries.append((filters.nationality, filters.nationality))
    response = render(
        request,
        "border/findings.html",
        {
            "page": page,
            "rows": findings_with_country_names(page),
            "filters": filters,
            "filter_errors": errors,
            "kinds": FindingKind.choices,
            "states": FindingState.choices,
            "countries": countries,
            "query": query.urlencode(),
        },
        status=400 if errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


FINDING_CROSSINGS = 200  # the latest crossings shown on a finding's page


def _finding_page(
    request: HttpRequest,
    finding_id: int,
    *,
    take: dict[str, Any] | None = None,
    dismiss: dict[str, Any] | None = None,
    conflict: str = "",
    typed: str = "",
    status: int = 200,
) -> HttpResponse:
    """A finding's page: the finding, the person, their stay today and the crossings it is
    computed from, what became of it, and the forms to take it up or dismiss it. `take` and
    `dismiss`: a form not recorded, as the officer filled it in, with its errors; `conflict`:
    why an action was refused because the finding was dealt with meanwhile, and `typed` the
    text the officer sent, shown when the forms are gone."""
    try:
        finding = finding_get_for_user(user=request.user, finding_id=finding_id)
        purpose = ReadPurpose("overstay", f"F{finding.pk}")
        person = person_get_for_user(
            user=request.user, person_id=finding.person_id, purpose=purpose.text
        )
    except NotFound as exc:
        raise Http404 from exc
    today = clock.today()
    stay = person_stay_compute(person=person, on=today)
    start = min(finding.entry_day, (stay.result and stay.result.window_start) or today)
    crossings = person_crossings(person_id=person.pk, start=start, end=today)
    crossings = crossings[-FINDING_CROSSINGS:]
    points = crossing_point_names(codes={c.crossing_point for c in crossings})
    nationality = country_names(codes={finding.nationality}).get(
        finding.nationality, finding.nationality
    )
    response = render(
        request,
        "border/finding.html",
        {
            "finding": finding,
            "legal_basis": basis_label(finding.legal_basis),
            "person": person,
            "purpose": purpose,
            "nationality": nationality,
            "stay": stay.to_dict(),
            "crossings_from": start,
            "crossings": [
                {"c": c, "point": points.get(c.crossing_point, c.crossing_point)}
                for c in reversed(crossings)
            ],
            "history": finding_history(finding=finding),
            "take": take or {"note": "", "errors": {}},
            "dismiss": dismiss or {"reason": "", "errors": {}},
            "conflict": conflict,
            "typed": typed,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@officer_required
def finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    return _finding_page(request, finding_id)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _finding_decide(
    request: HttpRequest,
    finding_id: int,
    *,
    decide: Callable[..., Any],
    field: str,
    form: str,
    done: str,
) -> HttpResponse:
    """Take a finding up or dismiss it with the text of `field` (the note, the reasons):
    404 for a finding the officer may not see, 409 when someone acted first or the page is
    stale, 422 with the form (`form`: take / dismiss) as typed and the error beside the
    field; done, back to its page with `done`."""
    text = request.POST.get(field, "")
    try:
        decide(
            actor=request.user,
            finding_id=finding_id,
            expected_version=_version(request),
            **{field: text},
        )
    except NotFound as exc:
        raise Http404 from exc
    except Conflict as exc:
        # nothing is recorded; the finding as it is now, the form as typed
        kept: dict[str, Any] = {form: {field: text, "errors": {}}}
        return _finding_page(
            request, finding_id, conflict=str(exc.message), typed=text, status=409, **kept
        )
    except DomainError as exc:
        # nothing is recorded; the form comes back as typed, the error beside the field
        errors = {e.field: str(e.message) for e in exc.errors}
        typed: dict[str, Any] = {form: {field: text, "errors": errors}}
        return _finding_page(request, finding_id, status=422, **typed)
    messages.success(request, done)
    return redirect("border:finding", finding_id=finding_id)


@officer_required
@require_POST
def finding_take(request: HttpRequest, finding_id: int) -> HttpResponse:
    return _finding_decide(
        request,
        finding_id,
        decide=overstay_finding_take,
        field="note",
        form="take",
        done=_("The finding is taken up."),
    )


@officer_required
@require_POST
def finding_dismiss(request: HttpRequest, finding_id: int) -> HttpResponse:
    return _finding_decide(
        request,
        finding_id,
        decide=overstay_finding_dismiss,
        field="reason",
        form="dismiss",
        done=_("The finding is dismissed."),
    )


def _headings() -> list[str]:
    """The exports' column headings in the reader's language, in the order of `_row`."""
    return [
        _("Person's record number"),
        _("Surname"),
        _("Given names"),
        _("Date of birth"),
        _("Nationality"),
        _("Kind"),
        _("Proposal"),
        _("State"),
        _("Office"),
        _("Entered"),
        _("Last legal day"),
        _("Registration due"),
        _("Days over"),
        _("First detected"),
        _("Last detected"),
        _("Decided by"),
        _("Decided at"),
        _("Note or reasons"),
        _("Legal basis"),
    ]


def _code_headings() -> list[str]:
    """The CSV's last columns: the codes a program reads, the same in every language."""
    return [
        _("Nationality (ISO code)"),
        _("Kind (code)"),
        _("Proposal (code)"),
        _("State (code)"),
        _("Office (code)"),
        _("Legal basis (code)"),
    ]


def _findings(request: HttpRequest, filters: FindingFilter, fmt: str) -> Iterator[FindingRow]:
    return findings_export_for_user(
        user=request.user, filters=filters, fmt=fmt, query=request.GET.urlencode()
    )


def _row(
    f: OverstayFinding,
    nationality: str,
    kind: str,
    proposal: str,
    state: str,
    office: str,
    legal_basis: str,
) -> list[Any]:
    return [
        f.person_id,
        f.person.surname,
        f.person.given_names,
        f.person.birth_date,
        nationality,
        kind,
        proposal,
        state,
        office,
        f.entry_day,
        f.last_legal_day,
        f.registration_due,
        f.days_over,
        f.first_detected_on,
        f.last_detected_on,
        officer_name(f.decided_by),
        # the local time to the minute, as the pages show it (a spreadsheet has no zones)
        timezone.localtime(f.decided_at).replace(tzinfo=None, second=0, microsecond=0)
        if f.decided_at
        else None,
        f.decision_note,
        legal_basis,
    ]


def _labelled_rows(
    request: HttpRequest, filters: FindingFilter, fmt: str, codes: bool = False
) -> Iterator[list[Any]]:
    """Rows as people read them: the country, kind, proposal, state, office and legal basis
    by name; with `codes`, followed by their codes (the basis as stored, in no language:
    visa_free:90/180, evisa:E26000123:30)."""
    for found in _findings(request, filters, fmt):
        f = found.finding
        row = _row(
            f,
            found.nationality,
            f.get_kind_display(),
            f.get_proposal_display(),
            f.get_state_display(),
            f.office.name,
            basis_label(f.legal_basis),
        )
        if codes:
            row += [f.nationality, f.kind, f.proposal, f.state, f.office.code, f.legal_basis]
        yield row


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: Any) -> Any:
    """No spreadsheet formulas from data (CSV injection)."""
    if isinstance(value, str):
        return spreadsheet_text(value)
    return "" if value is None else value


@officer_required
def findings_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    filters, errors = _filters(request)
    if errors:
        return _filter_refused(errors)
    writer = csv.writer(_Echo())
    language = translation.get_language()

    def lines() -> Iterator[str]:
        # written after the view has returned: in the language asked for, whatever the
        # thread has active by then
        with translation.override(language):
            yield "\ufeff"  # the byte order mark: Excel then reads the file as UTF-8
            yield writer.writerow([*_headings(), *_code_headings()])
            for row in _labelled_rows(request, filters, "csv", codes=True):
                yield writer.writerow([_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="overstays.csv"'
    response["Cache-Control"] = "no-store"
    return response


@officer_required
def findings_xlsx(request: HttpRequest) -> HttpResponse:
    import xlsxwriter

    filters, errors = _filters(request)
    if errors:
        return _filter_refused(errors)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(_("Overstays")[:31])
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    times = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, _headings(), bold)
    for r, row in enumerate(_labelled_rows(request, filters, "xlsx"), start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, times)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
            elif value is None:
                sheet.write_blank(r, c, None)
            else:
                sheet.write(r, c, value)
    book.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="overstays.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
