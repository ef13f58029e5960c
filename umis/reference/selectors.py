from __future__ import annotations

import datetime as dt
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Q

from umis.core.statistics import Cell, name_key, rows_by_name
from umis.reference.models import Country, Holiday, LegalGround, Region, RegistrationRule


def country_get_by_code(code: str) -> Country | None:
    """Find a country by ISO alpha-2, alpha-3 or ICAO code (as printed in an MRZ)."""
    code = (code or "").strip().upper().replace("<", "")
    if not (1 <= len(code) <= 3 and code.isascii() and code.isalpha()):
        return None  # no code has another form (nor reaches the database: NUL, say)
    if len(code) == 2:
        return Country.objects.filter(code=code).first()
    return Country.objects.filter(Q(icao_code=code) | Q(alpha3=code)).first()


def countries_by_name(*, ref: ReferenceSnapshot | None = None) -> list[Country]:
    """Active countries in the order of their names in the current language (its alphabet):
    those of `ref` (the shared `reference_snapshot` when not given), so the forms built one
    after another read the countries once at most, as they read the regions."""
    active = [c for c in (ref or reference_snapshot()).countries() if c.active]
    return sorted(active, key=lambda c: name_key(c.name))


def country_choices() -> list[tuple[str, str]]:
    """Active countries as (ISO alpha-2, name in the current language), by name."""
    return [(c.code, c.name) for c in countries_by_name()]


def region_choices(*, ref: ReferenceSnapshot | None = None) -> list[tuple[str, str]]:
    """Regions as (code, name in the current language), in the order of that language's
    alphabet: those of `ref` (the shared `reference_snapshot` when not given), so the forms
    built one after another read the regions once at most."""
    regions = sorted((ref or reference_snapshot()).regions(), key=lambda r: name_key(r.name))
    return [(r.code, r.name) for r in regions]


# the words that make a region's name the name of its city: "Bakı şəhəri", "Baku city",
# "город Баку"
_CITY_WORDS = ("şəhəri", "city", "город")


def _place_key(text: str) -> str:
    """A place's name compared as typed by anyone: without case, accents or the word city."""
    words = [w for w in text.casefold().split() if w not in _CITY_WORDS]
    plain = unicodedata.normalize("NFD", " ".join(words).replace("ı", "i").replace("ə", "e"))
    return "".join(c for c in plain if not unicodedata.combining(c))


def _city_keys(region: Region) -> set[str]:
    if not region.name_az.endswith(" şəhəri"):
        return set()
    return {_place_key(n) for n in (region.name_az, region.name_en, region.name_ru) if n}


def address_line(
    *, street: str, city: str, region: Region, ref: ReferenceSnapshot | None = None
) -> str:
    """An address as a reader of the current language reads it: the city under its name in
    that language when it is a city of the reference data, and the region left out when the
    city is the region's own (Baku in the region of the city of Baku). The cities are those
    of `ref` (the shared `reference_snapshot` when not given), so a page of many addresses
    reads the regions once at most."""
    typed = _place_key(city)
    if typed and typed in _city_keys(region):
        return f"{street}, {region.name}"
    other = (ref or reference_snapshot()).region_of_city(typed) if typed else None
    return f"{street}, {other.name if other else city}, {region.name}"


def country_names(*, codes: Iterable[str]) -> dict[str, str]:
    """Countries' names in the current language by ISO alpha-2 code, in one query."""
    return {c.code: c.name for c in Country.objects.filter(code__in=set(codes))}


def rows_by_country(rows: Iterable[Sequence[Any]]) -> list[Sequence[Cell]]:
    """Statistics rows of (country name, *counts) from rows of (alpha-2 code, *counts), in
    the order of the names in the current language."""
    found = {code: counts for code, *counts in rows}
    return rows_by_name(found, country_names(codes=[c for c in found if c]))


def region_get(code: str) -> Region | None:
    return Region.objects.select_related("office").filter(code=code).first()


