"""When a place-of-stay registration is due (Migration Code art. 21): pure functions of the
dates and the rule in force; the numbers are reference data (`RegistrationRule`).

- On arrival: a stay longer than `threshold_days` is registered within `deadline_days`
  of arrival.
- On a move from a registered place to another host's: within
  `move_deadline_working_days` working days of the move (public holidays and the days
  an administrator declared off do not count), whatever the length of the new stay.
- On a move to another place of the same host (owner) nothing is due.
"""

from __future__ import annotations

import datetime as dt

from umis.cases.sla import Overrides, add_working_days
from umis.reference.models import RegistrationRule


def arrival_late(
    *, arrival: dt.date, departure: dt.date | None, today: dt.date, rule: RegistrationRule
) -> bool:
    """Late only for a stay that had to be registered: one longer than the threshold (a
    short stay already over was registered of the host's own accord)."""
    required = departure is None or (departure - arrival).days + 1 > rule.threshold_days
    return required and (today - arrival).days > rule.deadline_days


def move_deadline(*, moved_on: dt.date, rule: RegistrationRule, days_off: Overrides) -> dt.date:
    """The last day to register a guest at the place they moved to (the day of the move
    itself does not count)."""
    return add_working_days(moved_on, rule.move_deadline_working_days, overrides=days_off)


def move_late(*, deadline: dt.date, today: dt.date) -> bool:
    return today > deadline
