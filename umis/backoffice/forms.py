"""The back office's forms: the queue's filters, read from the query, with errors by field."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from umis.cases import registry
from umis.cases.selectors import (
    QUEUE_ASSIGNED,
    QueueFilter,
    queue_state_groups,
    queue_state_waits,
)
from umis.core.filters import choice_filter_read, date_filters_read


def queue_filter_read(query: Mapping[str, str]) -> tuple[QueueFilter, dict[str, str]]:
    """The queue's filters, with an error for each value that is not one (shown beside the
    fields; no list is shown until corrected). A chosen state in which no case waits for
    action lists such cases without the "not waiting for action" box ticked."""
    services = {s.code for s in registry.all_services() if s.workflow is not None}
    states = {st for group in queue_state_groups() for st, _label in group.states}
    dates, errors = date_filters_read(query, ("from", "to"))
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["period"] = _("The end of the period is before its start.")
    service = choice_filter_read(query, "service", services, errors)
    state = choice_filter_read(query, "state", states, errors)
    filters = QueueFilter(
        service=service,
        state=state,
        submitted_from=dates["from"],
        submitted_to=dates["to"],
        include_closed=query.get("closed") == "1",
        closed_by_state=bool(state) and not queue_state_waits(state),
        assigned=choice_filter_read(query, "assigned", set(QUEUE_ASSIGNED), errors),
    )
    return filters, errors
