"""The back office's forms, read from a POST: values to show again and errors by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from umis.cases import registry
from umis.cases.selectors import (
    QUEUE_ASSIGNED,
    QueueFilter,
    queue_state_groups,
    queue_state_waits,
)
from umis.cases.services import case_reasons_clean
from umis.core.errors import DomainError
from umis.core.filters import choice_filter_read, date_filters_read
from umis.reference.models import LegalGround


@dataclass
class AnnulmentForm:
    """An officer's annulment: a legal ground, the reasons, and the confirmation that the
    officer knows it cannot be undone (a required checkbox: no script needed)."""

    legal_ground_code: str = ""
    reasons: str = ""
    confirmed: bool = False
    legal_ground: LegalGround | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # someone else changed the case meanwhile: the page shows it as it is now, the form as typed
    conflict: bool = False


def annulment_form_read(data: QueryDict) -> AnnulmentForm:
    form = AnnulmentForm(
        legal_ground_code=data.get("legal_ground", "")[:60],
        reasons=data.get("note", ""),
        confirmed=data.get("confirm") == "1",
    )
    form.legal_ground = LegalGround.objects.filter(code=form.legal_ground_code).first()
    if form.legal_ground is None:
        form.errors["legal_ground"] = _("Choose the legal ground for this decision.")
    try:
        form.reasons = case_reasons_clean(reasons=form.reasons)
    except DomainError as exc:
        form.errors["note"] = str(exc.message)
    if not form.confirmed:
        form.errors["confirm"] = _("Tick the box to confirm the annulment. It cannot be undone.")
    return form


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
