from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.border.imports import crossings_import


class Command(BaseCommand):
    help = (
        "Backfill history: umis import crossings FILE.csv (header row with the API's field "
        "names). Shows progress; run it again after an interruption and it resumes."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        crossings = sub.add_parser("crossings", help="border crossings from a CSV file")
        crossings.add_argument("file")
        crossings.add_argument("--batch", type=int, default=5000)
        crossings.add_argument("--errors", default="", help="write refused rows to this CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        summary = crossings_import(
            path=path,
            batch=max(1, min(options["batch"], 10_000)),
            errors_path=Path(options["errors"]) if options["errors"] else None,
            progress=self.stderr,
        )
        self.stdout.write(
            f"{summary.rows_done} rows: {summary.stored} stored, {summary.refused} refused"
            + (" (resumed)" if summary.resumed else "")
        )
