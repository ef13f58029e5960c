"""Filters of a list page, read from its query string: a wrong value is reported, not dropped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from umis.core import clock


def date_filters_read(
    query: Mapping[str, str], names: Iterable[str]
) -> tuple[dict[str, dt.date | None], dict[str, str]]:
    """The dates given as `names` (YYYY-MM-DD, as a date input sends them; empty: none), and
    an error for each one that is not a date, so the page says so rather than listing as if
    no date had been given."""
    values: dict[str, dt.date | None] = {}
    errors: dict[str, str] = {}
    for name in names:
        text = query.get(name, "").strip()
        try:
            values[name] = clock.date_parse(text) if text else None
        except ValueError:
            values[name] = None
            errors[name] = _("“%(value)s” is not a date: enter it as YYYY-MM-DD.") % {
                "value": text[:20]
            }
    return values, errors


def choice_filter_read(
    query: Mapping[str, str], name: str, values: Iterable[str], errors: dict[str, str]
) -> str:
    """The value chosen in the list `name` (empty: all), or "" with an error in `errors` when
    it is none of `values`: a value that is none of the list's (an old or edited address) is
    reported, not read as "all", which would list every row for the ones asked for."""
    value = query.get(name, "").strip()
    if value and value not in set(values):
        errors[name] = _("“%(value)s” is not in this list: choose from the list.") % {
            "value": value[:40]
        }
        return ""
    return value
