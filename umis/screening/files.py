"""Files of watchlist entries (CSV or JSON), read the same way for `umis watchlist import`
and for the head office's upload: UTF-8 or refused naming the line, the columns checked
before any row. A refusal is a `DomainError` whose message is translated."""

from __future__ import annotations

import codecs
import csv
import io
import json
from typing import Any

from django.utils.translation import gettext_lazy as _

from umis.core.errors import DomainError, name_as_sent
from umis.core.text import invisible_character, unstorable_path
from umis.screening.validation import ENTRY_FIELDS, MAX_SOURCE, REQUIRED_ENTRY_FIELDS

FILE_SUFFIXES = (".csv", ".json")


class FileRefused(DomainError):
    """The file cannot be imported as a whole (nothing is written)."""


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _text_of(data: bytes) -> str:
    """The file as text: UTF-8 (with or without a byte order mark), or a refusal that says
    where it is not and what to do."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(
            "utf16",
            _(
                'The file is in UTF-16 (Excel\'s "Unicode text"); save it as UTF-8 '
                "(in Excel: CSV UTF-8) and import it again."
            ),
            "file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileRefused(
            "not_utf8",
            _(
                "The file is not UTF-8 (line %(line)d); save it as UTF-8 "
                "(in Excel: CSV UTF-8) and import it again."
            )
            % {"line": line},
            "file",
        ) from exc
    nul = text.find("\x00")
    if nul >= 0:
        raise _not_text(_("line %(n)d") % {"n": text.count("\n", 0, nul) + 1})
    return text


def _not_text(where: Any) -> FileRefused:
    """A character the database cannot store (a NUL, or a lone surrogate a JSON escape
    can make) at `where`: the file is refused as a whole, before anything is kept."""
    return FileRefused(
        "not_text",
        _(
            "The file contains a control character that is not text (%(where)s); "
            "remove it and import the file again."
        )
        % {"where": where},
        "file",
    )


def watchlist_file_rows(*, name: str, data: bytes) -> list[dict[str, Any]]:
    """Rows of a CSV file (header row; aliases separated by ';') or a JSON file (a list,
    or an object with "entries"), whose columns are the ones an entry is read from."""
    suffix = _suffix(name)
    if suffix not in FILE_SUFFIXES:
        raise FileRefused("file_type", _("Choose a CSV or JSON file."), "file")
    text = _text_of(data)
    rows = _json_rows(text) if suffix == ".json" else _csv_rows(text)
    _columns_check(rows)
    return rows


def _json_rows(text: str) -> list[dict[str, Any]]:
    if not text.strip():  # no entries, as a CSV file of its header alone
        return []
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_refused(exc) from exc
    except RecursionError as exc:
        raise FileRefused(
            "unreadable", _("The file cannot be read: JSON nested too deeply."), "file"
        ) from exc
    rows = parsed.get("entries") if isinstance(parsed, dict) else parsed
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise FileRefused(
            "json_shape",
            _('JSON: expected a list of objects or {"entries": [...]}.'),
            "file",
        )
    for index, row in enumerate(rows):
        if unstorable_path(row) is not None:
            raise _not_text(_("entry %(n)d") % {"n": index + 1})
    return rows


# what the json module found wrong, by the start of its message (it gives no codes), said
# in our words
_JSON_MISTAKES: tuple[tuple[str, Any], ...] = (
    (
        "Expecting value",
        _("a value was expected (a text in double quotation marks, a number, a list or an object)"),
    ),
    ("Unterminated string", _("a text is not closed with a double quotation mark")),
    ("Extra data", _("more follows the end of the list of entries")),
    ("Expecting ',' delimiter", _("a comma is missing between two values")),
    ("Expecting ':' delimiter", _("a colon is missing after a field's name")),
    (
        "Expecting property name",
        _(
            "a field's name in double quotation marks was expected "
            "(a comma after the last value, or single quotation marks)"
        ),
    ),
    ("Illegal trailing comma", _("a comma after the last value")),
    ("Invalid control character", _("a text holds a line break or a tab; write it as \\n or \\t")),
    ("Invalid \\", _("a backslash begins an escape JSON does not know; write a backslash as \\\\")),
)


def _json_refused(exc: json.JSONDecodeError) -> FileRefused:
    """A file that is not JSON, refused saying what is wrong and where (line and column)."""
    if exc.pos >= len(exc.doc.rstrip()):
        what: Any = _("the file ends before its JSON does (is it cut short?)")
    else:
        what = next(
            (said for start, said in _JSON_MISTAKES if exc.msg.startswith(start)),
            _("this is not JSON"),
        )
    return FileRefused(
        "json_syntax",
        _(
            "The file is not valid JSON at line %(line)d, column %(column)d: %(what)s. "
            "Correct it and import the file again."
        )
        % {"line": exc.lineno, "column": exc.colno, "what": what},
        "file",
    )


def _csv_rows(text: str) -> list[dict[str, Any]]:
    """The rows of a CSV file, read strictly: a quotation mark left open would otherwise
    take the rest of the file into one value without a word."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, Any]] = []
    start = 1  # the line the record being read begins on
    try:
        reader.fieldnames  # noqa: B018 - reads the header row
        start = reader.line_num + 1
        for row in reader:
            rows.append(dict(row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _csv_refused(str(exc), line=start) from exc
    return rows


def _csv_refused(message: str, *, line: int) -> FileRefused:
    """A CSV file the csv module cannot read, refused saying what is wrong and on which line
    (its message is English and names no line): `line` is where the record begins."""
    if message.startswith("field larger than field limit"):
        what: Any = _(
            "a value is longer than %(n)d characters, more than any column holds (often a "
            "quotation mark that is not closed)"
        ) % {"n": csv.field_size_limit()}
    elif message.startswith("unexpected end of data"):
        what = _(
            "a value begins with a quotation mark that is never closed, so the rest of the "
            "file would be read as that value"
        )
    elif "expected after" in message:
        what = _(
            "a value in quotation marks is followed by more text before the next comma "
            '(a quotation mark inside a value is written twice: "")'
        )
    else:
        what = _("check its quotation marks and commas")
    return FileRefused(
        "csv_syntax",
        _(
            "The CSV file cannot be read at line %(line)d: %(what)s. Correct it and import the "
            "file again."
        )
        % {"line": line, "what": what},
        "file",
    )


def _columns_check(rows: list[dict[str, Any]]) -> None:
    """Refuse a file whose columns (a CSV file's header, a JSON file's keys) are not the
    ones an entry is read from: a misspelt column would lose its values without a word,
    and a file of another kind would give an error on every row."""
    if not rows:
        return
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(str(k) for k in row))
    # a column is named as sent only when its name is fit to show, else by its place
    unknown = [
        name_as_sent(c) or _("column %(n)d") % {"n": i + 1}
        for i, c in enumerate(columns)
        if c not in ENTRY_FIELDS
    ]
    missing = [c for c in REQUIRED_ENTRY_FIELDS if c not in columns]
    problems = []
    if unknown:
        problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
    if missing:
        problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    if problems:
        raise FileRefused(
            "columns",
            _(
                "%(problems)s; nothing imported. The columns are: %(columns)s "
                "(%(required)s required)."
            )
            % {
                "problems": "; ".join(str(p) for p in problems),
                "columns": ", ".join(ENTRY_FIELDS),
                "required": ", ".join(REQUIRED_ENTRY_FIELDS),
            },
            "file",
        )


def shortened(text: str, *, limit: int) -> str:
    """The text whole when it has at most `limit` characters, else its beginning and its end
    around an ellipsis, `limit` characters in all: a file name too long to keep shows that it
    was shortened, and keeps its suffix."""
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 2
    return f"{text[: limit - 1 - tail]}…{text[len(text) - tail :]}"


def import_source(*, name: str) -> str:
    """The source of the entries of the file `name` that name none: `import:` and the file's
    name, shortened visibly to an entry's source's length, without the characters drawn as
    nothing an entry's source is refused with (a file name is not typed by the importer)."""
    text = " ".join(name.split())
    while (hidden := invisible_character(text)) is not None:
        text = text.replace(hidden, "")
    return shortened(f"import:{text}", limit=MAX_SOURCE)


def row_label(*, name: str, index: int) -> Any:
    """Where row `index` (from 0) is in the file: a CSV file's line (the header is line 1),
    a JSON file's entry (from 1)."""
    if _suffix(name) == ".json":
        return _("entry %(n)d") % {"n": index + 1}
    return _("line %(n)d") % {"n": index + 2}
