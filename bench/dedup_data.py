"""Synthetic multi-script person records for the dedup benchmark (deterministic for a seed).

Real people are drawn from Faker's name lists (az_AZ, ru_RU, tr_TR, fa_IR, ar_AA,
ar_SA, en_US) with Zipf weights, so common names are very common, as in a real
registry. Each person has 1–5 records; each record renders the name through another
script or spelling tradition (Azerbaijani Latin, ICAO MRZ capitals, Russian Cyrillic,
Soviet-era English spellings of the Cyrillic, Arabic/Persian script or a Latin reading
of it), then adds clerk errors: typos, family/given order swaps, corrupted dates of
birth (day/month swap, one digit, only the year, missing) and missing passports.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import string
from dataclasses import dataclass

import iuliia
from anyascii import anyascii
from faker import Faker

LOCALES = {
    "az_AZ": (0.35, "AZ"),
    "ru_RU": (0.20, "RU"),
    "tr_TR": (0.15, "TR"),
    "fa_IR": (0.10, "IR"),
    "ar_AA": (0.06, "SA"),
    "ar_SA": (0.04, "SA"),
    "en_US": (0.10, "US"),
}
RECORDS_PER_PERSON = ([1, 2, 3, 4, 5], [0.35, 0.25, 0.2, 0.12, 0.08])

P_TYPO = float(os.environ.get("BENCH_DEDUP_TYPO", "0.12"))
P_SWAP = float(os.environ.get("BENCH_DEDUP_SWAP", "0.10"))
P_DOB = float(os.environ.get("BENCH_DEDUP_DOB", "0.15"))
P_NO_PASSPORT = 0.40
P_NEW_PASSPORT = 0.15

_AZ_TO_CYR = {
    "a": "а", "b": "б", "c": "дж", "ç": "ч", "d": "д", "e": "е", "ə": "а", "f": "ф",
    "g": "г", "ğ": "г", "h": "г", "x": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к",
    "q": "г", "l": "л", "m": "м", "n": "н", "o": "о", "ö": "ё", "p": "п", "r": "р",
    "s": "с", "ş": "ш", "t": "т", "u": "у", "ü": "ю", "v": "в", "y": "й", "z": "з",
    "w": "в",
}  # fmt: skip
_ICAO_LATIN = {
    "ə": ["A", "E"], "ü": ["UE", "U"], "ö": ["OE", "O"], "ş": ["S"], "ç": ["C"],
    "ğ": ["G"], "ı": ["I"], "i̇": ["I"], "x": ["X", "KH"],
}  # fmt: skip
_SCHEMES = [
    iuliia.WIKIPEDIA,
    iuliia.BGN_PCGN,
    iuliia.MOSMETRO,
    iuliia.TELEGRAM,
    iuliia.ICAO_DOC_9303,
]


@dataclass
class Record:
    unique_id: int
    person: int
    surname: str
    given_names: str
    patronymic: str
    birth_date: dt.date | None
    birth_year_only: bool
    sex: str
    nationality: str
    document: str


ZIPF = float(os.environ.get("BENCH_DEDUP_ZIPF", "1.07"))
# Unset: every record spells the name in a style of its own. A share (e.g. 0.1): each
# person has the spelling of their passport, and a record is spelt afresh (another
# script or scheme, as a clerk copying from another paper would) with that probability.
_respell = os.environ.get("BENCH_DEDUP_RESPELL")
RESPELL = float(_respell) if _respell else None


def _zipf(n: int, s: float = ZIPF) -> list[float]:
    return [1 / (r**s) for r in range(1, n + 1)]


class Pools:
    def __init__(self, seed: int) -> None:
        self.by_locale: dict[str, dict[str, list[str]]] = {}
        for loc in LOCALES:
            fake = Faker(loc)
            fake.seed_instance(seed)
            pools: dict[str, list[str]] = {}
            for kind in (
                "last_name_male",
                "last_name_female",
                "first_name_male",
                "first_name_female",
            ):
                seen: dict[str, None] = {}
                for _ in range(4000):
                    seen[getattr(fake, kind)()] = None
                pools[kind] = list(seen)
            pools["middle_name_male"] = (
                list(dict.fromkeys(fake.middle_name_male() for _ in range(1000)))
                if loc == "ru_RU"
                else []
            )
            pools["middle_name_female"] = (
                list(dict.fromkeys(fake.middle_name_female() for _ in range(1000)))
                if loc == "ru_RU"
                else []
            )
            self.by_locale[loc] = pools
        self.weights = {
            loc: {k: _zipf(len(v)) for k, v in pools.items()}
            for loc, pools in self.by_locale.items()
        }

    def draw(self, rng: random.Random, loc: str, kind: str) -> str:
        pool = self.by_locale[loc][kind]
        return rng.choices(pool, weights=self.weights[loc][kind])[0] if pool else ""


def _lower_az(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def _az_cyrillic(text: str) -> str:
    out = []
    for word in text.split():
        w = "".join(_AZ_TO_CYR.get(c, c) for c in _lower_az(word))
        out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def _icao(text: str, rng: random.Random) -> str:
    out = []
    for c in _lower_az(text):
        out.append(rng.choice(_ICAO_LATIN[c]) if c in _ICAO_LATIN else c.upper())
    return anyascii("".join(out)).upper()


def _latin_reading(text: str, rng: random.Random) -> str:
    """A Latin reading of an Arabic-script name: consonants from the script, vowels guessed."""
    words = []
    for word in text.split():
        cons = anyascii(word).lower()
        w = []
        for i, ch in enumerate(cons):
            w.append(ch)
            if i < len(cons) - 1 and ch not in "aeiou" and rng.random() < 0.7:
                w.append(rng.choice("aaeiou"))
        words.append("".join(w).capitalize())
    return " ".join(words)


def _style(loc: str, rng: random.Random) -> str:
    roll = rng.random()
    if loc in {"az_AZ", "tr_TR"}:
        if roll < 0.4:
            return "native"
        if roll < 0.6:
            return "icao"
        return "cyrillic" if roll < 0.8 or loc == "tr_TR" else "soviet_latin"
    if loc == "ru_RU":
        return "native" if roll < 0.4 else ("latin_upper" if roll < 0.6 else "latin")
    if loc in {"fa_IR", "ar_AA", "ar_SA"}:
        return "native" if roll < 0.5 else ("reading_upper" if roll < 0.65 else "reading")
    return "upper" if roll < 0.3 else "native"


def render(name: str, style: str, rng: random.Random, scheme: object) -> str:
    """One name part in the record's rendering style (one style per record)."""
    if not name or style == "native":
        return name
    if style == "icao":
        return _icao(name, rng)
    if style == "cyrillic":
        return _az_cyrillic(name)
    if style == "soviet_latin":
        return scheme.translate(_az_cyrillic(name))  # type: ignore[attr-defined]
    if style in {"latin", "latin_upper"}:
        latin = scheme.translate(name)  # type: ignore[attr-defined]
        return latin.upper() if style == "latin_upper" else latin
    if style in {"reading", "reading_upper"}:
        latin = _latin_reading(name, rng)
        return latin.upper() if style == "reading_upper" else latin
    return name.upper()


