from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from umis.screening.models import Watchlist
from umis.screening.services import watchlist_import_by_code

CODE_MAX_LENGTH: int = Watchlist._meta.get_field("code").max_length or 50


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV file (header row; aliases separated by ';') or a JSON file (a list,
    or an object with "entries")."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CommandError('JSON: expected a list of objects or {"entries": [...]}')
        return rows
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [dict(r) for r in csv.DictReader(f)]


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
        except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
            raise CommandError(f"{path}: cannot read: {exc}") from exc
        except RecursionError as exc:
            raise CommandError(f"{path}: cannot read: JSON nested too deeply") from exc
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
