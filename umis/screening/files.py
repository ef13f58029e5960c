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
    try:
        if suffix == ".json":
            parsed = json.loads(text)
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
        else:
            rows = [dict(r) for r in csv.DictReader(io.StringIO(text, newline=""))]
    except (json.JSONDecodeError, csv.Error) as exc:
        raise FileRefused(
            "unreadable", _("The file cannot be read: %(error)s") % {"error": exc}, "file"
        ) from exc
    except RecursionError as exc:
        raise FileRefused(
            "unreadable", _("The file cannot be read: JSON nested too deeply."), "file"
        ) from exc
    _columns_check(rows)
    return rows


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
