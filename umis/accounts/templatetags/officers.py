from __future__ import annotations

from django import template

from umis.accounts.models import User, officer_name

register = template.Library()


@register.filter(name="officer")
def officer_filter(user: User | None) -> str:
    """An officer as the staff pages name one to another: the full name and the username,
    or the username alone when the account has no name; empty for nobody."""
    return officer_name(user)
