"""E-visa applications in numbers (registered with `umis.core.statistics`): by month and by
nationality, with what became of them. An application counts in the period of the day it
was made, in its case's office."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.cases.models import Case
from umis.core.statistics import (
    Cell,
    Column,
    Query,
    Table,
    month_index,
    months_of,
    period_filter,
    register,
)
from umis.reference.selectors import rows_by_country
from umis.visas import workflow
from umis.visas.catalogue import SERVICE_CODE
from umis.visas.models import VisaApplication

SECTION = _("E-visas")


def _outcomes(prefix: str) -> dict[str, Count]:
    """Applications, and of them: not paid yet, being decided, issued, refused, issued and
    since annulled (they add up to the applications)."""
    state = f"{prefix}state"
    return {
        "n": Count("id"),
        "unpaid": Count("id", filter=Q(**{state: workflow.AWAITING_PAYMENT})),
        "deciding": Count(
            "id", filter=Q(**{f"{state}__in": [workflow.SCREENING, workflow.REFERRED]})
        ),
        "issued": Count("id", filter=Q(**{state: workflow.ISSUED})),
        "refused": Count("id", filter=Q(**{state: workflow.REFUSED})),
        "annulled": Count("id", filter=Q(**{state: workflow.ANNULLED})),
    }


def evisa_by_month(query: Query) -> list[Sequence[Cell]]:
    cases: QuerySet[Case] = Case.objects.filter(
        service_code=SERVICE_CODE, **period_filter("created_at", query)
    )
    if query.office_id is not None:
        cases = cases.filter(office_id=query.office_id)
    rows = (
        cases.annotate(month=month_index("created_at", query))
        .values_list("month")
        .annotate(**_outcomes(""))
        .order_by("month")
    )
    months = months_of(query)
    return [(months[month], *counts) for month, *counts in rows]


def evisa_by_nationality(query: Query) -> list[Sequence[Cell]]:
    applications = VisaApplication.objects.filter(**period_filter("case__created_at", query))
    if query.office_id is not None:
        applications = applications.filter(case__office_id=query.office_id)
    rows = (
        applications.values_list("person__nationality_id")
        .annotate(**_outcomes("case__"))
        .order_by()
    )
    return rows_by_country(rows)


COLUMNS = (
    Column(_("Applications")),
    Column(_("Not paid yet")),
    Column(_("Being decided")),
    Column(_("Issued")),
    Column(_("Refused")),
    Column(_("Annulled since")),
)


def register_statistics() -> None:
    register(
        Table(
            code="evisa_by_month",
            section=SECTION,
            order=30,
            title=_("E-visa applications by month"),
            note=_("Applications made in the period, by month, and what became of them."),
            columns=(Column(_("Month"), "month"), *COLUMNS),
            rows=evisa_by_month,
        )
    )
    register(
        Table(
            code="evisa_by_nationality",
            section=SECTION,
            order=31,
            title=_("E-visa applications by nationality"),
            note=_("Applications made in the period, by the applicant's nationality."),
            columns=(Column(_("Nationality"), "label"), *COLUMNS),
            rows=evisa_by_nationality,
            sensitive=True,
            split=True,  # every state of the workflow is a column
        )
    )
