"""Hypothesis strategies for hostile input: the values, bodies and headers that the fuzz
tests of the API and the forms send. Not a test module itself."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from hypothesis import strategies as st

from umis.people.models import Person

# characters a name or a free-text field must never smuggle in
NASTY_CHARS = [
    "\x00",  # NUL: PostgreSQL refuses it in text
    "\x07",
    "\x1b",
    "\x7f",
    "\u0085",
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",
    "\ufeff",
    "\u202a",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2069",
    "\ud800",  # a lone surrogate: valid in JSON, not encodable as UTF-8
    "\udfff",
    "\U0001f600",
    "\u0301",  # a combining accent alone
    "İ",
    "ı",
    "ə",
    "ә",
]

EDGE_STRINGS = [
    "",
    " ",
    "\t\n",
    "0",
    "-1",
    "1e309",
    "NaN",
    "null",
    "true",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "1900-01-01",
    "2999-12-31",
    "2026-02-28T25:61:00+99:00",
    "2026-01-01T00:00:00",
    "-2026-01-01",
    "1985",
    "P1D",
    "Hаsanov",  # Cyrillic а inside a Latin name
    "Неsenov",  # Cyrillic Н and е
    "محمد\u200cعلی",
    "Hüseynov\u202eRəşad",
    "a\x00b",
    "<script>alert(1)</script>",
    "'; DROP TABLE people_person; --",
    "%s%s%s%n",
    "../../../etc/passwd",
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    "gyd",
    "entry",
    "baku",
    "TR",
    "TUR",
    "XXX",
    "D<<",
    "passport",
    "link",
    "separate",
    "90/180",
]

DATE_EDGES = [
    "0001-01-01",
    "9999-12-31",
    "1900-02-29",
    "2024-02-29",
    "2026-02-29",
    "2026-02-30",
    "1969-12-31",
    "2100-12-31",
    "2101-01-01",
    "1989-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "2026-03-29T03:30:00+04:00",
    "2026-01-01T00:00:00",
    "20260101",
    "2026-W01-1",
    "٢٠٢٦-٠١-٠١",
    "2026-01-01\n",
    "0000-00-00",
    "10000-01-01",
    "+10000-01-01",
    "-0001-12-31",
]

BIG_INTS = [0, -1, 1, 2**31, 2**63, -(2**63) - 1, 10**20, -(10**20), 10**400]


def text_with_nasties() -> st.SearchStrategy[str]:
    """Short text that mixes ordinary letters with control, bidi, zero-width, surrogate and
    homoglyph characters."""
    alphabet = st.one_of(
        st.sampled_from(list("AaZzÜüİıəЖжأ <-'.,0123456789")),
        st.sampled_from(NASTY_CHARS),
        st.characters(codec=None),
    )
    return st.text(alphabet, min_size=0, max_size=40)


def _nested(depth: int, leaf: Any, as_object: bool) -> Any:
    for _ in range(depth):
        leaf = {"a": leaf} if as_object else [leaf]
    return leaf


# a value nested deeper than any field expects (a JSON parser's own limit is met by
# RAW_BODIES): 400 lists or objects, with a NUL or a number at the bottom
DEEP_VALUES = [
    _nested(400, "a\x00b", as_object=False),
    _nested(400, 1, as_object=True),
    _nested(50, [], as_object=False),
]


def huge_strings() -> st.SearchStrategy[str]:
    return st.sampled_from(
        ["A" * 5_000, "Ə" * 20_000, "1" * 100_000, "\u200b" * 10_000, "<" * 50_000]
    )


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(BIG_INTS),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(EDGE_STRINGS),
        text_with_nasties(),
    )


def garbage() -> st.SearchStrategy[Any]:
    """Any JSON-ish value: a scalar, a huge string, or objects and lists of them."""
    return st.one_of(
        scalars(),
        scalars(),
        huge_strings(),
        st.sampled_from(DEEP_VALUES),
        st.recursive(
            scalars(),
            lambda children: st.one_of(
                st.lists(children, max_size=4),
                st.dictionaries(
                    st.sampled_from(["a", "", "\x00", "items", "0"]), children, max_size=3
                ),
            ),
            max_leaves=6,
        ),
    )


def node_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position in a JSON value, the whole value first."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from node_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from node_paths(child, (*prefix, index))


_DELETE = object()


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if not rest and new is _DELETE:
            out.pop(head, None)
        else:
            out[head] = replaced(value[head], rest, new)
        return out
    out_list = list(value)
    if not rest and new is _DELETE:
        del out_list[head]
    else:
        out_list[head] = replaced(value[head], rest, new)
    return out_list


_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def like(value: Any) -> st.SearchStrategy[Any]:
    """Garbage of the same kind as `value` (a date for a date, a number for a number), to get
    past type checks and into the rules; or any garbage."""
    if isinstance(value, str) and _DATE_LIKE.match(value):
        return st.one_of(st.sampled_from(DATE_EDGES), garbage())
    if isinstance(value, bool):
        return garbage()
    if isinstance(value, int):
        return st.one_of(st.sampled_from(BIG_INTS), st.integers(-1000, 1000), garbage())
    if isinstance(value, str):
        return st.one_of(text_with_nasties(), st.sampled_from(EDGE_STRINGS), garbage())
    return garbage()


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """The valid body with one to three of its parts replaced by garbage, removed, or with
    unknown fields added."""
    body = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(node_paths(body))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "extra"]))
        if action == "delete" and path:
            body = replaced(body, path, _DELETE)
        elif action == "extra":
            containers = [p for p in paths if isinstance(_at(body, p), dict)]
            if containers:
                where = draw(st.sampled_from(containers))
                extra = dict(_at(body, where))
                extra[draw(st.sampled_from(["zzz", "__proto__", "id", "pk", "\x00"]))] = draw(
                    garbage()
                )
                body = replaced(body, where, extra)
        else:
            body = replaced(body, path, draw(like(_at(body, path))))
    return body


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def dumps(value: Any) -> bytes:
    """JSON as a careless client writes it: NaN and Infinity allowed, lone surrogates kept
    as escapes."""
    return json.dumps(value, allow_nan=True).encode()


RAW_BODIES = [
    b"",
    b" ",
    b"null",
    b"true",
    b"0",
    b"-1e999",
    b'"text"',
    b"[]",
    b"{}",
    b"[{}]",
    b"{",
    b"not json at all",
    b"\xff\xfe\xfd",  # not UTF-8
    b'{"a": "\xc3\x28"}',  # invalid UTF-8 inside a JSON string
    b"\x00\x00\x00",
    b"\xef\xbb\xbf{}",  # a byte-order mark
    b'{"a": 1, "a": 2}',
    b'{"__proto__": {"x": 1}}',
    b"[" * 100_000 + b"]" * 100_000,  # deeper than any parser's recursion limit
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"<xml/>",
    b"a=1&b=2",
    b'{"a": ' + b"9" * 5_000 + b"}",  # past Python's 4,300 digits of an int read from text
    b'{"a": 1e' + b"9" * 400 + b"}",
    b'{"a": -0.0, "b": 1E-400}',
    '{"a": "ə"}'.encode("utf-16"),  # JSON in another encoding than UTF-8
    '{"a": "ə"}'.encode("latin-1", "replace"),
]

# query parameters an address may carry besides its own (or in place of them): the paging
# and filters of other endpoints with values out of range, a parameter twice, unknown ones
QUERY_EXTRAS = [
    ("limit", "-1"),
    ("limit", str(10**30)),
    ("limit", "0"),
    ("offset", "-1"),
    ("offset", "9" * 5_000),
    ("page", str(10**30)),
    ("per_page", "-1"),
    ("min_score", "nan"),
    ("regime", "x"),
    ("regime", "0/0"),
    ("on", "0000-00-00"),
    ("on", "10000-01-01"),
    ("on", "9999-12-31"),
    ("status", "a\x00b"),
    ("purpose", "Ə" * 12_000),
    ("zzz", "\u202e"),
    ("\x00", "1"),
    ("", ""),
]


def raw_bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(st.sampled_from(RAW_BODIES), st.binary(max_size=64))


ACCEPT_LANGUAGES = [
    "az",
    "ru",
    "en",
    "ru-RU,ru;q=0.9,az;q=0.8",
    "",
    "*",
    "xx-YY",
    "q=;;;,,,",
    "az;q=abc",
    "a" * 10_000,
    "ru\x00",
    "\u202eaz",
    "en;q=1e309",
]

IDEMPOTENCY_KEYS = [
    None,
    "fuzz-key-1",
    "",
    " ",
    "k" * 10_000,
    "k" * 201,
    "key\x00nul",
    "key\x1bescape",
    "ключ",
    "\u202e",
]

CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/json; charset=nonsense",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
]


# --- what a refused request may leave behind --------------------------------------------

# apps whose rows a refused request must leave alone (the audit log records refusals on
# purpose; accounts keeps the API key's last use)
STORED_APPS = ("people", "cases", "stays", "visas", "border", "screening", "documents", "payments")
FORBIDDEN_IN_NAMES = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for name in STORED_APPS
        for m in apps.get_app_config(name).get_models()
        if not m._meta.proxy
    }


def _scripts(token: str) -> set[str]:
    return {
        unicodedata.name(c, "?").split(" ")[0]
        for c in token
        if c.isalpha() and unicodedata.name(c, "?").split(" ")[0] in {"LATIN", "CYRILLIC", "GREEK"}
    }


def _name_character(c: str) -> bool:
    """A letter, a combining mark, a space, or a name's punctuation (' ’ - .), or the
    joiner of an Arabic-script name."""
    return c.isalpha() or unicodedata.category(c)[0] in "MZ" or c in "'’-.\u200c"


def name_is_clean(name: str) -> bool:
    """No control, bidi or zero-width character, no digit or symbol, NFC, and no token
    mixing Latin, Cyrillic or Greek letters (a homoglyph spoof)."""
    return (
        not FORBIDDEN_IN_NAMES.search(name)
        and all(_name_character(c) for c in name)
        and unicodedata.is_normalized("NFC", name)
        and all(len(_scripts(t)) <= 1 for t in re.split(r"[\s\-'’.,]+", name))
    )


@dataclass(frozen=True)
class Snapshot:
    """The stored rows before a request, to check what it left behind."""

    counts: dict[str, int]
    last_person: int

    @classmethod
    def take(cls) -> Snapshot:
        last = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
        return cls(row_counts(), last or 0)

    def assert_nothing_stored(self, what: str) -> None:
        after = row_counts()
        changed = {k: (v, after[k]) for k, v in self.counts.items() if v != after[k]}
        assert changed == {}, f"stored {changed}: {what}"

    def assert_new_names_clean(self, what: str) -> None:
        for person in Person.objects.filter(pk__gt=self.last_person):
            for name in (person.surname, person.given_names, person.patronymic):
                assert name_is_clean(name), f"stored name {name!r} from {what}"
