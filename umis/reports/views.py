"""The statistics page and its CSV exports: thin, the reads are in `reports.selectors`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from umis.core import clock
from umis.core.errors import NotFound
from umis.reports.selectors import (
    ReportFilter,
    report_filter_read,
    report_offices_for_user,
    reports_allowed,
    small_count_limit,
    statistics_for_user,
)

View = Callable[..., HttpResponse]


def reports_required(view: View) -> View:
    """Staff who may read the statistics; anyone else signed in gets 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not reports_allowed(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _filters(request: HttpRequest) -> tuple[ReportFilter, dict[str, str], list[Any]]:
    offices = report_offices_for_user(request.user)
    try:
        filters, errors = report_filter_read(
            user=request.user, query=request.GET, today=clock.today(), offices=offices
        )
    except NotFound as exc:
        raise Http404 from exc
    return filters, errors, offices


@reports_required
def statistics(request: HttpRequest) -> HttpResponse:
    filters, errors, offices = _filters(request)
    tables = (
        [] if errors else statistics_for_user(user=request.user, filters=filters, at=clock.now())
    )
    response = render(
        request,
        "reports/statistics.html",
        {
            "filters": filters,
            "filter_errors": errors,
            "offices": offices,
            "all_offices": getattr(request.user, "sees_all_offices", False),
            "office_code": request.GET.get("office", "")[:40] if errors else "",
            "tables": tables,
            "limit": small_count_limit(),
            "query": "" if errors else urlencode(filters.describe()),
        },
        status=400 if errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def _safe(text: str) -> str:
    """No spreadsheet formulas from data (CSV injection): a label from reference data that
    starts like one is kept as text."""
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text


@reports_required
def statistics_csv(request: HttpRequest, code: str) -> HttpResponse:
    filters, errors, _offices = _filters(request)
    if errors:  # a date that is not one: said, rather than figures for another period
        return HttpResponse(
            "\n".join(errors.values()), status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        (report,) = statistics_for_user(
            user=request.user, filters=filters, at=clock.now(), code=code, fmt="csv"
        )
    except NotFound as exc:
        raise Http404 from exc
    out = io.StringIO()
    out.write("\ufeff")  # the byte order mark: Excel then reads the file as UTF-8
    writer = csv.writer(out)
    writer.writerow([_safe(str(c.label)) for c in report.table.columns])
    for row in report.rows:
        writer.writerow([_safe(cell.csv(report.limit)) for cell in row])
    if report.totals is not None:
        writer.writerow(
            [
                str(total) if total is not None else (_("Total") if i == 0 else "")
                for i, total in enumerate(report.totals)
            ]
        )
    described = filters.describe()
    name = f"{code}_{described['from']}_{described['to']}"
    if described["office"]:
        name += f"_{described['office']}"
    response = HttpResponse(out.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "no-store"
    return response
