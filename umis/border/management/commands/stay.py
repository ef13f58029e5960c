from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.border.calculator import stay_calculate
from umis.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Stay calculator: umis stay calc --stays FILE.json --on DATE --regime 90/180 prints "
        "the same JSON as POST /api/v1/stay/calculate. FILE.json: "
        '[{"entry": "2026-01-05", "exit": "2026-02-01"}, ...]'
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        calc = sub.add_parser("calc", help="days used, days left, last legal day")
        calc.add_argument("--stays", required=True, help="JSON file: a list of {entry, exit}")
        calc.add_argument("--on", required=True, help="control date, YYYY-MM-DD")
        calc.add_argument("--regime", default="90/180", help="90/180 or 30")
        calc.add_argument(
            "--nationality", default="", help="ISO alpha-2/alpha-3 or ICAO code (registration rule)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            stays = json.loads(Path(options["stays"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(
                json.dumps(
                    {"error": {"code": "invalid_file", "message": str(exc), "field": "stays"}}
                )
            ) from exc
        if isinstance(stays, dict):
            stays = stays.get("stays", [])
        try:
            result = stay_calculate(
                stays=stays,
                on=options["on"],
                regime=options["regime"],
                nationality=options["nationality"],
            )
        except DomainError as exc:
            raise CommandError(json.dumps({"error": exc.to_dict()}, ensure_ascii=False)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
