from __future__ import annotations

from django import template

from umis.people.reasons import reason_label

register = template.Library()


@register.filter(name="reason_label")
def reason_label_filter(code: str) -> str:
    """A match reason (identity resolution, screening) in the current language."""
    return reason_label(code)
