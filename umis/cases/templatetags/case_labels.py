from __future__ import annotations

from django import template

from umis.cases import registry
from umis.cases.models import Case

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
