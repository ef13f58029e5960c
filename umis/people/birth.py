"""A date of birth as the pages and documents show it."""

from __future__ import annotations

from datetime import date

from django.utils import formats


def birth_date_text(birth_date: date | None, *, year_only: bool) -> str:
    """d.m.Y, or the year alone when only the year of birth is known (the day and month
    stored are then 1 January, which nobody should read as the birthday); empty when none."""
    if birth_date is None:
        return ""
    return formats.date_format(birth_date, "Y" if year_only else "d.m.Y")
