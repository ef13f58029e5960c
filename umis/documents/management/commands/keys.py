from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from umis.documents.models import SignerKey
from umis.documents.services import signer_key_rotate


class Command(BaseCommand):
    help = "umis keys rotate: start sealing with a new signer key (old certificates stay published); umis keys list"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["rotate", "list"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rotate":
            key = signer_key_rotate()
            self.stdout.write(f"New signer certificate {key.certificate_reference} is active.")
        for k in SignerKey.objects.order_by("created_at"):
            self.stdout.write(
                f"{k.certificate_reference}  {'active' if k.active else 'retired'}  {k.created_at:%Y-%m-%d}"
            )
