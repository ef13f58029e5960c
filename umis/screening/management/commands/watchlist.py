from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from umis.screening.models import Watchlist
from umis.screening.services import watchlist_import_by_code
from umis.screening.validation import ENTRY_FIELDS, REQUIRED_ENTRY_FIELDS

CODE_MAX_LENGTH: int = Watchlist._meta.get_field("code").max_length or 50


def _text_of(path: Path) -> str:
    """The file as text: UTF-8 (with or without a byte order mark), or a refusal that says
    where it is not and what to do."""
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CommandError(
            f'{path}: the file is in UTF-16 (Excel\'s "Unicode text"); save it as UTF-8 '
            "(in Excel: CSV UTF-8) and import it again"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise CommandError(
            f"{path}: the file is not UTF-8 (line {line}); save it as UTF-8 "
            "(in Excel: CSV UTF-8) and import it again"
        ) from exc


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV file (header row; aliases separated by ';') or a JSON file (a list,
    or an object with "entries")."""
    text = _text_of(path)
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        rows = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CommandError('JSON: expected a list of objects or {"entries": [...]}')
        return rows
    return [dict(r) for r in csv.DictReader(io.StringIO(text, newline=""))]


def columns_check(path: Path, rows: list[dict[str, Any]]) -> None:
    """Refuse a file whose columns (a CSV file's header, a JSON file's keys) are not the
    ones an entry is read from: a misspelt column would lose its values without a word,
    and a file of another kind would give an error on every row."""
    if not rows:
        return
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(str(k) for k in row))
    unknown = [c for c in columns if c not in ENTRY_FIELDS]
    missing = [c for c in REQUIRED_ENTRY_FIELDS if c not in columns]
    problems = []
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if problems:
        raise CommandError(
            f"{path}: {'; '.join(problems)}; nothing imported. "
            f"The columns are: {', '.join(ENTRY_FIELDS)} "
            f"({' and '.join(REQUIRED_ENTRY_FIELDS)} required)"
        )


class Command(BaseCommand):
    help = "Watchlists: umis watchlist import FILE --list NAME (CSV or JSON)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import entries from CSV or JSON")
        imp.add_argument("file", type=Path)
        imp.add_argument("--list", dest="list_code", required=True, help="watchlist code")
        imp.add_argument("--name", default="", help="name of a new watchlist")
        imp.add_argument("--source", default="", help="source for rows without one")
        imp.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and report the others (default: refuse the file)",
        )
        imp.add_argument("--batch", type=int, default=2000)
        imp.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        code: str = options["list_code"]
        if not code.strip() or len(code) > CODE_MAX_LENGTH:
            raise CommandError(
                f"--list {code!r}: give the watchlist's code (1 to {CODE_MAX_LENGTH} characters)"
            )
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            rows = read_rows(path)
        except (json.JSONDecodeError, csv.Error) as exc:
            raise CommandError(f"{path}: cannot read: {exc}") from exc
        except RecursionError as exc:
            raise CommandError(f"{path}: cannot read: JSON nested too deeply") from exc
        columns_check(path, rows)
        bar = tqdm(
            total=len(rows),
            unit="entries",
            disable=options["quiet"],
            file=self.stderr._out,
            desc=code,
        )
        result = watchlist_import_by_code(
            actor=None,
            code=code,
            name=options["name"],
            raws=rows,
            default_source=options["source"] or f"import:{path.name}",
            skip_invalid=options["skip_invalid"],
            batch_size=max(1, options["batch"]),
            progress=bar.update,
            one_transaction=False,
        )
        bar.close()
        line_offset = 1 if path.suffix.lower() == ".json" else 2  # CSV: header is line 1
        for i, errs in result.errors[:100]:
            for e in errs:
                where = "entry" if line_offset == 1 else "line"
                self.stderr.write(f"{where} {i + line_offset}: {e.field}: {e.code}: {e.message}")
        if result.errors and not options["skip_invalid"]:
            raise CommandError(
                f"{len(result.errors)} invalid rows; nothing imported "
                "(fix them, or use --skip-invalid)"
            )
        self.stdout.write(
            f"{code}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(result.errors)} skipped"
        )
