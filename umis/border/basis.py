"""Legal basis of a stay: which rules let a person be in the country on a day.

Providers feed it. Visa-free stay by nationality (reference data) is built in; the
e-visa, stay-extension and residence-permit apps register their own provider from their
`AppConfig.ready()`:

    from umis.border import basis
    basis.register_provider("evisa", evisa_bases, evisa_holders)

A provider takes the persons (id → nationality) and a date range and returns, for the
persons it knows, their bases in force at some moment of that range. Each basis carries
the stay rules that apply while it is in force (for a residence permit: its validity;
for an e-visa: its validity and its days per stay). A single-entry basis (the e-visa) is
used by one entry and gives nothing after the exit that ends that stay (`bases_as_used`).
The calculator evaluates every basis and keeps the one that keeps the person legal
longest. A document provider also says who holds a document (`holders`): the daily
overstay job looks at people of a nationality without visa-free stay only then, since a
document the system does not keep yet (a consular visa, a permit) may be what lets them
stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.border.stayrules import MAX_DAYS, Regime, RegimePeriod, Stay, current_stay, merge


@dataclass(frozen=True)
class Basis:
    kind: str  # visa_free, evisa, stay_extension, residence_permit, ...
    label: str  # what a person reads: "visa-free, 90 days in 180", "e-visa EV-2026-000123"
    periods: tuple[RegimePeriod, ...]
    reference: str = ""  # the document or case it rests on
    single_entry: bool = False  # used by one entry: no basis for a later one
    # the same in no language, for what is stored (an overstay finding's): "kind:parameters"
    # (visa_free:90/180, evisa:E26000123:30), read back in the reader's by `basis_label`
    code: str = ""

    @property
    def valid_from(self) -> dt.date | None:
        starts = [p.valid_from for p in self.periods]
        return None if any(s is None for s in starts) else min(s for s in starts if s)

    @property
    def valid_to(self) -> dt.date | None:
        ends = [p.valid_to for p in self.periods]
        return None if any(e is None for e in ends) else max(e for e in ends if e)


def document_basis(
    *,
    kind: str,
    label: str,
    valid_from: dt.date,
    valid_to: dt.date,
    reference: str = "",
    code: str = "",
) -> Basis:
    """A basis that allows presence on every day of its validity (a permit, an extension)."""
    period = (RegimePeriod(Regime(MAX_DAYS), valid_from, valid_to),)
    return Basis(kind, label, period, reference, code=code)


# How each kind of basis reads in the current language from the parameters of its code
# (what follows "kind:"); registered by the app that provides the kind.
Label = Callable[[str], str]
_labels: dict[str, Label] = {}


def register_label(kind: str, label: Label) -> None:
    """How a stored basis of `kind` reads: `label(parameters)` in the current language."""
    _labels[kind] = label


def basis_label(code: str) -> str:
    """A stored basis (`Basis.code`) in the reader's language. A text that is no code of a
    known kind (written before bases were stored as codes, and not recognised then) is
    shown as it was stored."""
    kind, sep, parameters = code.partition(":")
    label = _labels.get(kind) if sep else None
    if label is None:
        return code
    try:
        return label(parameters)
    except (ValueError, KeyError, TypeError):
        return code


def visa_free_label(parameters: str) -> str:
    """visa_free:90/180,30 → "visa-free stay (90/180, 30)" in the current language."""
    return str(_("visa-free stay (%s)") % ", ".join(parameters.split(",")))


def bases_as_used(
    bases: Sequence[Basis], stays: Sequence[Stay], on: dt.date
) -> list[tuple[Basis, tuple[RegimePeriod, ...]]]:
    """Each basis with the periods it gives the stays up to `on`, the bases that give none
    left out. A single-entry basis is used by the first entry within its validity that no
    single-entry basis valid from earlier used (a holder of two e-visas makes two visits);
    it ends with the exit that ends that stay, and is no basis for a stay begun after it."""
    if not any(b.single_entry for b in bases):
        return [(b, b.periods) for b in bases]  # most people: visa-free stay only
    merged = merge(s for s in stays if s.entry <= on)
    current = current_stay(merged, on)
    begun = current.entry if current else on  # of the stay on `on` (or of an entry on `on`)
    used: set[int] = set()  # the stays (indices of `merged`) a single-entry basis was used by
    periods = {i: b.periods for i, b in enumerate(bases)}
    single = [i for i, b in enumerate(bases) if b.single_entry]
    for i in sorted(single, key=lambda i: (bases[i].valid_from or dt.date.min, bases[i].reference)):
        start, end = bases[i].valid_from or dt.date.min, bases[i].valid_to or dt.date.max
        k = next(
            (k for k, s in enumerate(merged) if start <= s.entry <= end and k not in used), None
        )
        if k is None:
            continue  # not used yet
        used.add(k)
        left = merged[k].exit
        if left is None:
            continue  # the stay it was used for goes on
        if left < begun:
            periods[i] = ()  # used up
        else:  # left on the day of `on` or back the same day: legal up to that day
            periods[i] = tuple(
                RegimePeriod(p.regime, p.valid_from, min(p.valid_to or left, left))
                for p in bases[i].periods
            )
    return [(b, periods[i]) for i, b in enumerate(bases) if periods[i]]


Provider = Callable[[Mapping[int, str], dt.date, dt.date], dict[int, list[Basis]]]
# the persons a provider holds a basis for at some day of a range, as a query of person ids
# (the overstay job looks at people without visa-free stay only when they hold one)
Holders = Callable[[dt.date, dt.date], "QuerySet[Any, int]"]

_providers: dict[str, Provider] = {}
_holders: dict[str, Holders] = {}


def register_provider(name: str, provider: Provider, holders: Holders | None = None) -> None:
    """A provider of bases; a document provider (e-visa, permit) also gives `holders`."""
    _providers[name] = provider
    if holders is not None:
        _holders[name] = holders


def document_holders(start: dt.date, end: dt.date) -> list[QuerySet[Any, int]]:
    """The person-id queries of every document provider for the range. A person of a
    nationality without visa-free stay who holds no document the system knows is not taken
    for an overstayer: the documents it does not keep yet (consular visas, permits) would
    otherwise make every such person one."""
    return [holders(start, end) for _name, holders in sorted(_holders.items())]


def bases_for(persons: Mapping[int, str], start: dt.date, end: dt.date) -> dict[int, list[Basis]]:
    """Every basis of these persons (id → nationality) in force at some day of the range."""
    out: dict[int, list[Basis]] = {pid: [] for pid in persons}
    for provider in _providers.values():
        for pid, found in provider(persons, start, end).items():
            out.setdefault(pid, []).extend(found)
    return out


def visa_free_periods(
    nationalities: Sequence[str], start: dt.date, end: dt.date
) -> dict[str, tuple[RegimePeriod, ...]]:
    from umis.reference.models import VisaFreeRegime

    rows = (
        VisaFreeRegime.objects.filter(nationality_id__in=set(nationalities))
        .filter(valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("nationality_id", "valid_from")
    )
    out: dict[str, list[RegimePeriod]] = {}
    for r in rows:
        out.setdefault(r.nationality_id, []).append(
            RegimePeriod(Regime(r.days, r.window_days), r.valid_from, r.valid_to)
        )
    return {k: tuple(v) for k, v in out.items()}


def visa_free_provider(
    persons: Mapping[int, str], start: dt.date, end: dt.date
) -> dict[int, list[Basis]]:
    periods = visa_free_periods(list(set(persons.values())), start, end)
    codes = {
        nationality: "visa_free:" + ",".join(p.regime.label for p in found)
        for nationality, found in periods.items()
    }  # one per nationality, not per person
    labels = {nationality: basis_label(code) for nationality, code in codes.items()}
    out: dict[int, list[Basis]] = {}
    for pid, nationality in persons.items():
        found = periods.get(nationality)
        if found:
            out[pid] = [Basis("visa_free", labels[nationality], found, code=codes[nationality])]
    return out


def visa_free_periods_all(start: dt.date, end: dt.date) -> dict[str, tuple[RegimePeriod, ...]]:
    """The visa-free rules of every nationality in force at some day of the range."""
    from umis.reference.models import VisaFreeRegime

    nationalities = list(VisaFreeRegime.objects.values_list("nationality_id", flat=True).distinct())
    return visa_free_periods(nationalities, start, end)
