"""Issuing, annulling and verifying sealed documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import load_pem_x509_certificate
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from umis.audit.services import AuditEntry, audit_record, audit_record_many
from umis.core import clock
from umis.core.bulk import bulk_insert, bulk_update_fields
from umis.core.prepared import Prepared
from umis.documents import vds
from umis.documents.models import IssuedDocument, SignerKey

# Message-zone tags of the UMIS document profile (ICAO Doc 9303 Part 13 leaves the
# feature definitions to the issuing state; visas use the ICAO visa profile instead).
TAG_NUMBER = 0x01
TAG_KIND = 0x02
TAG_HOLDER = 0x03
TAG_BIRTH_DATE = 0x04
TAG_TRAVEL_DOCUMENT = 0x05
TAG_VALID_FROM = 0x06
TAG_VALID_UNTIL = 0x07

# Header values identifying our profile: feature definition reference, document type category.
PROFILES: dict[str, tuple[int, int]] = {IssuedDocument.Kind.STAY_REGISTRATION: (0xA1, 0xA1)}
KIND_CODES: dict[str, str] = {IssuedDocument.Kind.STAY_REGISTRATION: "SR"}


def signer_key_rotate(*, actor: Any = None) -> SignerKey:
    """Create a new signing key and certificate; the old one stays published for verification."""
    with transaction.atomic():
        private_key, cert = vds.signer_key_generate(
            country=settings.UMIS_SEAL_COUNTRY[:2]
            if len(settings.UMIS_SEAL_COUNTRY) == 2
            else _alpha2(settings.UMIS_SEAL_COUNTRY),
            signer_identifier=settings.UMIS_SEAL_SIGNER,
            common_name=f"UMIS document signer {settings.UMIS_SEAL_SIGNER}",
        )
        SignerKey.objects.select_for_update().filter(active=True).update(
            active=False, retired_at=timezone.now()
        )
        key = SignerKey.objects.create(
            signer_identifier=settings.UMIS_SEAL_SIGNER,
            certificate_reference=vds.certificate_reference(cert),
            certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            private_key_pem=private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        )
        audit_record(
            actor=actor,
            action="SIGNER_KEY_ROTATED",
            entity=key,
            data={"certificate_reference": key.certificate_reference},
        )
    return key


def _alpha2(alpha3: str) -> str:
    from umis.reference.selectors import country_get_by_code

    country = country_get_by_code(alpha3)
    return country.code if country else alpha3[:2]


_ACTIVE_KEY = Prepared(lambda p: SignerKey.objects.filter(active=True).order_by("pk")[:1])


def signer_key_active() -> SignerKey:
    key = _ACTIVE_KEY.first()
    return key if key is not None else signer_key_rotate()


def _header(key: SignerKey, feature_ref: int, category: int) -> vds.SealHeader:
    """Today's seal header for documents signed with `key`."""
    today = clock.today()
    return vds.SealHeader(
        issuing_country=settings.UMIS_SEAL_COUNTRY,
        signer_identifier=key.signer_identifier,
        certificate_reference=key.certificate_reference,
        issue_date=today,
        signature_date=today,
        feature_definition_reference=feature_ref,
        document_type_category=category,
    )


@dataclass(frozen=True)
class DocumentRequest:
    case_id: int
    person_id: int
    number: str
    holder_name: str  # MRZ form, A-Z and spaces
    birth_date: dt.date
    travel_document: str
    valid_from: dt.date
    valid_until: dt.date
    data: dict[str, Any]


