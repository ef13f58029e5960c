"""`umis visa verify-seal FILE`: decode and verify an e-visa's digital seal offline.

FILE holds the barcode payload as scanned: the verification link, the base32 code, or the
raw seal bytes. The signature is checked with a published signer certificate (from
`--cert PEM`, or those in the database); the register is not consulted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import load_pem_x509_certificate
from django.core.management.base import BaseCommand, CommandError

from umis.documents import vds
from umis.documents.models import SignerKey
from umis.people import mrz


def seal_bytes_from_payload(data: bytes) -> bytes:
    if data[:1] == bytes([vds.MAGIC]):
        return data
    text = data.decode("ascii", errors="replace").strip()
    if "/verify/" in text:
        text = text.rsplit("/verify/", 1)[1]
    try:
        return vds.seal_from_text(text)
    except vds.SealError as exc:
        raise CommandError(f"{exc.code}: {exc.message}") from exc


class Command(BaseCommand):
    help = "Visas: verify-seal FILE decodes and verifies an e-visa seal offline."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-seal", help="decode and verify a visa seal")
        verify.add_argument("file", type=Path)
        verify.add_argument("--cert", type=Path, help="signer certificate (PEM)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        raw = seal_bytes_from_payload(path.read_bytes()[:10000])
        try:
            seal = vds.seal_decode(raw)
            visa = vds.visa_seal_read(seal)
        except vds.SealError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        if options.get("cert"):
            pems = [options["cert"].read_text()]
        else:
            pems = list(
                SignerKey.objects.filter(
                    certificate_reference=seal.header.certificate_reference
                ).values_list("certificate_pem", flat=True)
            )
        public_keys = [load_pem_x509_certificate(p.encode()).public_key() for p in pems]
        valid = any(
            isinstance(k, ec.EllipticCurvePublicKey) and vds.seal_verify(seal, k)
            for k in public_keys
        )
        parsed = mrz.parse_mrz(list(visa.mrz))
        self.stdout.write(f"issuing country:    {seal.header.issuing_country}")
        self.stdout.write(f"signer certificate: {seal.header.certificate_reference}")
        self.stdout.write(f"issued:             {seal.header.issue_date.isoformat()}")
        self.stdout.write(f"visa number:        {visa.visa_number}")
        self.stdout.write(f"passport number:    {visa.passport_number}")
        self.stdout.write(f"entries:            {visa.entries or 'multiple'}")
        self.stdout.write(f"duration of stay:   {visa.duration_days} days")
        self.stdout.write(f"visa type:          {visa.visa_type}")
        self.stdout.write(f"MRZ:                {visa.mrz[0]}")
        self.stdout.write(f"                    {visa.mrz[1]}")
        self.stdout.write(f"MRZ check digits:   {'valid' if parsed.valid else 'INVALID'}")
        if not valid or not parsed.valid:
            raise CommandError("the seal's signature is NOT valid" if not valid else "bad MRZ")
        self.stdout.write("signature:          VALID")
