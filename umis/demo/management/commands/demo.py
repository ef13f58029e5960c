from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.demo.data import demo_load, demo_logins_text, demo_renewed_text


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--registrations", type=int, default=400)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["registrations"] < 0:
            raise CommandError(
                f"--registrations {options['registrations']}: give 0 or more registrations"
            )
        result = demo_load(registrations=options["registrations"])
        self.stdout.write("Demo data loaded." if result.created else "Demo data already present.")
        if renewed := demo_renewed_text(result):
            self.stdout.write(renewed)
        self.stdout.write(demo_logins_text(result.credentials))