def documents_issue(
    *, actor: Any, kind: str, requests: Sequence[DocumentRequest]
) -> list[IssuedDocument]:
    """Seal and store documents (inside the caller's transaction)."""
    key = signer_key_active()
    private_key = _private_key(key.private_key_pem)
    feature_ref, category = PROFILES[kind]
    now = clock.now()
    header = _header(key, feature_ref, category)
    docs: list[IssuedDocument] = []
    for r in requests:
        seal = vds.seal_encode(
            header=header,
            features=[
                (TAG_NUMBER, vds.feature_text(r.number)),
                (TAG_KIND, vds.feature_text(KIND_CODES[kind])),
                (TAG_HOLDER, vds.feature_text(r.holder_name[:60])),
                (TAG_BIRTH_DATE, vds.feature_date(r.birth_date)),
                (TAG_TRAVEL_DOCUMENT, vds.feature_text(r.travel_document)),
                (TAG_VALID_FROM, vds.feature_date(r.valid_from)),
                (TAG_VALID_UNTIL, vds.feature_date(r.valid_until)),
            ],
            private_key=private_key,
        )
        docs.append(
            IssuedDocument(
                number=r.number,
                kind=kind,
                case_id=r.case_id,
                person_id=r.person_id,
                signer_key=key,
                seal=seal,
                holder_name=r.holder_name[:100],
                issued_at=now,
                valid_from=r.valid_from,
                valid_until=r.valid_until,
                data=r.data,
            )
        )
    bulk_insert(docs)
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                "DOCUMENT_ISSUED", d, person_id=d.person_id, data={"number": d.number, "kind": kind}
            )
            for d in docs
        ],
    )
    return docs


@lru_cache(maxsize=8)
def _private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def document_issue_visa(
    *,
    actor: Any,
    request: DocumentRequest,
    mrz: tuple[str, str],
    entries: int,
    duration_days: int,
    visa_type: int,
) -> IssuedDocument:
    """Seal and store a visa with the ICAO visa profile (inside the caller's transaction)."""
    key = signer_key_active()
    private_key = _private_key(key.private_key_pem)
    header = _header(key, vds.VISA_FEATURE_REFERENCE, vds.VISA_DOCUMENT_CATEGORY)
    seal = vds.seal_encode(
        header=header,
        features=vds.visa_features(
            mrz=mrz,
            entries=entries,
            duration_days=duration_days,
            passport_number=request.travel_document,
            visa_type=visa_type,
        ),
        private_key=private_key,
    )
    document = IssuedDocument.objects.create(
        number=request.number,
        kind=IssuedDocument.Kind.EVISA,
        case_id=request.case_id,
        person_id=request.person_id,
        signer_key=key,
        seal=seal,
        holder_name=request.holder_name[:100],
        issued_at=clock.now(),
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        data=request.data,
    )
    audit_record(
        actor=actor,
        action="DOCUMENT_ISSUED",
        entity=document,
        person_id=document.person_id,
        data={"number": document.number, "kind": document.kind},
    )
    return document


def document_annul(*, actor: Any, document: IssuedDocument, reason: str) -> None:
    """Annul a document (inside the caller's transaction): verification says so from now on."""
    IssuedDocument.objects.filter(pk=document.pk).update(
        status=IssuedDocument.Status.ANNULLED, annulled_at=clock.now()
    )
    document.status = IssuedDocument.Status.ANNULLED
    audit_record(
        actor=actor,
        action="DOCUMENT_ANNULLED",
        entity=document,
        person_id=document.person_id,
        data={"number": document.number, "reason": reason},
    )


def documents_valid_until_shorten(
    *, actor: Any, items: Sequence[tuple[IssuedDocument, dt.date]], reason: str
) -> None:
    """The rights documents record ended early (a guest left, or moved): verification gives
    each its new last day, and says "expired" after it (inside the caller's transaction).
    One UPDATE and one audit statement, whatever their number (the guests who moved, of
    one intake); a document valid no later than its new day already is left as it is."""
    changed: list[tuple[IssuedDocument, dt.date]] = []
    for document, until in items:
        if document.valid_until > until:
            changed.append((document, document.valid_until))
            document.valid_until = until
    if not changed:
        return
    bulk_update_fields([d for d, _ in changed], ["valid_until"])
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                "DOCUMENT_VALIDITY_SHORTENED",
                document,
                person_id=document.person_id,
                data={
                    "number": document.number,
                    "from": previous.isoformat(),
                    "to": document.valid_until.isoformat(),
                    "reason": reason,
                },
            )
            for document, previous in changed
        ],
    )


