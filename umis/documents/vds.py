"""Visible digital seals (ICAO Doc 9303 Part 13): encode, decode, sign, verify; QR images.

Layout (header version 4, byte 0x03):
  0xDC | 0x03 | issuing country (C40, 2 bytes) | signer id + certificate reference (C40:
  4-char signer, 2 hex digits giving the reference's length, the reference) | issue date
  (3 bytes) | signature date (3 bytes) | feature definition reference (1) | document type
  category (1) || message: TLVs (tag 1 byte, BER length, value) || 0xFF, BER length, r||s.
Dates are the number MMDDYYYY in 3 bytes, big-endian. The signature (ECDSA P-256,
SHA-256) covers header and message.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import segno
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509.oid import NameOID

MAGIC = 0xDC
VERSION_4 = 0x03
SIGNATURE_TAG = 0xFF
C40_VALUES = {
    " ": 3,
    **{str(d): 4 + d for d in range(10)},
    **{chr(65 + i): 14 + i for i in range(26)},
}
C40_CHARS = {v: k for k, v in C40_VALUES.items()}


class SealError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def c40_encode(text: str) -> bytes:
    text = text.upper().replace("<", " ")
    out = bytearray()
    for i in range(0, len(text), 3):
        chunk = text[i : i + 3]
        if any(c not in C40_VALUES for c in chunk):
            raise SealError("seal_format", f"C40 cannot encode {chunk!r}")
        if len(chunk) == 1:
            out += bytes([0xFE, ord(chunk) + 1])
            continue
        c1, c2 = C40_VALUES[chunk[0]], C40_VALUES[chunk[1]]
        c3 = C40_VALUES[chunk[2]] if len(chunk) == 3 else 0
        value = 1600 * c1 + 40 * c2 + c3 + 1
        out += value.to_bytes(2, "big")
    return bytes(out)


def c40_decode(data: bytes) -> str:
    if len(data) % 2:
        raise SealError("seal_format", "C40 data has an odd length")
    out = []
    for i in range(0, len(data), 2):
        b1, b2 = data[i], data[i + 1]
        if b1 == 0xFE:
            out.append(chr(b2 - 1))
            continue
        value = (b1 << 8 | b2) - 1
        for c in (value // 1600, (value // 40) % 40, value % 40):
            if c == 0:
                continue
            if c not in C40_CHARS:
                raise SealError("seal_format", "C40 data holds a value outside the basic set")
            out.append(C40_CHARS[c])
    return "".join(out)


def _date_bytes(d: dt.date) -> bytes:
    return int(d.strftime("%m%d%Y")).to_bytes(3, "big")


def _date_from(data: bytes) -> dt.date:
    text = f"{int.from_bytes(data, 'big'):08d}"
    try:
        return dt.date(int(text[4:]), int(text[:2]), int(text[2:4]))
    except ValueError as exc:
        raise SealError("seal_format", "invalid date in the seal") from exc


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    if n <= 0xFF:
        return bytes([0x81, n])
    return bytes([0x82]) + n.to_bytes(2, "big")


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise SealError("seal_truncated", "the seal ends inside a length")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count not in (1, 2) or pos + 1 + count > len(data):
        raise SealError("seal_format", "bad length field")
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


@dataclass(frozen=True)
class SealHeader:
    issuing_country: str
    signer_identifier: str
    certificate_reference: str
    issue_date: dt.date
    signature_date: dt.date
    feature_definition_reference: int
    document_type_category: int

    def encode(self) -> bytes:
        reference = self.certificate_reference.upper()
        if (
            len(self.signer_identifier) != 4
            or len(reference) > 0xFF
            or len(self.issuing_country) != 3
        ):
            raise SealError("seal_format", "bad header fields")
        signer = c40_encode(f"{self.signer_identifier}{len(reference):02X}{reference}")
        return (
            bytes([MAGIC, VERSION_4])
            + c40_encode(self.issuing_country)
            + signer
            + _date_bytes(self.issue_date)
            + _date_bytes(self.signature_date)
            + bytes([self.feature_definition_reference, self.document_type_category])
        )


@dataclass(frozen=True)
class Seal:
    header: SealHeader
    features: tuple[tuple[int, bytes], ...]
    signature: bytes
    signed_data: bytes

    def feature(self, tag: int) -> bytes | None:
        return next((value for t, value in self.features if t == tag), None)


def _message(features: Sequence[tuple[int, bytes]]) -> bytes:
    out = bytearray()
    for tag, value in features:
        if not 0 <= tag < SIGNATURE_TAG:
            raise SealError("seal_format", "feature tags are 0x00–0xFE")
        out += bytes([tag]) + _length(len(value)) + value
    return bytes(out)


def seal_encode(
    *,
    header: SealHeader,
    features: Sequence[tuple[int, bytes]],
    private_key: ec.EllipticCurvePrivateKey,
) -> bytes:
    signed = header.encode() + _message(features)
    r, s = decode_dss_signature(private_key.sign(signed, ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signed + bytes([SIGNATURE_TAG]) + _length(len(raw)) + raw


def seal_decode(data: bytes) -> Seal:
    if len(data) < 2:
        raise SealError("seal_truncated", "the seal is too short")
    if data[0] != MAGIC:
        raise SealError("seal_magic", "not a visible digital seal")
    if data[1] != VERSION_4:
        raise SealError("seal_version", "unsupported seal version")
    if len(data) < 10:
        raise SealError("seal_truncated", "the seal header is truncated")
    country = c40_decode(data[2:4])
    first = c40_decode(data[4:8])
    if len(first) != 6:
        raise SealError("seal_format", "bad signer identifier")
    try:
        ref_length = int(first[4:6], 16)
    except ValueError as exc:
        raise SealError("seal_format", "bad certificate reference length") from exc
    total_chars = 6 + ref_length
    signer_bytes = 2 * ((total_chars + 2) // 3)
    pos = 4 + signer_bytes
    if len(data) < pos + 8:
        raise SealError("seal_truncated", "the seal header is truncated")
    signer_text = c40_decode(data[4:pos])
    header = SealHeader(
        issuing_country=country,
        signer_identifier=signer_text[:4],
        certificate_reference=signer_text[6 : 6 + ref_length],
        issue_date=_date_from(data[pos : pos + 3]),
        signature_date=_date_from(data[pos + 3 : pos + 6]),
        feature_definition_reference=data[pos + 6],
        document_type_category=data[pos + 7],
    )
    pos += 8
    features: list[tuple[int, bytes]] = []
    while pos < len(data):
        tag = data[pos]
        length, start = _read_length(data, pos + 1)
        end = start + length
        if end > len(data):
            raise SealError("seal_truncated", "a feature runs past the end of the seal")
        if tag == SIGNATURE_TAG:
            if end != len(data) or length != 64:
                raise SealError("seal_format", "the signature must be 64 bytes at the end")
            return Seal(header, tuple(features), data[start:end], data[:pos])
        features.append((tag, data[start:end]))
        pos = end
    raise SealError("seal_truncated", "the seal has no signature")


def seal_verify(seal: Seal, public_key: ec.EllipticCurvePublicKey) -> bool:
    if len(seal.signature) != 64:
        return False
    der = encode_dss_signature(
        int.from_bytes(seal.signature[:32], "big"), int.from_bytes(seal.signature[32:], "big")
    )
    try:
        public_key.verify(der, seal.signed_data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


_BASE32 = bytes.maketrans(bytes(range(32)), b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@lru_cache(maxsize=64)
def _spread_masks(slots: int) -> tuple[tuple[int, int, int], ...]:
    """For `slots` (a power of two) 5-bit digits packed in an integer: the steps that give
    each digit a byte of its own. A step moves the upper half of every block of 2 × `half`
    digits up by 3 × `half` bits; it keeps the digits under `low`, moves those under `high`."""
    steps = []
    half = slots // 2
    while half:
        width = 16 * half  # the bits a block of 2 × `half` digits takes once spread
        blocks = slots // (2 * half)
        every_block = ((1 << (width * blocks)) - 1) // ((1 << width) - 1)
        low = ((1 << (5 * half)) - 1) * every_block
        steps.append((half, low, low << (5 * half)))
        half //= 2
    return tuple(steps)


def seal_to_text(data: bytes) -> str:
    """The seal in base32 without padding (RFC 4648), as `base64.b32encode` writes it: the
    bits zero-padded to whole 5-bit digits, each digit spread to a byte of its own by a few
    whole-integer steps and then read through the alphabet, rather than digit by digit in
    Python (the verification link of every certificate of a batch is written so)."""
    bits = 8 * len(data)
    digits = -(-bits // 5)
    slots = 1 << max(digits - 1, 0).bit_length()
    n = int.from_bytes(data, "big") << (5 * digits - bits)
    for half, low, high in _spread_masks(slots):
        n = (n & low) | ((n & high) << (3 * half))
    return n.to_bytes(slots, "big")[slots - digits :].translate(_BASE32).decode()


def seal_from_text(text: str) -> bytes:
    cleaned = text.strip().upper()
    if not cleaned or len(cleaned) > 4000:
        raise SealError("seal_format", "empty or oversized code")
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (ValueError, TypeError) as exc:
        raise SealError("seal_format", "the code is not base32") from exc


def feature_text(value: str) -> bytes:
    """Text features of the UMIS profile are UTF-8 (the ICAO visa profile uses C40 instead)."""
    return value.encode("utf-8")


def feature_text_decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SealError("seal_format", "a text feature is not UTF-8") from exc


def feature_date(d: dt.date) -> bytes:
    return _date_bytes(d)


def feature_date_decode(value: bytes) -> dt.date:
    if len(value) != 3:
        raise SealError("seal_format", "a date feature has 3 bytes")
    return _date_from(value)


def signer_key_generate(
    *, country: str, signer_identifier: str, common_name: str, valid_days: int = 3650
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A P-256 document-signer key and a self-signed certificate. In production the
    country's signing CA (CSCA) signs the certificate instead."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country[:2]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "State Migration Service"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, signer_identifier),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(
            secrets.randbits(39) | (1 << 39)
        )  # 10 hex digits: short enough for the seal header
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def certificate_reference(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


def qr_png(text: str, *, scale: int = 4) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_decode_image(png_bytes: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png_bytes)).convert("L")
    return [str(r.text) for r in zxingcpp.read_barcodes(image)]


# ICAO Doc 9303 Part 13 visa profile: header values and message-zone tags.
VISA_FEATURE_REFERENCE = 0x5D
VISA_DOCUMENT_CATEGORY = 0x01
VISA_TAG_MRZ_MRV_A = 0x01
VISA_TAG_MRZ_MRV_B = 0x02
VISA_TAG_ENTRIES = 0x03
VISA_TAG_DURATION = 0x04
VISA_TAG_PASSPORT_NUMBER = 0x05
VISA_TAG_VISA_TYPE = 0x06


@dataclass(frozen=True)
class VisaSealData:
    """The visa profile's content: the MRZ (fillers as '<'), number of entries (0 means
    unlimited), duration of stay (days, months, years), passport number, visa type."""

    mrz: tuple[str, str]
    entries: int
    duration_days: int
    duration_months: int
    duration_years: int
    passport_number: str
    visa_type: int

    @property
    def visa_number(self) -> str:
        return self.mrz[1][0:9].replace("<", "")


def visa_features(
    *,
    mrz: tuple[str, str],
    entries: int,
    duration_days: int,
    passport_number: str,
    visa_type: int,
    duration_months: int = 0,
    duration_years: int = 0,
) -> list[tuple[int, bytes]]:
    """Message-zone features of the visa profile, C40 and binary as the profile defines."""
    width = len(mrz[0])
    if len(mrz) != 2 or width not in (36, 44) or len(mrz[1]) != width:
        raise SealError("seal_format", "a visa MRZ has two lines of 36 (MRV-B) or 44 (MRV-A)")
    if not (0 <= entries <= 255 and 0 <= duration_days <= 255 and len(passport_number) <= 9):
        raise SealError("seal_format", "visa fields out of range")
    tag = VISA_TAG_MRZ_MRV_B if width == 36 else VISA_TAG_MRZ_MRV_A
    return [
        (tag, c40_encode(mrz[0] + mrz[1])),
        (VISA_TAG_ENTRIES, bytes([entries])),
        (VISA_TAG_DURATION, bytes([duration_days, duration_months, duration_years])),
        (VISA_TAG_PASSPORT_NUMBER, c40_encode(passport_number.ljust(9, "<"))),
        (VISA_TAG_VISA_TYPE, visa_type.to_bytes(4, "big")),
    ]


def visa_seal_read(seal: Seal) -> VisaSealData:
    """The visa profile's fields from a decoded seal (signature checked separately)."""
    if seal.header.feature_definition_reference != VISA_FEATURE_REFERENCE:
        raise SealError("seal_profile", "not a visa seal")
    raw_b = seal.feature(VISA_TAG_MRZ_MRV_B)
    raw = raw_b if raw_b is not None else seal.feature(VISA_TAG_MRZ_MRV_A)
    width = 36 if raw_b is not None else 44
    entries = seal.feature(VISA_TAG_ENTRIES)
    duration = seal.feature(VISA_TAG_DURATION)
    passport = seal.feature(VISA_TAG_PASSPORT_NUMBER)
    if raw is None or entries is None or duration is None or passport is None:
        raise SealError("seal_format", "a mandatory visa feature is missing")
    if len(entries) != 1 or len(duration) != 3:
        raise SealError("seal_format", "bad visa feature length")
    text = c40_decode(raw).replace(" ", "<")
    if len(text) != 2 * width:
        raise SealError("seal_format", "bad visa MRZ length")
    visa_type_raw = seal.feature(VISA_TAG_VISA_TYPE)
    return VisaSealData(
        mrz=(text[:width], text[width:]),
        entries=entries[0],
        duration_days=duration[0],
        duration_months=duration[1],
        duration_years=duration[2],
        passport_number=c40_decode(passport).replace(" ", "").replace("<", ""),
        visa_type=int.from_bytes(visa_type_raw, "big") if visa_type_raw else 0,
    )
