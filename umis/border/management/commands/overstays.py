from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.border.overstays import overstays_detect
from umis.core import clock


class Command(BaseCommand):
    help = (
        "Find persons in the country after their last legal day and persons not registered "
        "in time; open a proposal (fine or enforcement case) for each new finding. "
        "Idempotent: umis overstays --on 2026-11-22"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--on", default="", help="date, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = clock.date_parse(options["on"]) if options["on"] else clock.today()
        except ValueError as exc:
            raise CommandError("--on: enter a date as YYYY-MM-DD") from exc
        self.stdout.write(json.dumps(overstays_detect(on=on), indent=2))
