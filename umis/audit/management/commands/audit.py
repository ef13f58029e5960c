from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.audit.services import audit_seal_pending, audit_verify


class Command(BaseCommand):
    help = (
        "umis audit verify [--expect-seal ID:HASH]: check every audit row, the seal chain and "
        "the seals' signatures; umis audit seal: seal pending rows."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify", "seal"])
        parser.add_argument(
            "--expect-seal",
            metavar="ID:HASH",
            help="a seal logged when it was made (the newest the log store holds): verify "
            "fails if it is missing or differs, as when the end of the log was cut off",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"Sealed {audit_seal_pending()} rows.")
            return
        report = audit_verify(expect_seal=_expected(options["expect_seal"]))
        for problem in report.problems or []:
            self.stdout.write(problem)
        summary = f"{report.rows} rows, {report.seals} seals, {report.unsealed} not sealed yet"
        if report.unsigned:
            summary += f", {report.unsigned} seals made before seals were signed"
        if not report.ok:
            raise CommandError(
                f"Audit log FAILED verification: {len(report.problems or [])} problem(s); {summary}"
            )
        self.stdout.write(f"Audit log OK: {summary}.")


def _expected(value: str | None) -> tuple[int, str] | None:
    """`ID:HASH` as the sealing job logs it."""
    if value is None:
        return None
    seal_id, _, seal_hash = value.partition(":")
    # ASCII digits only: "²".isdigit() holds, and int() reads "١٢" as 12.
    if not (seal_id.isascii() and seal_id.isdigit()) or len(seal_hash) != 64:
        raise CommandError(f"--expect-seal {value!r}: give ID:HASH as the sealing job logs it")
    return int(seal_id), seal_hash.lower()
