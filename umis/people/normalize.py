"""The name normaliser: one place that turns a name as written into keys for matching.

Public interface (stable; other apps import only these):

- ``normalize_name(text) -> NormalizedName`` keeps the original and gives the match
  keys: per token a Latin form (``tokens``), an ICAO-like phonetic ``skeleton`` and a
  vowel-less ``consonants`` key, the token set, the detected patronymic, and the flags
  raised on the input (``mixed_script``, ``confusable``, ``bidi_control``, ``zero_width``).
- ``name_match_keys(name) -> frozenset[str]`` blocking keys (order-independent): the
  consonant key of each main token and the canonical form of known given-name variants.
- ``name_similarity(a, b) -> Score`` a 0..100 score with reasons, independent of the
  order of given and family names.
- ``name_consonant_keys(name) -> tuple[str, ...]`` order-independent consonant keys, one
  per reading (a few at most): where one name is in Arabic script, whose short vowels are
  not written, these compare where the spelled-out keys cannot.
- ``name_compound_forms(name) -> tuple[NormalizedName, ...]`` the name with a compound
  given name written in two words joined into one (Ali Reza → Alireza, Abd Allah →
  Abdallah), one form per such pair; ``name_similarity`` and screening use them.
- ``token_similarity(a, b) -> TokenMatch`` the same for two single tokens;
  ``token_block_key(token)`` the blocking key of one token, ``token_block_keys(token)``
  that key and the keys of the token's other readings (below).
- Both similarity functions take ``typo_discount`` (default ``TYPO_DISCOUNT`` = 10): a
  merely similar spelling (not explained by a transliteration rule) scores that much below
  its edit ratio. Pass 0 where other evidence (date of birth) backs a typo up.

How a token becomes a key:
1. Unicode NFKC; zero-width and bidi control characters removed (and flagged).
2. Homoglyphs: a token mixing Latin with Cyrillic/Greek letters is flagged
   ``mixed_script``; if the foreign letters look like Latin ones they are mapped and the
   name is flagged ``confusable`` (and vice versa for a mostly Cyrillic token).
3. Script to Latin: Russian Cyrillic by ICAO Doc 9303 (``iuliia``), Azerbaijani
   Cyrillic (ә ғ һ ҹ ј ө ү ҝ) by our table; Arabic and Persian (consonants and long
   vowels; short vowels are not written, so such tokens compare on their consonant key;
   ض reads d as in Arabic and z as in Persian, Reza, Ramazan; letters that would run into
   a digraph, the z and h of زهرا, are also read apart, Zahra, and ت before ز or س is never
   the ts of ц; the final ی of a name shaped as an Arabic participle of form VIII, مرتضی,
   مصطفی, or of a short list of names, موسی, عیسی, یحیی, کبری, لیلی, reads ā as well as ī,
   Murtaza, Mustafa, Musa, Isa, Kobra, Leyla; an initial ی before a consonant, the y of
   یحیی Yahya, is also read left out, as the skeleton of Yahya leaves it out),
   Georgian, Armenian and anything else by ``anyascii``.
4. Azerbaijani/Turkish case: İ, I, ı and i are one letter class; ə folds to a
   (ICAO Doc 9303 Part 3: Ə→A, Ü→UE/U, Ş→S, Ç→C, Ğ→G).
5. Skeleton: letters that different spelling traditions use for one sound share a
   class (Soviet-era English Gusein-/Husein-, Dzh-/C-/J-, -zade/-zadeh, -iev/-iyev,
   doubled letters, ue/oe from MRZ) so Hüseynov, HUSEYNOV, Guseinov and Гусейнов
   get the same skeleton ``husainov``.
6. Readings: a letter that one tradition writes two ways gives the token another
   skeleton (``alternates``), and two tokens sharing any reading are one name. Azerbaijani
   Q (and Arabic/Persian ق) is Г in some Russian documents and К in others, K in Turkish:
   Qurbanov reads ``hurbanov`` (Гурбанов, Gurbanov) and ``kurbanov`` (Курбанов,
   Kurbanov). Only the Q side has two readings, so К and Г, K and H stay apart (Zakir is
   not Zahir, Kərimov not Hərimov). Also ё read as yo, and MRZ UE/OE read as written;
   a German spelling as Russian writes it (W as В, J before e, i, o, u as Й, EU as ОЙ, S
   between vowels as З: Schwarz/Шварц, Johannes/Йоханнес, Neumann/Нойман, Josef/Йозеф).
7. Readings across scripts (``cross``), which hold only between a Latin and a Cyrillic
   token, or between an Arabic-script token and one in another script: a German name as
   Russian traditionally writes it (CH as Х, IE as И: Ulrich/Ульрих, Dieter/Дитер; after
   an initial J, Й or И, before a vowel too: Joachim/Иоахим; ФО as VO: Фогель/Vogel), and a Persian و between consonants read v (موحد/Movahed). An
   Arabic-script token ending in ا ends in a vowel: not in the e or eh of a Latin or
   Cyrillic one (زهرا is Zahra, not Zohreh, زهره). A و between consonants is written:
   read as a vowel, the other token has an o or u for it, else it is the v (مهوش is
   Mahvash or Mahush, not Mahsa, مهسا, though the consonants are the same).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

import iuliia
from anyascii import anyascii
from rapidfuzz import fuzz

from umis.core.text import BIDI_CONTROLS, ZERO_WIDTH
from umis.people.names import name_is_arabic, name_scripts

__all__ = [
    "FLAGS",
    "NormalizedName",
    "Score",
    "TokenMatch",
    "name_compound_forms",
    "name_consonant_keys",
    "name_match_keys",
    "name_similarity",
    "normalize_name",
    "token_block_key",
    "token_block_keys",
    "token_similarity",
]

FLAGS = ("mixed_script", "confusable", "bidi_control", "zero_width")
_ENDINGS_APART = frozenset({"ae", "ea"})
TYPO_DISCOUNT = 10.0

# Cyrillic and Greek letters that look like Latin ones (Unicode confusables, the subset
# that matters for names).
_CYR_TO_LAT = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "һ": "h",
    "ә": "ə", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "ө": "o",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Һ": "H",
    "Ә": "Ə",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z",
}  # fmt: skip
_LAT_TO_CYR = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "i": "і",
    "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р",
    "C": "С", "T": "Т", "X": "Х",
}  # fmt: skip

# Azerbaijani Cyrillic (1939-1991): letters Russian does not have, and those that read
# differently (г = q, ы = ı, ј = y, х = x). Used when a token has one of the marker letters.
_AZ_CYR_MARKERS = set("әӘғҒһҺҹҸјЈөӨүҮҝҜ")
_AZ_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "q", "ғ": "ğ", "д": "d", "е": "e", "ә": "ə",
    "ж": "j", "з": "z", "и": "i", "ы": "ı", "ј": "y", "к": "k", "ҝ": "g", "л": "l",
    "м": "m", "н": "n", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ү": "ü", "ф": "f", "х": "x", "һ": "h", "ч": "ç", "ҹ": "c", "ш": "ş",
    "ь": "", "ъ": "", "й": "y", "ю": "yu", "я": "ya", "ё": "yo", "э": "e", "ц": "ts",
    "щ": "şç",
}  # fmt: skip

_FOLD = str.maketrans({"ı": "i", "İ": "i", "I": "i", "ə": "a", "Ə": "a", "ә": "a", "Ә": "a"})

# Skeleton rewrites, applied in order on a lower-case ASCII token. Classes:
#  j: dzh dj zh ch tch c ç j   (Azerbaijani c = Russian дж = English j; MRZ writes ç as c)
#  s: sch shch sh ş s          h: kh gh x h g q ğ (Гусейнов/Huseynov, Гасымов/Qasımov)
#  vowels: a e ə ä → a;  i ı y → i;  o ö → o;  u ü w(after vowel) → u; then runs collapse.
_SKELETON_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"ey", "ei"),  # Hüseynov/Гусейнов (ICAO: Guseinov)
        (r"ue", "u"),  # MRZ Ü→UE
        (r"oe", "o"),  # MRZ Ö→OE
        (r"shch|sch", "s"),
        (r"dzh|dj|tch|ch|zh|c|j", "J"),
        (r"sh", "s"),
        (r"(?<=[ae])h$", ""),  # -zadeh → -zade, Fatimah → Fatima
        (r"(?<=[blmnprfvwj])h$", ""),  # Arabic ta marbuta romanised h (Fatimah/فاطمة)
        (r"dh", "z"),  # ذ romanised dh (Zakir/ذاکر)
        (r"th", "s"),  # ث romanised th (Osman/Uthman)
        (r"kh|gh|x|g|q|h", "H"),
        (r"ph", "f"),
        (r"ts|tz", "z"),  # Russian ц (Tsvetaeva, Kreutzer), `_TS_RULE`
        (r"ck", "k"),
        (r"w", "u"),  # Arabic و romanised w (Hwshyr, Hooshyar); English w
        (r"ou", "u"),
        (r"(?<=[aeou])[yi](?=[aeiou])", ""),  # Zuyev/Zuev, Kifayat/Kifaiat
        (r"y(?=[aeiou])", "i"),  # Aliyev/Aliev, Yusif/Iusif
        (r"[e]", "a"),
        (r"y", "i"),
        (r"i+", "i"),
        (r"(?:(?<=^)|(?<=[^aeiou]))i(?=[aou])", ""),  # soft glide: Iusif/Usif, Fiokla/Fokla
    )
)
_MRZ_UMLAUT_RULES = {1, 2}  # ue, oe: also read as written (Зуев/Zuev)
# Arabic script has no letter for ц: its ت then س or ز are two sounds, with an unwritten short
# vowel between them as between any two of its consonants (مرتضی: Morteza, Murtuza; not
# m-r-z, Mirza), so an Arabic-script token's readings by sound keep them apart (its letters
# romanised one by one, Tsnym for تسنیم, are read as a Latin spelling so written is)
_TS_RULE = next(i for i, (p, _r) in enumerate(_SKELETON_RULES) if p.pattern == "ts|tz")
_VOWELS = set("aeiou")
_CONSONANT_DROP = re.compile(r"[aeiou]")

# Patronymic markers (Azerbaijani/Turkic: oğlu "son of", qızı "daughter of").
_PATRONYMIC_MARKERS = {
    "oglu", "ogly", "ogli", "oglou", "uly", "uli", "qizi", "kizi", "gizi", "kyzy", "gyzy",
}  # fmt: skip
_PATRONYMIC_SUFFIXES = ("ovich", "evich", "ovna", "evna", "ichna", "ovitch", "evitch", "yevich")

# Given names whose spellings differ by more than the skeleton absorbs: (canonical, variants).
_VARIANT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "muhammad",
        (
            "muhammad", "mohammad", "mohammed", "muhammed", "mohamed", "mehmet", "mehmed",
            "mahammad", "magomed", "muhamed", "mukhammad", "mukhammed", "mamed", "mohamad",
        ),
    ),
    ("husayn", ("huseyn", "hussein", "husayn", "hossein", "husein", "guseyn", "hussain")),
    ("hasan", ("hasan", "hassan", "gasan", "hassane", "hesen")),
    ("ibrahim", ("ibrahim", "ibragim", "ebrahim", "ibrahima")),
    ("ismail", ("ismail", "ismayil", "ismoil", "esmail", "ismayl")),
    ("yusuf", ("yusuf", "yusif", "yousef", "yousuf", "jusuf", "yusup", "iusif")),
    ("abdullah", ("abdullah", "abdulla", "abdallah", "abdollah")),
    ("rasul", ("rasul", "rasool", "rasoul")),
    ("mahmud", ("mahmud", "mahmoud", "makhmud", "mahmood")),
    ("ahmad", ("ahmad", "ahmed", "akhmed", "ahmet", "akhmad")),
    ("aliyev", ("aliyev", "aliev", "aliyeu", "alijev")),
    ("hajiyev", ("hajiyev", "gadzhiev", "hadjiev", "haciyev", "gadjiev")),
    ("jafar", ("jafar", "cafar", "dzhafar", "jafer", "jafr")),
    # Qasım is Касум in Russian as well as Касым/Гасым (Kasum, Kasumov beside Kasimov)
    ("qasim", ("qasim", "kasim", "kasum", "gasum", "qasem", "ghasem")),
    ("qasimov", ("qasimov", "kasimov", "kasumov", "gasumov")),
    ("qasimova", ("qasimova", "kasimova", "kasumova", "gasumova")),
    # Heinrich is Генрих in Russian by tradition (Хайнрих by the practical transcription)
    ("heinrich", ("heinrich", "genrikh", "genrih", "henrich", "henrikh", "khainrikh")),
    # Joachim is Иоахим and, in the Church's and older Russian spelling, Иоаким; Joakim is
    # the Scandinavian (and Russian romanised) spelling of the same name
    ("joachim", ("joachim", "joakim", "ioakhim", "ioakim", "yoakhim", "yoakim")),
)  # fmt: skip


# Given names written as one word or two (Alireza / Ali Reza / Əli Rza, Mohammadreza /
# Mohammad Reza, Abdulla / Abd Allah, Həsənəli / Hasan Ali): two adjacent tokens, a first
# part then a second part, also read as the one word. A part alone is another name (Ali is
# not Alireza).
_COMPOUND_FIRST = (
    "ali", "muhammad", "mohammad", "mahammad", "amir", "mir", "gholam", "ghulam", "qulam",
    "abd", "abdul", "abdol", "abdel", "abdal", "hasan", "huseyn", "hossein", "nur",
)  # fmt: skip
_COMPOUND_SECOND = (
    "reza", "rza", "riza", "ali", "allah", "ullah", "ulla", "hossein", "huseyn", "husayn",
    "hasan", "muhammad", "mohammad", "akbar", "asghar", "abbas", "rahman", "rahim", "aziz",
    "hamid", "majid", "nasir", "din", "eddin", "addin", "uddin", "aga", "agha",
)  # fmt: skip


@dataclass(frozen=True)
class Token:
    original: str
    latin: str  # lower-case ASCII
    skeleton: str
    consonants: str
    abjad: bool  # written in Arabic/Persian script (short vowels not written)
    canonical: str  # canonical given-name variant, or ""
    alternates: tuple[str, ...] = ()  # other skeletons (ё read as yo: Фёкла/Fyokla/FEKLA)
    # the skeleton and its alternates, their consonant keys, and the blocking keys of them
    # all (`token_block_keys`); kept once, since screening compares tokens all the time
    readings: tuple[str, ...] = ()
    reading_consonants: tuple[str, ...] = ()
    block_keys: tuple[str, ...] = ()
    compound: int = 0  # 1: can be a compound given name's first part, 2: its second part
    cyrillic: bool = False  # written in Cyrillic
    # readings that hold only across scripts, not kept in the blocking keys: a German name
    # as Russian traditionally writes it (a Latin token against a Cyrillic one: Ulrich as
    # Ульрих; a Cyrillic one against a Latin one: Фогель as Vogel), and a Persian و read v
    # with the short vowels around it unwritten (an Arabic-script token against one in
    # another script: موحد as Movahed); their skeletons and consonant keys
    cross: tuple[str, ...] = ()
    cross_consonants: tuple[str, ...] = ()
    # how an Arabic-script token ends (a: ا, the long vowel of Zahra, Reza, Sara), or a
    # Latin or Cyrillic one (e: a consonant then e or eh, Zohreh, Sareh, Зохре)
    ending: str = ""
    # how many و between consonants an Arabic-script token has: read as vowels, the other
    # token has an o or u for each (`_waw_vowel_met`), else they are the v of `cross`
    waw_vowels: int = 0


@dataclass(frozen=True)
class NormalizedName:
    original: str
    cleaned: str
    main: tuple[Token, ...]
    patronymic: tuple[Token, ...]
    flags: frozenset[str]
    scripts: frozenset[str]
    # positions i where main[i] and main[i + 1] may be one compound given name written apart
    compounds: tuple[int, ...] = ()

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(t.latin for t in self.main)

    @property
    def skeletons(self) -> tuple[str, ...]:
        return tuple(t.skeleton for t in self.main)

    @property
    def token_set(self) -> frozenset[str]:
        return frozenset(self.skeletons)

    @property
    def key(self) -> str:
        """Sorted skeletons, space-joined: an order-independent string for fuzzy scoring."""
        return " ".join(sorted(self.skeletons))

    @property
    def keys(self) -> tuple[str, ...]:
        """The key, and the key of the tokens' last readings where that reads quite
        differently (Josef Neumann read as German in Russian: ozaf noiman, Йозеф Нойман)."""
        if not any(t.alternates for t in self.main):
            return (self.key,)
        other = " ".join(sorted(t.readings[-1] for t in self.main))
        return (self.key,) if fuzz.ratio(other, self.key) >= 90 else (self.key, other)

    @property
    def patronymic_text(self) -> str:
        return " ".join(t.latin for t in self.patronymic)

    @property
    def is_empty(self) -> bool:
        return not self.main


@dataclass(frozen=True)
class TokenMatch:
    a: str
    b: str
    score: float
    how: str  # exact | transliteration | variant | fuzzy | consonants | initial | none


@dataclass(frozen=True)
class Score:
    score: float
    reasons: tuple[str, ...]
    matches: tuple[TokenMatch, ...] = field(default=())


def _skeleton(latin: str, *, mrz_umlauts: bool = True, abjad: bool = False) -> str:
    s = latin
    for i, (pattern, repl) in enumerate(_SKELETON_RULES):
        if not mrz_umlauts and i in _MRZ_UMLAUT_RULES:
            continue
        if abjad and i == _TS_RULE:
            continue
        s = pattern.sub(repl, s)
    s = s.lower()
    out: list[str] = []
    for ch in s:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def _consonants(skeleton: str) -> str:
    out: list[str] = []
    for ch in _CONSONANT_DROP.sub("", skeleton):
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1)
def _variant_index() -> dict[str, str]:
    return {_skeleton(v): canon for canon, variants in _VARIANT_GROUPS for v in variants}


@lru_cache(maxsize=1)
def _compound_parts() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """(skeletons, consonant keys) of the first and of the second parts of compound names."""
    out = []
    for names in (_COMPOUND_FIRST, _COMPOUND_SECOND):
        skeletons = {_skeleton(n) for n in names}
        skeletons |= {_variant_index().get(k, k) for k in skeletons}
        out.append((frozenset(skeletons), frozenset(_consonants(_skeleton(n)) for n in names)))
    return tuple(out)


@lru_cache(maxsize=262144)
def _fix_confusables(token: str) -> tuple[str, bool, bool]:
    """(token with homoglyphs mapped to the token's main script, mixed_script, confusable)."""
    scripts = name_scripts(token)
    if len(scripts) <= 1:
        return token, False, False
    letters = [c for c in token if c.isalpha()]
    latin = sum(1 for c in letters if "LATIN" in name_scripts(c))
    target_latin = latin * 2 >= len(letters)
    table = _CYR_TO_LAT if target_latin else _LAT_TO_CYR
    mapped = "".join(table.get(c, c) for c in token)
    confusable = len(name_scripts(mapped)) == 1
    return (mapped if confusable else token), True, confusable


# Arabic-script letters are each one consonant (or a long vowel), but some romanised side
# by side read as a digraph: زهرا letter by letter is zhr (as written so, Zhr, it
# matches), and its other reading keeps the letters apart: ه and ح after z, s, k, g, t, d or p written x (the
# skeleton's h class) give z-h-r (Zahra). ت then ز or س is never the ts of Russian ц
# (`_TS_RULE`): مرتضی is m-r-t-z (Morteza), its short vowels unwritten.
_DIGRAPH_FIRST = frozenset("zsckgtdp")
_ABJAD_H = frozenset("هحۀ")
_ABJAD_ALEF = frozenset("اآ")
_ABJAD_VOWEL_NEXT = frozenset("اآیيى")


def _abjad_apart(token: str, *, waw_v: bool = False) -> str:
    """An Arabic-script token romanised letter by letter, the letters kept apart, and و read
    v where Persian reads it so: first in the word, after ا, or before ا or ی (Vahid, Javad,
    Davood, Mousavi, Khosravi; but the u or o of Nouri, Mousavi, Davood). `waw_v`: also a و
    between two consonants, whose short vowels are not written (Movahed, Tavakoli), and
    not only the last letter's (Khosrow)."""
    out: list[str] = []
    for i, c in enumerate(token):
        latin = anyascii(c) if ord(c) > 0x7F else c
        if c == "و" and (
            i == 0
            or token[i - 1] in _ABJAD_ALEF
            or token[i + 1 : i + 2] in _ABJAD_VOWEL_NEXT
            or (waw_v and i < len(token) - 1)
        ):
            latin = "v"
        elif c in _ABJAD_H and out and out[-1][-1:] in _DIGRAPH_FIRST:
            latin = "x"
        out.append(latin)
    return "".join(out)


def _to_latin(token: str, *, apart: bool = False, waw_v: bool = False) -> tuple[str, bool]:
    """Lower-case ASCII form of one token, and whether it was in an abjad (Arabic) script
    (`apart`: its letters kept apart, `_abjad_apart`, and `waw_v` with it)."""
    scripts = name_scripts(token)
    abjad = name_is_arabic(token)
    if "CYRILLIC" in scripts:
        if any(c in _AZ_CYR_MARKERS for c in token):
            token = "".join(_AZ_CYR.get(c.lower(), c) for c in token)
        else:
            token = iuliia.ICAO_DOC_9303.translate(token)
    token = token.translate(_FOLD)
    if abjad and apart:
        token = _abjad_apart(token, waw_v=waw_v)
    elif not token.isascii():
        token = "".join(anyascii(c) if ord(c) > 0x7F else c for c in token)
    token = unicodedata.normalize("NFKD", token)
    token = "".join(c for c in token if not unicodedata.combining(c)).lower().translate(_FOLD)
    return re.sub(r"[^a-z]+", "", token), abjad


# German (and Dutch, Scandinavian) spellings as Russian writes them: W before a vowel is В
# (Schwarz/Шварц, Wagner/Вагнер; not the w of a romanised Arabic و, Mwhd, Bnw), J before a vowel other than a is Й (Johannes/Йоханнес, Jürgen/Юрген),
# EU is ОЙ (Neumann/Нойман). A Latin token with one of them also has that reading, where
# an S between vowels is also З (Josef/Йозеф); J before a is left (Jamal is not Ямал, Amal).
_GERMAN = re.compile(r"w(?=[aeiou])|j(?=[eiou])|eu")


_GERMAN_S = re.compile(r"(?<=[aeiou])s(?=[aeiou])")


def _german_as_russian(latin: str) -> str:
    latin = latin.replace("eu", "oi").replace("j", "y")
    latin = re.sub(r"w(?=[aeiou])", "v", latin)
    return _GERMAN_S.sub("z", latin)


# German names as Russian traditionally writes them, beside the practical transcription
# above: CH after a vowel, l, n or r and not before a vowel is Х (Ulrich/Ульрих,
# Albrecht/Альбрехт, Koch/Кох; CHS is КС, Fuchs/Фукс; but the English ch of Elchin and of
# an initial Ch is Ч), IE is И (Dieter/Дитер, Friedrich/Фридрих), and with them an S
# before a vowel is З (Siegfried/Зигфрид). A Latin token with CH so placed or IE has that
# reading against a Cyrillic one; a Cyrillic token beginning with ФО has a V reading
# against a Latin one (Фогель/Vogel, Фолькер/Volker, Фосс/Voss: the German V before o; Ф
# before other letters is the F of Farid, Fuad, Fatima, and Фахид is not Vahid). In a
# name beginning with the German J before o, u, e or i (Й, or И by tradition: Johann/
# Иоганн, Joachim/Иоахим, Jochen/Йохен) a CH after a vowel is Х before a vowel too.
_GERMAN_CH = re.compile(r"(?<=[aeiouylnr])ch(?![aeiouy])")
_GERMAN_J = re.compile(r"^j(?=[eiou])")
_GERMAN_J_CH = re.compile(r"(?<=[aeiou])ch")
_GERMAN_TRADITIONAL = re.compile(_GERMAN_CH.pattern + r"|ie|^j[eiou].*?(?<=[aeiou])ch")


def _german_traditional(latin: str) -> str:
    latin = latin.replace("chs", "ks")
    if _GERMAN_J.match(latin):
        latin = _GERMAN_J_CH.sub("kh", latin)
    latin = _GERMAN_CH.sub("kh", latin).replace("ie", "i")
    return re.sub(r"^s(?=[aeiou])", "z", _german_as_russian(latin))


# A final ی (in Arabic ي) is ī (Ali, Mahdi, Rahimi) or, standing for the Arabic alef maqsura
# (ى), ā. The names of the Arabic passive participle of form VIII of a root whose last letter
# is weak, م, a letter, ت (or ط after ص, ض, ط or ظ), a letter, ی, end in ā: مرتضی Murtaza
# (Morteza, Murtuza, Муртуза), مصطفی Mustafa, مجتبی Mojtaba, مقتدی Moqtada, منتهی Montaha;
# the same letters read ī are the active one (مهتدی Mohtadi). Such a token is read both ways.
_PARTICIPLE_A = re.compile("^م[^اآوییى][تط][^اآوییى][یي]$")
# Other names whose final ی stands for the alef maqsura and reads ā, whatever their shape, as
# the ALA-LC romanization tables for Persian and Arabic give them (ى read á): Mūsá, ʻĪsá,
# Yaḥyá, Kubrá, Ṣughrá, Laylá, Hudá, Bushrá, Ṭūbá; so Musa (Муса), Isa (İsa, Иса, Issa), Yahya
# (Yəhya, Яхья), Kobra (Kübra, Кубра), Soghra (Suğra, Сугра), Leyli (Leyla, Лейла), Hoda,
# Boshra, Tuba. Their shapes are those of names ending in ī (نوری Nouri, حسنی Hosni, موسوی
# Musavi, علی Ali), so only the names of this list are read ā as well. Looked up with the
# Arabic ي and ك as their Persian letters, and alef, its hamzas and ain as one letter (an
# ain read as the vowel it gives is an alef madda in the staff search, `_abjad_token`).
_LONG_A_LETTERS = str.maketrans(dict.fromkeys("ءأإاٱعآ", "ا") | {"ي": "ی", "ك": "ک"})
_LONG_A_NAMES = frozenset(
    n.translate(_LONG_A_LETTERS)
    for n in ("موسی", "عیسی", "یحیی", "کبری", "صغری", "لیلی", "هدی", "بشری", "طوبی")
)
# An initial ی before a consonant is the consonant y, its short vowel unwritten (یحیی Yahya,
# یعقوب Yaqub; Persian writes an initial i with ا, ایرج Iraj), which the skeleton of a
# Latin or Cyrillic spelling leaves out before its vowel (Yahya, Яхья: aha): an
# Arabic-script token so beginning also reads without it.
_INITIAL_YA = re.compile("^[یي](?=[^اآوییى])")


def _final_ya_long_a(original: str) -> bool:
    """Whether an Arabic-script token ending in ی (or ي) also reads it ā (`_PARTICIPLE_A`,
    `_LONG_A_NAMES`)."""
    return bool(_PARTICIPLE_A.match(original)) or (
        original[-1:] in "یي" and original.translate(_LONG_A_LETTERS) in _LONG_A_NAMES
    )


_MEDIAL_WAW = re.compile("(?<=[^اآ])و(?=[^اآیيى])")  # a و between consonants


def _cross_readings(original: str, latin: str, abjad: bool, cyrillic: bool) -> list[str]:
    """The Latin forms of a token's readings that hold only across scripts (`Token.cross`)."""
    if abjad:
        # a و between consonants read v (Movahed), the ض also read z as in `_token`
        if not _MEDIAL_WAW.search(original):
            return []
        texts = dict.fromkeys((original, original.replace("ض", "ز")))
        return [_to_latin(text, apart=True, waw_v=True)[0] for text in texts]
    if cyrillic:
        return ["v" + latin[1:]] if original[:2].lower() == "фо" else []
    if _GERMAN_TRADITIONAL.search(latin) and "LATIN" in name_scripts(original):
        return [_german_traditional(latin)]
    return []


_ENDING_E = re.compile(r"[^aeiou]eh?$")
_OU = re.compile("[ouw]+")


def _waw_vowel_met(abjad: Token, other: Token) -> bool:
    """Whether `other` (not in Arabic script) has as many o, u or w as `abjad` has و between
    consonants, wherever they stand (a typo may move one): those و are then vowels."""
    return len(_OU.findall(other.latin)) >= abjad.waw_vowels


def _ending(original: str, latin: str, abjad: bool) -> str:
    if abjad:
        letters = [c for c in original if c.isalpha()]
        return "a" if letters and letters[-1] in _ABJAD_ALEF else ""
    return "e" if _ENDING_E.search(latin) else ""


@lru_cache(maxsize=262144)
def _token(original: str) -> Token | None:
    # names are built from far fewer tokens than there are names: each token once a process
    latin, abjad = _to_latin(original)
    if not latin:
        return None
    readings = [(latin, True)]  # (Latin form, MRZ ue/oe read as umlauts)
    sounded: set[int] = set()  # those of an Arabic-script token read by sound
    if "ё" in original.lower():
        yo, _ = _to_latin(original.replace("ё", "йо").replace("Ё", "Йо"))
        readings.append((yo, True))
    if "ue" in latin or "oe" in latin:
        readings.append((latin, False))
    if "LATIN" in name_scripts(original) and _GERMAN.search(latin):
        readings += [(_german_as_russian(text), umlauts) for text, umlauts in readings]
    if abjad:
        # ض is d in Arabic (Ramadan), z in Persian and Azerbaijani (Reza, Rza, Ramazan)
        texts = dict.fromkeys((original, original.replace("ض", "ز")))
        if _final_ya_long_a(original):
            texts.update(dict.fromkeys(text[:-1] + "ى" for text in tuple(texts)))
        if _INITIAL_YA.match(original):
            texts.update(dict.fromkeys(text[1:] for text in tuple(texts)))
        for text in texts:
            for a in (False, True):
                if a or text != original:  # read by sound, not letter by letter (`_TS_RULE`)
                    sounded.add(len(readings))
                readings.append((_to_latin(text, apart=a)[0], True))
    if "q" in latin:  # Q as К: Qurbanov/Курбанов/Kurbanov, beside Г: Гурбанов/Gurbanov
        sounded |= {i + len(readings) for i in sounded}
        readings += [(text.replace("q", "k"), umlauts) for text, umlauts in readings]
    skeletons = tuple(
        dict.fromkeys(
            _skeleton(t, mrz_umlauts=u, abjad=i in sounded) for i, (t, u) in enumerate(readings)
        )
    )
    consonants = tuple(_consonants(s) for s in skeletons)
    canonical = _variant_index().get(skeletons[0], "")
    # Spelling variants share their canonical form's key, which is also what the
    # Arabic-script spelling gives (Mehmet, Magomed, محمد → mhmd); a vowel-less token
    # keeps its vowels.
    own = _consonants(_skeleton(canonical)) if canonical else consonants[0] or "_" + skeletons[0]
    others = (c or "_" + s for s, c in zip(skeletons[1:], consonants[1:], strict=True))
    parts = _compound_parts()
    compound = sum(
        bit
        for bit, (by_skeleton, by_consonants) in zip((1, 2), parts, strict=True)
        if (canonical or skeletons[0]) in by_skeleton
        or (abjad and not set(consonants).isdisjoint(by_consonants))
    )
    cyrillic = "CYRILLIC" in name_scripts(original)
    cross = tuple(
        s
        for s in dict.fromkeys(
            _skeleton(t, abjad=abjad) for t in _cross_readings(original, latin, abjad, cyrillic)
        )
        if s not in skeletons
    )
    cross_consonants = tuple(_consonants(s) for s in cross)
    # a German reading is also a blocking key (Bach and Бах, bj and bh, are too short to
    # meet within one edit); the و read v of an Arabic-script token is one edit from its
    # other key (موحد: mhd, Movahed: mvhd) and stays out, as such tokens are many
    cross_keys = (
        () if abjad else (c or "_" + s for s, c in zip(cross, cross_consonants, strict=True))
    )
    return Token(
        original=original,
        latin=latin,
        skeleton=skeletons[0],
        consonants=consonants[0],
        abjad=abjad,
        canonical=canonical,
        alternates=skeletons[1:],
        readings=skeletons,
        reading_consonants=consonants,
        block_keys=tuple(dict.fromkeys((own, *others, *cross_keys))),
        compound=compound,
        cyrillic=cyrillic,
        cross=cross,
        cross_consonants=cross_consonants,
        ending=_ending(original, latin, abjad),
        waw_vowels=len(_MEDIAL_WAW.findall(original)) if abjad and cross else 0,
    )


@lru_cache(maxsize=262_144)
def _token_parts(raw: str) -> tuple[Token | None, bool, bool]:
    """One raw token's normalised form and its mixed-script and confusable flags. Cached:
    names repeat their parts (a million listed names have far fewer distinct tokens), so
    building the screening index normalises each distinct part once."""
    fixed, mixed, confusable = _fix_confusables(raw)
    return _token(fixed), mixed, confusable


def _is_patronymic_suffix(latin: str) -> bool:
    return len(latin) > 6 and latin.endswith(_PATRONYMIC_SUFFIXES)


_JOINERS = re.compile(r"[\-‐‑’'`ʼ]+")
_SEPARATORS = re.compile(r"[\s,.;/()]+")


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> NormalizedName:
    """The normalised form of a full name (any order of given, family and patronymic)."""
    flags: set[str] = set()
    scripts = name_scripts(text)
    # Every bidi and zero-width control is a format character (Cf), never printable: a
    # printable name (nearly all of them) skips the character-by-character checks.
    if not text.isprintable():
        if any(c in BIDI_CONTROLS for c in text):
            flags.add("bidi_control")
        arabic = name_is_arabic(text)
        if any(c in ZERO_WIDTH and not (c == "\u200c" and arabic) for c in text):
            flags.add("zero_width")
    cleaned = unicodedata.normalize("NFKC", text)
    if not cleaned.isprintable():
        cleaned = "".join(
            c
            for c in cleaned
            if c not in BIDI_CONTROLS
            and c not in ZERO_WIDTH
            and unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs"}
        )
    # Hyphenated and apostrophised parts are one token (Gusein-zade, O'Neil);
    # a separate -zade/-zadeh is glued to the preceding token.
    cleaned = _JOINERS.sub("", cleaned)
    raw = [t for t in _SEPARATORS.split(cleaned) if t]
    tokens: list[Token] = []
    for t in raw:
        tok, mixed, confusable = _token_parts(t)
        if mixed:
            flags.add("mixed_script")
        if confusable:
            flags.add("confusable")
        if tok:
            tokens.append(tok)
    merged: list[Token] = []
    for tok in tokens:
        if merged and tok.latin in {"zade", "zadeh", "zada"}:
            prev = merged.pop()
            joined = _token(prev.original + tok.original)
            merged.append(joined or prev)
        else:
            merged.append(tok)
    main: list[Token] = []
    patronymic: list[Token] = []
    for i, tok in enumerate(merged):
        if tok.latin in _PATRONYMIC_MARKERS and main:
            patronymic.extend([main.pop(), tok])
        elif _is_patronymic_suffix(tok.latin) and i > 0:
            patronymic.append(tok)
        else:
            main.append(tok)
    return NormalizedName(
        original=text,
        cleaned=" ".join(cleaned.split()),
        main=tuple(main),
        patronymic=tuple(patronymic),
        flags=frozenset(flags),
        scripts=frozenset(scripts),
        compounds=tuple(
            i for i in range(len(main) - 1) if main[i].compound & 1 and main[i + 1].compound & 2
        ),
    )


def name_compound_forms(name: str | NormalizedName) -> tuple[NormalizedName, ...]:
    """The name with one of its compound given names written apart joined into one word
    (Ali Reza Karimi: Alireza Karimi; Abd Allah: Abdallah), one form per such pair."""
    n = normalize_name(name) if isinstance(name, str) else name
    return tuple(form for i in n.compounds if (form := _compound_form(n, i)) is not None)


def _compound_form(n: NormalizedName, i: int) -> NormalizedName | None:
    joined = _token(n.main[i].original + n.main[i + 1].original)
    if joined is None:
        return None
    return replace(n, main=(*n.main[:i], joined, *n.main[i + 2 :]), compounds=())


def token_block_key(token: Token) -> str:
    """The blocking key of one token: its consonant key (vowel-less tokens keep vowels), or
    its canonical variant's (Mehmet, Magomed, محمد → mhmd)."""
    return token.block_keys[0]


def token_block_keys(token: Token) -> tuple[str, ...]:
    """The token's blocking key, then the key of each of its other readings that differs
    (Qurbanov: Gurbanov's key and Kurbanov's). Two tokens that may be one name share one."""
    return token.block_keys


def name_match_keys(name: str | NormalizedName) -> frozenset[str]:
    """Blocking keys of a name: one per main token (consonant key or canonical variant)."""
    n = normalize_name(name) if isinstance(name, str) else name
    return frozenset(token_block_key(t) for t in n.main)


def name_consonant_keys(name: str | NormalizedName, limit: int = 4) -> tuple[str, ...]:
    """The name's tokens' consonant keys, sorted and space-joined: one key per combination of
    the tokens' readings (`limit` at most), the first of the written forms."""
    n = normalize_name(name) if isinstance(name, str) else name
    keys: list[list[str]] = [[""]]
    for t in n.main:
        options = [c for c in dict.fromkeys(t.reading_consonants) if c] or [t.skeleton]
        keys = [[*k, c] for k in keys for c in options][:limit]
    return tuple(dict.fromkeys(" ".join(sorted(k[1:])) for k in keys))


def token_similarity(a: Token, b: Token, *, typo_discount: float = TYPO_DISCOUNT) -> TokenMatch:
    """How alike two tokens are. A merely similar spelling (`fuzzy`: a typo, or another
    name one letter away) scores `typo_discount` below its edit ratio: on names alone
    Nosov/Noskov must not pass for one name; screening, which also weighs the date of
    birth, passes 0."""
    if a.latin == b.latin:
        return TokenMatch(a.original, b.original, 100.0, "exact")
    if a.skeleton == b.skeleton:
        return TokenMatch(a.original, b.original, 97.0, "transliteration")
    # Another reading in common (Qurbanov's K reading is Курбанов); but in Arabic script
    # itself ق and ك are two letters, so two such tokens compare as written.
    readings = bool(a.alternates or b.alternates) and not (a.abjad and b.abjad)
    if readings and not set(a.readings).isdisjoint(b.readings):
        return TokenMatch(a.original, b.original, 97.0, "transliteration")
    # Readings across scripts: a Latin token against a Cyrillic one (Ulrich/Ульрих,
    # Vogel/Фогель), an Arabic-script token against one in another script (موحد/Movahed)
    crossed = bool(a.cross or b.cross) and (
        a.abjad != b.abjad if a.abjad or b.abjad else a.cyrillic != b.cyrillic
    )
    ra, rb = (a.readings, b.readings)
    if crossed and not (a.abjad or b.abjad):
        ra, rb = (*ra, *a.cross), (*rb, *b.cross)
        if not set(ra).isdisjoint(rb):
            return TokenMatch(a.original, b.original, 97.0, "transliteration")
    if a.canonical and a.canonical == b.canonical:
        return TokenMatch(a.original, b.original, 95.0, "variant")
    if (len(a.latin) == 1 or len(b.latin) == 1) and a.latin[0] == b.latin[0]:
        return TokenMatch(a.original, b.original, 80.0, "initial")
    if a.abjad or b.abjad:
        # An Arabic-script name ending in ا ends in a vowel: not the Latin e or eh after a
        # consonant (زهرا is Zahra, not Zohreh, which is زهره)
        ending = a.ending + b.ending in _ENDINGS_APART
        if not (readings or crossed or ending):
            if a.consonants == b.consonants and a.consonants:
                return TokenMatch(a.original, b.original, 92.0, "consonants")
            s = fuzz.ratio(a.consonants, b.consonants) * 0.95
            return TokenMatch(a.original, b.original, round(s, 1), "consonants")
        if readings:
            ca, cb = set(a.reading_consonants) - {""}, set(b.reading_consonants) - {""}
        else:
            ca, cb = {a.consonants} - {""}, {b.consonants} - {""}
        # a و between consonants is a letter: read as a vowel, the other name has an o or u
        # there (Mahmoud, محمود), else it is the v of the reading below (Mahvash, مهوش: not
        # Mahsa, whose consonants are the same)
        if a.waw_vowels and not b.abjad and not _waw_vowel_met(a, b):
            ca = set()
        if b.waw_vowels and not a.abjad and not _waw_vowel_met(b, a):
            cb = set()
        if crossed:
            ca.update(a.cross_consonants)
            cb.update(b.cross_consonants)
        if not ending and ca & cb:
            return TokenMatch(a.original, b.original, 92.0, "consonants")
        ea, eb = (a.ending, b.ending) if ending else ("", "")
        s = max(fuzz.ratio(x + ea, y + eb) for x in ca or {""} for y in cb or {""}) * 0.95
        return TokenMatch(a.original, b.original, round(s, 1), "consonants")
    if a.alternates or b.alternates or crossed:
        s = max(fuzz.ratio(x, y) for x in ra for y in rb)
    else:
        s = fuzz.ratio(a.skeleton, b.skeleton)
    s = max(0.0, s - typo_discount) if s < 100 else s
    return TokenMatch(a.original, b.original, round(s, 1), "fuzzy" if s else "none")


def _align(
    a: tuple[Token, ...], b: tuple[Token, ...], typo_discount: float = TYPO_DISCOUNT
) -> list[TokenMatch]:
    """Greedy best one-to-one pairing of tokens (names have few tokens)."""
    pairs = sorted(
        (
            (token_similarity(x, y, typo_discount=typo_discount), i, j)
            for i, x in enumerate(a)
            for j, y in enumerate(b)
        ),
        key=lambda p: -p[0].score,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    out: list[TokenMatch] = []
    for m, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append(m)
    return out


def name_similarity(
    a: str | NormalizedName, b: str | NormalizedName, *, typo_discount: float = TYPO_DISCOUNT
) -> Score:
    """Score 0..100 with reasons; the same whichever name comes first and in any token order.
    A compound given name written as one word meets it written in two (Alireza / Ali Reza):
    where the names have a different number of parts, the longer one is also scored with
    its compound joined, and the better score counts."""
    na = normalize_name(a) if isinstance(a, str) else a
    nb = normalize_name(b) if isinstance(b, str) else b
    best = _similarity(na, nb, typo_discount)
    if len(na.main) != len(nb.main):
        longer, shorter = (na, nb) if len(na.main) > len(nb.main) else (nb, na)
        for i in longer.compounds:
            if (form := _compound_form(longer, i)) is None:
                continue
            s = _similarity(shorter, form, typo_discount)
            if s.score > best.score:
                parts = f"{longer.main[i].original} {longer.main[i + 1].original}"
                best = Score(s.score, (*s.reasons, f"compound:{parts}"), s.matches)
    return best


def _similarity(na: NormalizedName, nb: NormalizedName, typo_discount: float) -> Score:
    if na.is_empty or nb.is_empty:
        return Score(0.0, ("empty_name",))
    if len(na.main) > len(nb.main) or (
        len(na.main) == len(nb.main) and na.key > nb.key
    ):  # a canonical order makes the score symmetric
        na, nb = nb, na
    matches = _align(na.main, nb.main, typo_discount)
    weights = [max(len(m.a), len(m.b), 3) for m in matches]
    score = sum(m.score * w for m, w in zip(matches, weights, strict=True)) / sum(weights)
    reasons = [f"{m.a}~{m.b}:{m.how}:{m.score:g}" for m in matches]
    # A weak token is not hidden by a strong one: Ali Huseynov is not Ali Hasanov.
    weak = sum(88.0 - m.score for m in matches if m.score < 88.0)
    if weak:
        score -= weak
    extra = len(nb.main) - len(na.main)
    if extra:
        score -= min(3.0 * extra, 6.0)
        reasons.append(f"unmatched_tokens:{extra}")
    if len(na.main) == 1 and len(nb.main) > 1:
        score -= 10.0
        reasons.append("single_token")
    if na.patronymic and nb.patronymic:
        pm = _align(na.patronymic[:1], nb.patronymic[:1])
        if pm and pm[0].score < 80:
            score -= 5.0
            reasons.append(f"patronymic_differs:{pm[0].a}~{pm[0].b}")
        elif pm:
            reasons.append(f"patronymic_agrees:{pm[0].a}~{pm[0].b}")
    order_a = [t.skeleton for t in na.main]
    order_b = [t.skeleton for t in nb.main]
    if len(order_a) == len(order_b) and order_a != order_b and sorted(order_a) == sorted(order_b):
        reasons.append("order_swapped")
    flags = sorted(na.flags | nb.flags)
    reasons.extend(f"flag:{f}" for f in flags)
    return Score(round(max(score, 0.0), 1), tuple(reasons), tuple(matches))
