"""The stay calculator a foreigner uses with their own dates (portal, API, CLI).

Same answer everywhere: `stay_calculate` reads the raw input, names every error with a
stable code and a translated message, and returns the JSON-ready result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from umis.border.stayrules import MAX_DAYS, Regime, Stay, StayInputError, calculate
from umis.core import clock
from umis.core.errors import ErrorCollector
from umis.people.validation import COUNTRY_CODE_MAX
from umis.reference.selectors import reference_snapshot, registration_rule_for

MAX_STAYS = 500
# the longest regime written as its longest numbers allow ("3660/3660"): a longer one is
# refused as too long, not read
REGIME_MAX = 2 * len(str(MAX_DAYS)) + 1
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)


def _date(value: Any, field: str, errors: ErrorCollector) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        errors.add("required", _("This field is required."), field)
        return None
    try:
        day = clock.date_parse(value.strip())
    except ValueError:
        errors.add("invalid_date", _("Enter a date as YYYY-MM-DD."), field)
        return None
    if not EARLIEST <= day <= LATEST:
        errors.add("date_out_of_range", _("The date must be between 1990 and 2100."), field)
        return None
    return day


def _overlaps(stays: Sequence[tuple[int, Stay]], errors: ErrorCollector) -> None:
    """Each entry made while the person was still in the country (on the day of an exit a
    new entry may follow), named on that stay's entry with the dates of the stay it falls in."""
    ordered = sorted(stays, key=lambda item: (item[1].entry, item[1].exit or dt.date.max, item[0]))
    longest: Stay | None = None  # of the stays so far, the one that ends last
    for i, stay in ordered:
        if longest is not None and (longest.exit is None or stay.entry < longest.exit):
            entry = formats.date_format(longest.entry, "d.m.Y")
            if longest.exit is None:
                message = _(
                    "The entry falls within the stay from %(entry)s, which has no exit; "
                    "nobody can enter the country while still in it."
                ) % {"entry": entry}
            else:
                message = _(
                    "The entry falls within the stay from %(entry)s to %(exit)s; nobody can "
                    "enter the country while still in it."
                ) % {"entry": entry, "exit": formats.date_format(longest.exit, "d.m.Y")}
            errors.add("overlapping_stays", message, f"stays.{i}.entry")
        if longest is None or (
            longest.exit is not None and (stay.exit is None or stay.exit > longest.exit)
        ):
            longest = stay


def stay_calculate(
    *, stays: Sequence[Any], on: Any, regime: Any, nationality: str = ""
) -> dict[str, Any]:
    errors = ErrorCollector()
    parsed_regime: Regime | None = None
    if isinstance(regime, str) and len(regime) > REGIME_MAX:
        errors.add("too_long", _("At most %(n)d characters.") % {"n": REGIME_MAX}, "regime")
    else:
        try:
            parsed_regime = Regime.parse(regime if isinstance(regime, str) else "")
        except StayInputError:
            errors.add("invalid_regime", _("Write the regime as 90/180 or 30."), "regime")
    control = _date(on, "on", errors)
    country = None
    if isinstance(nationality, str) and len(nationality) > COUNTRY_CODE_MAX:
        errors.add(
            "too_long", _("At most %(n)d characters.") % {"n": COUNTRY_CODE_MAX}, "nationality"
        )
    elif isinstance(nationality, str) and nationality.strip():
        country = reference_snapshot().country(nationality)
        if country is None:
            errors.add("unknown_country", _("Unknown country code."), "nationality")
    # one error for the list as a whole: a refused list is not read on as an empty one
    if not isinstance(stays, Sequence) or isinstance(stays, str):
        errors.add("invalid", _("Enter a list."), "stays")
        stays = []
    elif len(stays) > MAX_STAYS:
        errors.add("too_many_stays", _("At most %(n)d stays.") % {"n": MAX_STAYS}, "stays")
        stays = []
    elif not stays:
        errors.add("no_stays", _("Enter the date of at least one entry."), "stays")
    parsed: list[tuple[int, Stay]] = []
    for i, item in enumerate(stays):
        if not isinstance(item, Mapping):
            errors.add("invalid", _("Each stay has an entry and an exit date."), f"stays.{i}")
            continue
        entry = _date(item.get("entry"), f"stays.{i}.entry", errors)
        exit_raw = item.get("exit")
        exit_day = None
        if exit_raw not in (None, ""):
            exit_day = _date(exit_raw, f"stays.{i}.exit", errors)
        if entry and control and entry > control:
            errors.add(
                "entry_after_control_date",
                _("The entry is after the control date."),
                f"stays.{i}.entry",
            )
            continue
        if entry and exit_day and exit_day < entry:
            errors.add("exit_before_entry", _("The exit is before the entry."), f"stays.{i}.exit")
            continue
        if entry:
            parsed.append((i, Stay(entry, exit_day)))
    _overlaps(parsed, errors)
    errors.raise_if_any()
    assert control is not None and parsed_regime is not None
    result = calculate([s for _, s in parsed], control, parsed_regime).to_dict()
    due = None
    result["registration_required_after_days"] = None
    if result["current_entry"]:
        entry = dt.date.fromisoformat(str(result["current_entry"]))
        rule = registration_rule_for(nationality=country.code if country else None, on=entry)
        if rule is not None:
            due = entry + dt.timedelta(days=rule.deadline_days)
            result["registration_required_after_days"] = rule.threshold_days
    result["registration_due_by"] = due.isoformat() if due else None
    result["registration_needed"] = _registration_needed(result, control)
    # while still in the country: the day to register by is already behind the control date
    result["registration_overdue"] = bool(due and result["in_country"] and due < control)
    return result


def _registration_needed(result: Mapping[str, Any], control: dt.date) -> bool | None:
    """Whether the stay must be registered (Migration Code art. 21: a stay of more than the
    rule's days). A stay whose last legal day comes before then is not, if the foreigner
    leaves by that day; one already longer is. None when no rule applies."""
    threshold = result["registration_required_after_days"]
    if threshold is None or not result["current_entry"]:
        return None
    entry = dt.date.fromisoformat(str(result["current_entry"]))
    last = control
    if result["last_legal_day"]:
        last = max(last, dt.date.fromisoformat(str(result["last_legal_day"])))
    return (last - entry).days + 1 > threshold
