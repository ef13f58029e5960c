from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.people import mrz


class Command(BaseCommand):
    help = 'Read a machine-readable zone: umis mrz "LINE1" "LINE2" ["LINE3"] prints JSON with every check digit.'

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("lines", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = mrz.parse_mrz(options["lines"])
        except mrz.MrzError as exc:
            raise CommandError(
                json.dumps(
                    {"error": {"code": exc.code, "message": str(exc.message), "field": exc.field}}
                )
            ) from exc
        self.stdout.write(json.dumps(document.to_dict(), ensure_ascii=False, indent=2))
