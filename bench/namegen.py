"""Synthetic multi-script people for the screening benchmark.

Name pools come from Faker's locale data (az_AZ, ru_RU, tr_TR, fa_IR, ar_AA, en_US), drawn
with Zipf weights (a few names are very common, most are rare). A person is *rendered*
the way another office or country would write the name: Azerbaijani Latin through
Russian Cyrillic, Soviet-era English (via the Cyrillic and a Russian romanisation from
`iuliia`: ICAO Doc 9303, BGN/PCGN, Wikipedia, MVD 782) or the MRZ (ICAO Doc 9303 Part 3);
Russian through the same romanisations; Turkish as ASCII/MRZ or in Cyrillic; Persian and
Arabic between their script and a Latin romanisation (anyascii). On top: typos, swapped
name order, upper case. Russian documents write the Azerbaijani Q as Г (Гурбанов) or as
К (Курбанов, Кулиев); the generator writes Г unless BENCH_NAMES_Q_AS_K (0 to 1, default 0)
asks for К in that share of the Cyrillic and Soviet-era Latin renderings. The rendering tables here are written independently of
`umis.people.normalize` (from the public Azerbaijani-Russian correspondence), so the
benchmark does not grade the normaliser against itself.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass
from itertools import accumulate

import iuliia
from anyascii import anyascii
from faker import Faker

LOCALES = {  # locale: (weight, nationality)
    "az_AZ": (0.35, "AZ"),
    "ru_RU": (0.2, "RU"),
    "tr_TR": (0.15, "TR"),
    "fa_IR": (0.1, "IR"),
    "ar_AA": (0.1, "SY"),
    "en_US": (0.1, "US"),
}
RU_SCHEMES = [iuliia.ICAO_DOC_9303, iuliia.BGN_PCGN, iuliia.WIKIPEDIA, iuliia.MVD_782]
Q_AS_K = float(os.environ.get("BENCH_NAMES_Q_AS_K", "0"))

# Azerbaijani Latin → Russian Cyrillic as Soviet/Russian documents wrote it.
AZ_TO_RU = {
    "a": "а", "b": "б", "c": "дж", "ç": "ч", "d": "д", "e": "е", "ə": "а", "f": "ф",
    "g": "г", "ğ": "г", "h": "г", "x": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к",
    "q": "г", "l": "л", "m": "м", "n": "н", "o": "о", "ö": "ё", "p": "п", "r": "р",
    "s": "с", "ş": "ш", "t": "т", "u": "у", "ü": "ю", "v": "в", "y": "й", "z": "з",
    "w": "в",
}  # fmt: skip
MRZ = {"ə": "a", "ü": "ue", "ö": "oe", "ş": "s", "ç": "c", "ğ": "g", "ı": "i", "İ": "i"}
MRZ_PLAIN = {"ə": "a", "ü": "u", "ö": "o", "ş": "s", "ç": "c", "ğ": "g", "ı": "i", "İ": "i"}
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def _zipf_weights(n: int, s: float = 1.07) -> list[float]:
    return list(accumulate(1.0 / (r**s) for r in range(1, n + 1)))


@dataclass
class Pool:
    male_first: list[str]
    female_first: list[str]
    male_last: list[str]
    female_last: list[str]
    cum: dict[str, list[float]]


def _pool(locale: str, rng: random.Random) -> Pool:
    p = Faker(locale).provider("faker.providers.person")

    def names(*attrs: str) -> list[str]:
        for a in attrs:
            v = getattr(p, a, None)
            if v:
                out = sorted(v.keys() if hasattr(v, "keys") else v)
                rng.shuffle(out)  # Zipf ranks at random over the list
                return out
        return []

    pool = Pool(
        names("first_names_male", "first_names"),
        names("first_names_female", "first_names"),
        names("last_names_male", "last_names"),
        names("last_names_female", "last_names"),
        {},
    )
    for k in ("male_first", "female_first", "male_last", "female_last"):
        pool.cum[k] = _zipf_weights(len(getattr(pool, k)))
    return pool


@dataclass
class Person:
    id: int
    locale: str
    sex: str
    given: str
    surname: str
    birth: dt.date
    nationality: str


class Generator:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.pools = {loc: _pool(loc, self.rng) for loc in LOCALES}
        self.locales = list(LOCALES)
        self.loc_cum = list(accumulate(w for w, _ in LOCALES.values()))

    def person(self, pid: int) -> Person:
        rng = self.rng
        loc = rng.choices(self.locales, cum_weights=self.loc_cum)[0]
        pool = self.pools[loc]
        sex = rng.choice("MF")
        fk, lk = ("male_first", "male_last") if sex == "M" else ("female_first", "female_last")
        given = rng.choices(getattr(pool, fk), cum_weights=pool.cum[fk])[0]
        surname = rng.choices(getattr(pool, lk), cum_weights=pool.cum[lk])[0]
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
        return Person(pid, loc, sex, given, surname, birth, LOCALES[loc][1])

    # --- renderings ----------------------------------------------------------------------

    def _az_to_cyr(self, text: str, q: str = "г") -> str:
        """Russian Cyrillic as Soviet and Russian documents wrote it; `q`: how they wrote Q
        (г, or к as in Курбанов, Кулиев)."""
        out = []
        for i, ch in enumerate(text):
            low = "i" if ch == "İ" else ch.lower()
            cyr = q if low == "q" else AZ_TO_RU.get(low, low)
            if low == "e" and (i == 0 or text[i - 1] == " "):
                cyr = "э"
            if low == "y" and i + 1 < len(text) and text[i + 1].lower() in "eə" and i > 0:
                cyr = "й"
            out.append(cyr.capitalize() if ch.isupper() else cyr)
        s = "".join(out)
        return s.replace("йе", "е").replace("ыйев", "ыев").replace("ийев", "иев")

    def _mrz(self, text: str) -> str:
        table = self.rng.choice([MRZ, MRZ_PLAIN])
        return "".join(table.get(c.lower(), c) for c in text).upper()

    def render(self, p: Person, *, avoid: str = "") -> tuple[str, str]:
        """One way of writing the person's name: (full name, rendering label)."""
        rng = self.rng
        native = f"{p.surname} {p.given}"
        choices: list[str]
        if p.locale in {"az_AZ", "tr_TR"}:
            choices = ["native", "cyrillic", "soviet_latin", "mrz"]
        elif p.locale == "ru_RU":
            choices = ["native", "ru_latin", "ru_latin2", "upper_latin"]
        elif p.locale in {"fa_IR", "ar_AA"}:
            choices = ["native", "romanised"]
        else:
            choices = ["native", "upper"]
        choices = [c for c in choices if c != avoid] or choices
        how = rng.choice(choices)
        if how == "native":
            return native, how
        if how in {"cyrillic", "soviet_latin"}:
            q = "к" if Q_AS_K and rng.random() < Q_AS_K else "г"
            cyrillic = self._az_to_cyr(native, q)
            if how == "cyrillic":
                return cyrillic, how
            return rng.choice(RU_SCHEMES).translate(cyrillic), how
        if how == "mrz":
            return self._mrz(native), how
        if how in {"ru_latin", "ru_latin2"}:
            return rng.choice(RU_SCHEMES).translate(native), how
        if how == "upper_latin":
            return iuliia.ICAO_DOC_9303.translate(native).upper(), how
        if how == "romanised":
            return anyascii(native).title(), how
        return native.upper(), how

    def typo(self, name: str) -> str:
        rng = self.rng
        tokens = name.split()
        i = rng.randrange(len(tokens))
        t = tokens[i]
        if len(t) < 4:
            return name
        j = rng.randrange(1, len(t) - 1)
        op = rng.choice(["sub", "del", "ins", "swap"])
        letter = rng.choice(KEYBOARD) if t.isascii() else t[rng.randrange(len(t))]
        if op == "sub":
            t = t[:j] + letter + t[j + 1 :]
        elif op == "del":
            t = t[:j] + t[j + 1 :]
        elif op == "ins":
            t = t[:j] + letter + t[j:]
        else:
            t = t[: j - 1] + t[j] + t[j - 1] + t[j + 1 :]
        tokens[i] = t
        return " ".join(tokens)

    def variant(self, p: Person, listed_as: str) -> str:
        """A true variant of a listed person's name, as another office would send it."""
        rng = self.rng
        name, _ = self.render(p, avoid=listed_as)
        if rng.random() < 0.5:
            parts = name.split(" ", 1)
            if len(parts) == 2:
                name = f"{parts[1]} {parts[0]}"
        if rng.random() < 0.3:
            name = self.typo(name)
        return name
