"""Place-of-stay registrations in numbers (registered with `umis.core.statistics`): by month,
by region and by nationality, with the late ones. A registration counts in the period of
the day it was filed (its case's submission), in its case's office."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.core.statistics import (
    Cell,
    Column,
    Query,
    Table,
    grouped_id,
    month_index,
    months_of,
    period_filter,
    register,
    rows_by_name,
)
from umis.reference.models import Region
from umis.reference.selectors import rows_by_country
from umis.stays.models import StayRegistration
from umis.stays.workflow import ANNULLED

SECTION = _("Registration at the place of stay")
LATE = Q(late=True)


def _registrations(query: Query) -> QuerySet[StayRegistration]:
    qs = StayRegistration.objects.filter(**period_filter("case__created_at", query))
    return qs if query.office_id is None else qs.filter(case__office_id=query.office_id)


def stays_by_month(query: Query) -> list[Sequence[Cell]]:
    rows = (
        _registrations(query)
        .annotate(month=month_index("case__created_at", query))
        .values_list("month")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=LATE),
            annulled=Count("id", filter=Q(case__state=ANNULLED)),
        )
        .order_by("month")
    )
    months = months_of(query)
    return [(months[month], *counts) for month, *counts in rows]


def stays_by_region(query: Query) -> list[Sequence[Cell]]:
    rows = (
        _registrations(query)
        .annotate(by_region=grouped_id("region_id"))
        .values_list("by_region")
        .annotate(n=Count("id"), late=Count("id", filter=LATE))
        .order_by()
    )
    found = {region_id: counts for region_id, *counts in rows}
    names = {r.pk: r.name for r in Region.objects.filter(pk__in=list(found))}
    return rows_by_name(found, names)


def stays_by_nationality(query: Query) -> list[Sequence[Cell]]:
    rows = (
        _registrations(query)
        .values_list("person__nationality_id")
        .annotate(n=Count("id"), late=Count("id", filter=LATE))
        .order_by()
    )
    return rows_by_country(rows)


def register_statistics() -> None:
    register(
        Table(
            code="stays_by_month",
            section=SECTION,
            order=20,
            title=_("Registrations by month"),
            note=_(
                "Registrations filed in the period, by month; those filed after the "
                "deadline, and those annulled since."
            ),
            columns=(
                Column(_("Month"), "month"),
                Column(_("Registrations")),
                Column(_("Filed late")),
                Column(_("Annulled since")),
            ),
            rows=stays_by_month,
        )
    )
    register(
        Table(
            code="stays_by_region",
            section=SECTION,
            order=21,
            title=_("Registrations by region"),
            note=_("Registrations filed in the period, by the region of the place of stay."),
            columns=(
                Column(_("Region"), "label"),
                Column(_("Registrations")),
                Column(_("Filed late")),
            ),
            rows=stays_by_region,
        )
    )
    register(
        Table(
            code="stays_by_nationality",
            section=SECTION,
            order=22,
            title=_("Registrations by nationality"),
            note=_("Registrations filed in the period, by the foreigner's nationality."),
            columns=(
                Column(_("Nationality"), "label"),
                Column(_("Registrations")),
                Column(_("Filed late")),
            ),
            rows=stays_by_nationality,
            sensitive=True,
        )
    )
