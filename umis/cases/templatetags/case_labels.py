from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from umis.cases import registry
from umis.cases.models import Case, CaseEvent

register = template.Library()


@register.filter
def case_state(case: Case) -> str:
    """The case's state as its service names it, in the current language."""
    try:
        return registry.get(case.service_code).state_label(case.state)
    except KeyError:
        return case.state


@register.filter
def case_service(case: Case) -> str:
    try:
        return str(registry.get(case.service_code).name)
    except KeyError:
        return case.service_code


@register.filter
def event_label(action: str) -> str:
    """A case event's name in the current language."""
    return registry.event_label(action)


@register.filter
def state_of(state: str, case: Case) -> str:
    """One of the case's states (e.g. a history entry's) as the case's service names it."""
    if not state:
        return state
    try:
        return registry.get(case.service_code).state_label(state)
    except KeyError:
        return state


@register.filter
def assignment_text(event: CaseEvent) -> str:
    """An assignment in a case's history, in words: who took the case, gave it to whom, or
    released it (accounts named as they were then)."""
    actor = event.actor.username if event.actor else ""
    assignee = (event.data or {}).get("assignee")
    if not actor:  # not made from a page: who made it is in the audit log
        if assignee is None:
            return _("Released")
        return _("Assigned to %(assignee)s") % {"assignee": assignee}
    if assignee is None:
        return _("Released by %(actor)s") % {"actor": actor}
    if assignee == actor:
        return _("Taken by %(actor)s") % {"actor": actor}
    return _("Assigned to %(assignee)s by %(actor)s") % {"assignee": assignee, "actor": actor}
