"""Durations written in full words with the number's plural, in the reader's language
(1 день, 3 дня, 10 дней; 2 дня 3 часа; 1 day, 10 days), never abbreviated («10 дн.»,
«3 ч»): the e-visa and its page, an e-visa named as a legal basis, the time left in the
e-visa queue, a stay rule (at most 90 days in any 180 days; 30 days per stay)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, ngettext


def days_in_full(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def hours_in_full(n: int) -> str:
    return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}


def minutes_in_full(n: int) -> str:
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


def duration_in_full(span: dt.timedelta) -> str:
    """Days and hours, or under a day hours and minutes; a part that is nought is left out
    ("2 дня", "5 часов 1 минута"); a negative span (already past) reads as no time."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [days_in_full(days), hours_in_full(hours) if hours else ""]
    elif hours:
        parts = [hours_in_full(hours), minutes_in_full(minutes) if minutes else ""]
    else:
        parts = [minutes_in_full(minutes)]
    return " ".join(p for p in parts if p)


def stay_rule_in_full(days: int, window_days: int | None) -> str:
    """A visa-free rule in words: "не более 21 дня в любом периоде из 90 дней" (the
    genitive after «не более» and «из»), "istənilən 180 gün ərzində ən çoxu 90 gün";
    without a window, "21 день за одно пребывание"."""
    if window_days is None:
        return ngettext("%(n)s day per stay", "%(n)s days per stay", days) % {"n": days}
    return gettext("%(at_most)s %(in_any)s") % {
        "at_most": ngettext("at most %(n)s day", "at most %(n)s days", days) % {"n": days},
        "in_any": ngettext("in any %(n)s day", "in any %(n)s days", window_days)
        % {"n": window_days},
    }
