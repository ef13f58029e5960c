from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from umis.accounts.models import User, officer_name
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
def score(value: float) -> str:
    """A match score as every page shows it, in the reader's locale: a whole number when it
    is whole, else to one decimal (100; 94,3 in az and ru, 94.3 in en)."""
    return str(floatformat(value, -1))


@register.filter
def event_note(event: CaseEvent) -> str:
    """A history entry's note. A score the note ends with, stored as the code writes numbers
    ("Гусейнов Рашад (94.3)", the same in every language), is shown as `score` shows it."""
    note = event.note
    value: Any = (event.data or {}).get("score")
    if isinstance(value, int | float) and not isinstance(value, bool):
        stored = f" ({value:g})"
        if note.endswith(stored):
            return f"{note[: -len(stored)]} ({score(value)})"
    return note


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


def _account_named(username: str) -> str:
    """An account a history entry keeps by its username, named as `officer_name` names it
    (the username itself when no account has it any more)."""
    user = User.objects.filter(username=username).first()
    return officer_name(user) if user is not None else username


@register.filter
def assignment_text(event: CaseEvent) -> str:
    """An assignment in a case's history, in words: who took the case, gave it to whom, or
    released it (officers named as `officer_name` names them)."""
    actor = event.actor.username if event.actor else ""
    assignee = (event.data or {}).get("assignee")
    assignee_name = None
    if assignee is not None:
        if hasattr(event, "assignee_account"):  # read with the history (`case_history`)
            account = event.assignee_account
            assignee_name = officer_name(account) if account is not None else assignee
        else:
            assignee_name = _account_named(assignee)
    if not actor:  # not made from a page: who made it is in the audit log
        if assignee is None:
            return _("Released")
        return _("Assigned to %(assignee)s") % {"assignee": assignee_name}
    actor_name = officer_name(event.actor)
    if assignee is None:
        return _("Released by %(actor)s") % {"actor": actor_name}
    if assignee == actor:
        return _("Taken by %(actor)s") % {"actor": actor_name}
    return _("Assigned to %(assignee)s by %(actor)s") % {
        "assignee": assignee_name,
        "actor": actor_name,
    }
