"""The statistics page and its CSV and Excel exports: thin, the reads are in `reports.selectors`."""

from __future__ import annotations

import csv
import datetime as dt
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
from umis.core.text import spreadsheet_text
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


def _exported(request: HttpRequest, code: str, fmt: str) -> tuple[Any, ReportFilter] | HttpResponse:
    """The table `code` for an export in `fmt`, audited; or the answer refusing the filter."""
    filters, errors, _offices = _filters(request)
    if errors:  # a date that is not one: said, rather than figures for another period
        return HttpResponse(
            "\n".join(errors.values()), status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        (report,) = statistics_for_user(
            user=request.user, filters=filters, at=clock.now(), code=code, fmt=fmt
        )
    except NotFound as exc:
        raise Http404 from exc
    return report, filters


def _download(
    body: bytes, content_type: str, code: str, filters: ReportFilter, ext: str
) -> HttpResponse:
    described = filters.describe()
    name = f"{code}_{described['from']}_{described['to']}"
    if described["office"]:
        name += f"_{described['office']}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    response["Cache-Control"] = "no-store"
    return response


def _total_row(report: Any) -> list[str | int]:
    return [
        total if total is not None else (_("Total") if i == 0 else "")
        for i, total in enumerate(report.totals)
    ]


@reports_required
def statistics_csv(request: HttpRequest, code: str) -> HttpResponse:
    exported = _exported(request, code, "csv")
    if isinstance(exported, HttpResponse):
        return exported
    report, filters = exported
    out = io.StringIO()
    out.write("\ufeff")  # the byte order mark: Excel then reads the file as UTF-8
    writer = csv.writer(out)
    writer.writerow([spreadsheet_text(str(c.label)) for c in report.table.columns])
    for row in report.rows:
        writer.writerow([spreadsheet_text(cell.csv(report.limit)) for cell in row])
    if report.totals is not None:
        writer.writerow([str(v) for v in _total_row(report)])
    return _download(out.getvalue().encode(), "text/csv; charset=utf-8", code, filters, "csv")


_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@reports_required
def statistics_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    """The table as an Excel workbook: opens in columns whatever the spreadsheet's list
    separator (a CSV does not, where it is ";": Azerbaijani and Russian settings), with
    counts as numbers and months as dates."""
    import xlsxwriter

    exported = _exported(request, code, "xlsx")
    if isinstance(exported, HttpResponse):
        return exported
    report, filters = exported
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(str(report.table.title).translate(_SHEET_NAME_FORBIDDEN)[:31])
    bold = book.add_format({"bold": True})
    month = book.add_format({"num_format": "yyyy-mm"})
    right = book.add_format({"align": "right"})
    sheet.write_row(0, 0, [str(c.label) for c in report.table.columns], bold)
    for r, row in enumerate(report.rows, start=1):
        for c, cell in enumerate(row):
            if cell.hidden or cell.withheld:
                sheet.write_string(r, c, cell.csv(report.limit), right)
            elif cell.kind == "month" and isinstance(cell.value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(cell.value, dt.time()), month)
            elif cell.kind == "count":
                sheet.write_number(r, c, cell.value)
            else:
                sheet.write_string(r, c, str(cell.value))
    if report.totals is not None:
        sheet.write_row(len(report.rows) + 1, 0, _total_row(report), bold)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, max(len(report.table.columns) - 1, 1), 16)
    book.close()
    return _download(
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        code,
        filters,
        "xlsx",
    )
