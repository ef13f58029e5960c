"""Screening hits in numbers (registered with `umis.core.statistics`): raised, confirmed and
dismissed, by the kind of list entry. A hit counts in the period of the day it was raised,
in the office it was given to."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from umis.core.statistics import Cell, Column, Query, Table, period_filter, register
from umis.screening.models import Category, ScreeningHit

SECTION = _("Screening")


def hits_by_category(query: Query) -> list[Sequence[Cell]]:
    hits = ScreeningHit.objects.filter(**period_filter("created_at", query))
    if query.office_id is not None:
        hits = hits.filter(office_id=query.office_id)
    Status = ScreeningHit.Status
    rows = (
        hits.values_list("entry__category")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=Q(status=Status.OPEN)),
            confirmed=Count("id", filter=Q(status=Status.CONFIRMED)),
            dismissed=Count("id", filter=Q(status=Status.DISMISSED)),
        )
        .order_by()
    )
    found = {category: counts for category, *counts in rows}
    return [(str(label), *found[code]) for code, label in Category.choices if code in found]


def register_statistics() -> None:
    register(
        Table(
            code="screening_hits",
            section=SECTION,
            order=50,
            title=_("Screening hits by kind of list entry"),
            note=_("Hits raised in the period, and what officers decided on them."),
            columns=(
                Column(_("Kind of entry"), "label"),
                Column(_("Hits")),
                Column(_("Open")),
                Column(_("Confirmed")),
                Column(_("Dismissed")),
            ),
            rows=hits_by_category,
        )
    )
