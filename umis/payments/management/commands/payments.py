"""`umis payments simulator` runs the gateway simulator; `umis payments reconcile FILE`
applies a daily statement (orders paid without a notification are settled)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from umis.core.errors import DomainError


class Command(BaseCommand):
    help = "Payments: run the gateway simulator, reconcile a daily statement."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("simulator", help="run the payment gateway simulator")
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--port", type=int, default=settings.UMIS_PAYMENT_SIMULATOR_PORT)
        for name in ("drop-callbacks", "duplicate-callbacks", "callback-first", "tamper-amount"):
            sim.add_argument(f"--{name}", action="store_true")
        rec = sub.add_parser("reconcile", help="apply a daily statement file")
        rec.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "simulator":
            from umis.payments.simulator import serve

            serve(
                host=options["host"],
                port=options["port"],
                secret=settings.UMIS_PAYMENT_SECRET,
                statement_dir=settings.UMIS_PAYMENT_STATEMENT_DIR,
                faults={
                    "drop_callbacks": options["drop_callbacks"],
                    "duplicate_callbacks": options["duplicate_callbacks"],
                    "callback_first": options["callback_first"],
                    "tamper_amount": options["tamper_amount"],
                },
            )
            return
        from umis.payments.services import payments_reconcile

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            report = payments_reconcile(data=path.read_bytes())
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(report.summary())
        for number in report.settled:
            self.stdout.write(f"settled {number}")
        for number in report.mismatched:
            self.stdout.write(f"MISMATCH {number}")
        for number in report.unknown:
            self.stdout.write(f"UNKNOWN {number}")
        for number in report.duplicate_transactions:
            self.stdout.write(f"DUPLICATE TRANSACTION {number}")
        for number in report.to_refund:
            self.stdout.write(f"REFUND {number}")
        for number, transaction_id in report.refunded:
            self.stdout.write(f"refunded {number} ({transaction_id})")