def legal_ground_list(*, kind: str, on: dt.date) -> list[LegalGround]:
    grounds = LegalGround.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    return [g for g in grounds if g.applies(kind)]


def registration_rule_for(*, nationality: str | None, on: dt.date) -> RegistrationRule | None:
    rules = (
        RegistrationRule.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(Q(nationality__isnull=True) | Q(nationality_id=nationality))
        .order_by("-valid_from")
    )
    specific = [r for r in rules if r.nationality_id]
    return specific[0] if specific else next(iter(rules), None)


class ReferenceSnapshot:
    """Reference data loaded once for a batch, so validating 1,000 items costs three queries."""

    def __init__(self) -> None:
        self._countries: dict[str, Country] | None = None
        self._country_list: list[Country] | None = None
        self._regions: dict[str, Region] | None = None
        self._cities: dict[str, Region] | None = None
        self._rules: list[RegistrationRule] | None = None
        self._holidays: tuple[frozenset[dt.date], frozenset[dt.date]] | None = None

    def holiday_overrides(self) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
        """Days an administrator declared off, and weekend days declared working."""
        if self._holidays is None:
            rows = list(Holiday.objects.values_list("date", "working"))
            self._holidays = (
                frozenset(d for d, w in rows if not w),
                frozenset(d for d, w in rows if w),
            )
        return self._holidays

    def _country_by_code(self) -> dict[str, Country]:
        if self._countries is None:
            self._country_list = list(Country.objects.all())
            self._countries = {}
            for c in self._country_list:
                self._countries[c.code] = c
                self._countries[c.alpha3] = c
                self._countries[c.icao_code] = c
        return self._countries

    def country(self, code: str) -> Country | None:
        return self._country_by_code().get((code or "").strip().upper().replace("<", ""))

    def countries(self) -> list[Country]:
        """Every country, active or not, in no particular order."""
        self._country_by_code()
        return list(self._country_list or [])

    def _region_by_code(self) -> dict[str, Region]:
        if self._regions is None:
            self._regions = {r.code: r for r in Region.objects.select_related("office")}
        return self._regions

    def region(self, code: str) -> Region | None:
        return self._region_by_code().get(code)

    def regions(self) -> list[Region]:
        return list(self._region_by_code().values())

    def region_of_city(self, key: str) -> Region | None:
        """The region that is the city named by `key` (as `_place_key` writes a name), in
        any of its languages; None when no region is."""
        if self._cities is None:
            cities: dict[str, Region] = {}
            for r in self._region_by_code().values():  # by name_az: the first one wins
                for city in _city_keys(r):
                    cities.setdefault(city, r)
            self._cities = cities
        return self._cities.get(key)

    def registration_rule(self, *, nationality: str, on: dt.date) -> RegistrationRule | None:
        if self._rules is None:
            self._rules = list(RegistrationRule.objects.order_by("-valid_from"))
        in_force = [
            r
            for r in self._rules
            if r.valid_from <= on and (r.valid_to is None or r.valid_to >= on)
        ]
        specific = [r for r in in_force if r.nationality_id == nationality]
        general = [r for r in in_force if r.nationality_id is None]
        chosen = specific or general
        return chosen[0] if chosen else None


_shared: tuple[float, ReferenceSnapshot] | None = None
_shared_lock = threading.Lock()


def reference_snapshot() -> ReferenceSnapshot:
    """The reference data as validation and due times read it, shared by the requests of a
    process for `UMIS_REFERENCE_CACHE_SECONDS` (so an administrator's edit applies within
    that time; 0 reads the database every time). Rules carry validity dates, so a change
    decided in advance applies on its day regardless."""
    global _shared
    ttl = settings.UMIS_REFERENCE_CACHE_SECONDS
    if ttl <= 0:
        return ReferenceSnapshot()
    now = time.monotonic()
    with _shared_lock:
        if _shared is None or now - _shared[0] > ttl:
            _shared = (now, ReferenceSnapshot())
        return _shared[1]
