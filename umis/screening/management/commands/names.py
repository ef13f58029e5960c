from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from umis.screening.selectors import name_compare_result
from umis.screening.validation import name_errors


class Command(BaseCommand):
    help = (
        'Compare two names: umis names compare "A" "B" prints the score, the decision at the '
        "configured threshold, the reasons and the flags raised on either name, in the "
        "configured language (LANGUAGE_CODE) unless --language says otherwise."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        compare = sub.add_parser("compare", help="compare two names")
        compare.add_argument("a")
        compare.add_argument("b")
        compare.add_argument("--json", action="store_true", help="print JSON")
        compare.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages and reasons (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._compare(options)

    def _compare(self, options: dict[str, Any]) -> None:
        a, b = options["a"], options["b"]
        errors = [*name_errors(a, field="a"), *name_errors(b, field="b")]
        if errors:
            if options["json"]:
                body = {"error": [e.to_dict() for e in errors]}
                raise CommandError(json.dumps(body, ensure_ascii=False))
            raise CommandError("\n".join(f"{e.field}: {e.code}: {e.message}" for e in errors))
        result = name_compare_result(a, b)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        decision = "MATCH" if result["match"] else "NO MATCH"
        self.stdout.write(f"score     {result['score']:g}")
        self.stdout.write(f"decision  {decision} (threshold {result['threshold']:g})")
        self.stdout.write("reasons   " + "; ".join(result["reasons"]))
        for side in ("a", "b"):
            flags = ", ".join(result["flags"][side]) or "-"
            self.stdout.write(f"flags {side}   {flags}")
        self.stdout.write(f"keys      {result['keys']['a']} / {result['keys']['b']}")
