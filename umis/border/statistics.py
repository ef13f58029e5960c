"""Overstays and missed registrations in numbers (registered with `umis.core.statistics`):
the daily job's findings by kind and by nationality. A finding counts in the period of the
day it was first detected, in the office it was given to."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.border.models import FindingKind, FindingState, OverstayFinding
from umis.core.statistics import Cell, Column, Query, Table, days_filter, register
from umis.reference.selectors import rows_by_country

SECTION = _("Overstays")


def _findings(query: Query) -> QuerySet[OverstayFinding]:
    qs = OverstayFinding.objects.filter(**days_filter("first_detected_on", query))
    return qs if query.office_id is None else qs.filter(office_id=query.office_id)


def findings_by_kind(query: Query) -> list[Sequence[Cell]]:
    rows = (
        _findings(query)
        .values_list("kind")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=Q(state=FindingState.OPEN)),
            taken=Count("id", filter=Q(state=FindingState.TAKEN)),
            dismissed=Count("id", filter=Q(state=FindingState.DISMISSED)),
        )
        .order_by()
    )
    found = {kind: counts for kind, *counts in rows}
    return [(str(label), *found[kind]) for kind, label in FindingKind.choices if kind in found]


def findings_by_nationality(query: Query) -> list[Sequence[Cell]]:
    rows = (
        _findings(query)
        .values_list("nationality")
        .annotate(
            overstays=Count("id", filter=Q(kind=FindingKind.OVERSTAY)),
            missed=Count("id", filter=Q(kind=FindingKind.MISSED_REGISTRATION)),
        )
        .order_by()
    )
    return rows_by_country(rows)


def register_statistics() -> None:
    register(
        Table(
            code="overstays_by_kind",
            section=SECTION,
            order=40,
            title=_("Overstay findings by kind"),
            note=_(
                "Findings first detected in the period, and what the office has done with them."
            ),
            columns=(
                Column(_("Kind"), "label"),
                Column(_("Findings")),
                Column(_("Open")),
                Column(_("Taken up")),
                Column(_("Dismissed")),
            ),
            rows=findings_by_kind,
        )
    )
    register(
        Table(
            code="overstays_by_nationality",
            section=SECTION,
            order=41,
            title=_("Overstay findings by nationality"),
            note=_("Findings first detected in the period, by the person's nationality."),
            columns=(
                Column(_("Nationality"), "label"),
                Column(_("Overstays")),
                Column(_("Not registered at the place of stay in time")),
            ),
            rows=findings_by_nationality,
            sensitive=True,
        )
    )
