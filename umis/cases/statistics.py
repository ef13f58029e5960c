"""The case engine's statistics (registered with `umis.core.statistics`): cases of every
service by state, by office, and those waiting for staff against their due time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.cases import registry
from umis.cases.models import Case
from umis.core.statistics import Cell, Column, Query, Table, grouped_id, period_filter, register
from umis.reference.models import Office

SECTION = _("Cases")
SOON = dt.timedelta(hours=24)  # as the queue marks a case "due soon"


def _cases(query: Query) -> QuerySet[Case]:
    qs = Case.objects.all()
    return qs if query.office_id is None else qs.filter(office_id=query.office_id)


def _service_order(code: str) -> tuple[int, str]:
    try:
        service = registry.get(code)
    except KeyError:
        return (10_000, code)
    return (service.order, code)


def _service_name(code: str) -> str:
    try:
        return str(registry.get(code).name)
    except KeyError:
        return code


def _state(code: str, state: str) -> tuple[int, str]:
    """The state's place in its workflow and its name."""
    try:
        workflow = registry.get(code).workflow
    except KeyError:
        workflow = None
    if workflow is None or state not in workflow.states:
        return (len(workflow.states) if workflow else 0, state)
    return (workflow.states.index(state), workflow.label(state))


def cases_by_service_state(query: Query) -> list[Sequence[Cell]]:
    rows = (
        _cases(query)
        .filter(**period_filter("created_at", query))
        .values_list("service_code", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = sorted(rows, key=lambda r: (_service_order(r[0]), _state(r[0], r[1])[0]))
    return [(_service_name(code), _state(code, state)[1], n) for code, state, n in found]


def cases_by_office(query: Query) -> list[Sequence[Cell]]:
    submitted = Q(**period_filter("created_at", query))
    closed = Q(**period_filter("closed_at", query))
    waiting = Q(is_open=True)
    overdue = Q(is_open=True, due_at__lt=query.at)
    rows = (
        _cases(query)
        .filter(submitted | closed | waiting)
        .annotate(by_office=grouped_id("office_id"))
        .values_list("by_office")
        .annotate(
            submitted=Count("id", filter=submitted),
            closed=Count("id", filter=closed),
            waiting=Count("id", filter=waiting),
            overdue=Count("id", filter=overdue),
        )
        .order_by()
    )
    found = {office_id: counts for office_id, *counts in rows}
    offices = Office.objects.filter(pk__in=list(found)).order_by("code")
    return [(o.name, *found[o.pk]) for o in offices]


def cases_waiting(query: Query) -> list[Sequence[Cell]]:
    soon = query.at + SOON
    rows = (
        _cases(query)
        .filter(is_open=True)
        .values_list("service_code")
        .annotate(
            waiting=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=query.at)),
            due_soon=Count("id", filter=Q(due_at__gte=query.at, due_at__lt=soon)),
        )
        .order_by()
    )
    found = sorted(rows, key=lambda r: _service_order(r[0]))
    return [(_service_name(code), *counts) for code, *counts in found]


def register_statistics() -> None:
    register(
        Table(
            code="cases_by_service_state",
            section=SECTION,
            order=10,
            title=_("Cases by service and state"),
            note=_("Cases submitted in the period, by the state they are in today."),
            columns=(
                Column(_("Service"), "label"),
                Column(_("State"), "label"),
                Column(_("Cases")),
            ),
            rows=cases_by_service_state,
        )
    )
    register(
        Table(
            code="cases_by_office",
            section=SECTION,
            order=11,
            title=_("Cases by office"),
            note=_(
                "Cases submitted and cases closed in the period; cases waiting for staff "
                "today and, of them, those past their due time."
            ),
            columns=(
                Column(_("Office"), "label"),
                Column(_("Submitted")),
                Column(_("Closed")),
                Column(_("Waiting for staff today")),
                Column(_("Of them overdue")),
            ),
            rows=cases_by_office,
        )
    )
    register(
        Table(
            code="cases_waiting",
            section=SECTION,
            order=12,
            title=_("Cases waiting for staff against the time limit"),
            note=_(
                "Today, whatever the period: cases in an office's queue, those past their "
                "due time and those due within 24 hours."
            ),
            columns=(
                Column(_("Service"), "label"),
                Column(_("Waiting for staff")),
                Column(_("Overdue")),
                Column(_("Due within 24 hours")),
            ),
            rows=cases_waiting,
        )
    )
