"""The one place that says what time it is, so tests and demo data can move it, and how a
day or a moment written as text is read."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("umis_clock", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def date_parse(text: str) -> dt.date:
    """A calendar day written YYYY-MM-DD, as the API and the forms ask for it (ValueError
    otherwise). `date.fromisoformat` alone also reads 20260315 and the ISO week forms
    2026-W12-1 and 2026W121, which name another day than a reader of the digits expects."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a date as YYYY-MM-DD: {text[:20]!r}")
    return dt.date.fromisoformat(text)


def datetime_parse(text: str) -> dt.datetime:
    """A moment as ISO 8601 whose day is written YYYY-MM-DD (a trailing Z reads as UTC);
    ValueError otherwise, as for `date_parse`."""
    if not (_ISO_DATE.match(text) and text[10:11] in ("T", " ")):
        raise ValueError(f"not a moment as YYYY-MM-DDTHH:MM: {text[:40]!r}")
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
