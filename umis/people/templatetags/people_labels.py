from __future__ import annotations

from datetime import date
from typing import Protocol

from django import template

from umis.people.birth import birth_date_text
from umis.people.reasons import reason_label

register = template.Library()


class Born(Protocol):
    """A person, or a registration that keeps the date of birth as registered."""

    @property
    def birth_date(self) -> date | None: ...

    @property
    def birth_year_only(self) -> bool: ...


@register.filter(name="reason_label")
def reason_label_filter(code: str) -> str:
    """A match reason (identity resolution, screening) in the current language."""
    return reason_label(code)


@register.filter(name="birth_date")
def birth_date_filter(holder: Born) -> str:
    """The date of birth, or its year alone when only the year is known."""
    return birth_date_text(holder.birth_date, year_only=holder.birth_year_only)