def document_verify_code(document: IssuedDocument) -> str:
    return vds.seal_to_text(bytes(document.seal))


def document_verify_url(document: IssuedDocument) -> str:
    """The address the certificate's QR code holds: it names no language (the reader's own
    is used)."""
    return f"{settings.UMIS_PUBLIC_URL}/verify/{document_verify_code(document)}"


def document_verify_link(document: IssuedDocument) -> str:
    """The verify page in the current language (/ru/verify/…), for a link on a page, which
    keeps the page's language."""
    return reverse("portal:verify", kwargs={"code": document_verify_code(document)})


@dataclass(frozen=True)
class Verification:
    status: str  # genuine | annulled | expired | unknown
    kind: str = ""
    number: str = ""
    holder_name: str = ""
    travel_document: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    signer: str = ""
    annulled_on: dt.date | None = None  # the day (local) an annulled document stopped being valid
    # a visa's, as sealed (ICAO visa profile): number of entries (0: any number) and the
    # duration of stay it allows, in days (None when not counted in days alone)
    entries: int | None = None
    stay_days: int | None = None

    @property
    def kind_label(self) -> str:
        kinds = dict(IssuedDocument.Kind.choices)
        return str(kinds.get(self.kind, self.kind))

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "kind": self.kind or None,
            "number": self.number or None,
            "holder_name": self.holder_name or None,
            "travel_document": self.travel_document or None,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "signer_certificate": self.signer or None,
            "annulled_on": self.annulled_on.isoformat() if self.annulled_on else None,
            "entries": self.entries,
            "stay_days": self.stay_days,
        }


def document_verify(*, code: str) -> Verification:
    """Check a seal from a barcode or link: signature first, then the register's status."""
    unknown = Verification(status="unknown")
    try:
        seal = vds.seal_decode(vds.seal_from_text(code))
    except vds.SealError:
        return unknown
    key = SignerKey.objects.filter(certificate_reference=seal.header.certificate_reference).first()
    if key is None:
        return unknown
    public_key = load_pem_x509_certificate(key.certificate_pem.encode()).public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not vds.seal_verify(
        seal, public_key
    ):
        return unknown
    visa: vds.VisaSealData | None = None
    try:
        if seal.header.feature_definition_reference == vds.VISA_FEATURE_REFERENCE:
            visa = vds.visa_seal_read(seal)
            number = visa.visa_number
        else:
            number_raw = seal.feature(TAG_NUMBER)
            number = vds.feature_text_decode(number_raw) if number_raw else ""
    except vds.SealError:
        return unknown
    document = IssuedDocument.objects.filter(number=number).first()
    if document is None or bytes(document.seal) != vds.seal_from_text(code):
        return unknown
    if document.status == IssuedDocument.Status.ANNULLED:
        status = "annulled"
    elif document.valid_until < clock.today():
        status = "expired"
    else:
        status = "genuine"
    travel = seal.feature(TAG_TRAVEL_DOCUMENT)
    if visa is not None:
        travel = vds.feature_text(visa.passport_number)
    return Verification(
        status=status,
        kind=document.kind,
        number=document.number,
        # as sealed; one typed in a form before names kept their spaces reads `MEHMET<ALI`
        holder_name=document.holder_name.replace("<", " "),
        travel_document=vds.feature_text_decode(travel) if travel else "",
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        signer=key.certificate_reference,
        annulled_on=timezone.localdate(document.annulled_at) if document.annulled_at else None,
        entries=visa.entries if visa is not None else None,
        stay_days=(
            visa.duration_days
            if visa is not None and not (visa.duration_months or visa.duration_years)
            else None
        ),
    )