def typo(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) < 3:
        return text
    p = rng.randrange(1, len(w))
    kind = rng.random()
    letters = "".join(sorted(set(w.lower()))) or string.ascii_lowercase
    if kind < 0.3:
        w = w[:p] + w[p + 1 :]
    elif kind < 0.6:
        w = w[:p] + rng.choice(letters) + w[p + 1 :]
    elif kind < 0.8 and p < len(w) - 1:
        w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    else:
        w = w[:p] + w[p] + w[p:]
    words[i] = w
    return " ".join(words)


def corrupt_birth(d: dt.date, rng: random.Random) -> tuple[dt.date | None, bool]:
    roll = rng.random()
    if roll < 0.3 and d.day <= 12 and d.day != d.month:
        return dt.date(d.year, d.day, d.month), False
    if roll < 0.6:
        text = d.strftime("%Y%m%d")
        for _ in range(10):
            pos = rng.randrange(2, 8)
            t = text[:pos] + rng.choice("0123456789".replace(text[pos], "")) + text[pos + 1 :]
            try:
                return dt.date(int(t[:4]), int(t[4:6]), int(t[6:])), False
            except ValueError:
                continue
        return d, False
    if roll < 0.85:
        return dt.date(d.year, 1, 1), True
    return None, False


def _passport(rng: random.Random) -> str:
    return rng.choice(string.ascii_uppercase) + "".join(rng.choices(string.digits, k=8))


def generate(records: int, seed: int = 42) -> list[Record]:
    """About `records` records of multi-script people (the last person may be cut short)."""
    rng = random.Random(seed)
    pools = Pools(seed)
    locs = list(LOCALES)
    loc_weights = [LOCALES[k][0] for k in locs]
    out: list[Record] = []
    person = 0
    start = dt.date(1950, 1, 1).toordinal()
    while len(out) < records:
        person += 1
        loc = rng.choices(locs, weights=loc_weights)[0]
        sex = rng.choice("MF")
        g = "male" if sex == "M" else "female"
        surname = pools.draw(rng, loc, f"last_name_{g}")
        given = pools.draw(rng, loc, f"first_name_{g}")
        patronymic = ""
        if loc == "ru_RU" and rng.random() < 0.7:
            patronymic = pools.draw(rng, loc, f"middle_name_{g}")
        elif loc == "az_AZ" and rng.random() < 0.3:
            patronymic = pools.draw(rng, loc, "first_name_male") + (
                " oğlu" if sex == "M" else " qızı"
            )
        birth = dt.date.fromordinal(start + rng.randrange(58 * 365))
        nationality = LOCALES[loc][1]
        passport = _passport(rng)
        k = rng.choices(*RECORDS_PER_PERSON)[0]
        home: tuple[str, ...] | None = None
        if RESPELL is not None:
            style, scheme = _style(loc, rng), rng.choice(_SCHEMES)
            home = tuple(render(x, style, rng, scheme) for x in (surname, given, patronymic))
        for _ in range(k):
            if len(out) >= records:
                break
            if RESPELL is None or home is None or rng.random() < RESPELL:
                style, scheme = _style(loc, rng), rng.choice(_SCHEMES)
                s, gv, pt = (render(x, style, rng, scheme) for x in (surname, given, patronymic))
            else:
                s, gv, pt = home
            if rng.random() < P_TYPO:
                if rng.random() < 0.5:
                    s = typo(s, rng)
                else:
                    gv = typo(gv, rng)
            if rng.random() < P_SWAP:
                s, gv = gv, s
            b: dt.date | None = birth
            year_only = False
            if rng.random() < P_DOB:
                b, year_only = corrupt_birth(birth, rng)
            roll = rng.random()
            doc = (
                ""
                if roll < P_NO_PASSPORT
                else (_passport(rng) if roll < P_NO_PASSPORT + P_NEW_PASSPORT else passport)
            )
            out.append(
                Record(
                    unique_id=len(out) + 1,
                    person=person,
                    surname=s,
                    given_names=gv,
                    patronymic=pt,
                    birth_date=b,
                    birth_year_only=year_only,
                    sex=sex if rng.random() > 0.02 else "",
                    nationality=nationality if rng.random() > 0.02 else "",
                    document=doc,
                )
            )
    return out
