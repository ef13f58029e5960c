from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.audit.services import audit_seal_pending, audit_verify


class Command(BaseCommand):
    help = "umis audit verify: check every audit row and the seal chain; umis audit seal: seal pending rows."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"Sealed {audit_seal_pending()} rows.")
            return
        report = audit_verify()
        for problem in report.problems or []:
            self.stdout.write(problem)
        summary = f"{report.rows} rows, {report.seals} seals, {report.unsealed} not sealed yet"
        if not report.ok:
            raise CommandError(
                f"Audit log FAILED verification: {len(report.problems or [])} problem(s); {summary}"
            )
        self.stdout.write(f"Audit log OK: {summary}.")
