"""Visible digital seals: C40, the header, signatures, tampering, rotation, QR round trip."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umis.documents import vds

KEY_A, CERT_A = vds.signer_key_generate(
    country="AZ", signer_identifier="AZSM", common_name="signer A"
)
KEY_B, CERT_B = vds.signer_key_generate(
    country="AZ", signer_identifier="AZSM", common_name="signer B"
)


def header(cert: object = CERT_A) -> vds.SealHeader:
    return vds.SealHeader(
        issuing_country="AZE",
        signer_identifier="AZSM",
        certificate_reference=vds.certificate_reference(cert),  # type: ignore[arg-type]
        issue_date=dt.date(2026, 11, 22),
        signature_date=dt.date(2026, 11, 22),
        feature_definition_reference=0xA1,
        document_type_category=0xA1,
    )


def seal(key: object = KEY_A, cert: object = CERT_A) -> bytes:
    return vds.seal_encode(
        header=header(cert),
        features=[
            (0x01, vds.feature_text("SR-2026-000123")),
            (0x04, vds.feature_date(dt.date(1985, 3, 14))),
            (0x05, b"x" * 200),
        ],
        private_key=key,  # type: ignore[arg-type]
    )


# "UTO" -> D9 C5 is the example of ICAO Doc 9303 Part 13; the others follow from
# value = 1600*c1 + 40*c2 + c3 + 1 (A=14 ... Z=39) and the padding rules.
@pytest.mark.parametrize(
    ("text", "encoded"), [("UTO", "d9c5"), ("AZE", "5dab"), ("AB", "59d9"), ("ABCD", "59e9fe45")]
)
def test_c40_vectors(text: str, encoded: str) -> None:
    assert vds.c40_encode(text).hex() == encoded
    assert vds.c40_decode(bytes.fromhex(encoded)) == text


@given(st.text(alphabet=" 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=40))
def test_c40_round_trips(text: str) -> None:
    decoded = vds.c40_decode(vds.c40_encode(text))
    assert decoded.rstrip() == text.rstrip()


def test_a_seal_round_trips_and_verifies() -> None:
    decoded = vds.seal_decode(seal())
    assert decoded.header == header()
    assert vds.feature_text_decode(decoded.feature(0x01) or b"") == "SR-2026-000123"
    assert vds.feature_date_decode(decoded.feature(0x04) or b"") == dt.date(1985, 3, 14)
    assert len(decoded.feature(0x05) or b"") == 200  # long BER length
    assert vds.seal_verify(decoded, CERT_A.public_key())  # type: ignore[arg-type]


def test_every_flipped_byte_breaks_the_seal() -> None:
    data = seal()
    signed_length = len(vds.seal_decode(data).signed_data)
    for i in range(signed_length):
        tampered = bytearray(data)
        tampered[i] ^= 0x01
        try:
            assert not vds.seal_verify(vds.seal_decode(bytes(tampered)), CERT_A.public_key()), i  # type: ignore[arg-type]
        except vds.SealError:
            pass


def test_another_key_does_not_verify_and_rotation_keeps_old_seals_valid() -> None:
    old = vds.seal_decode(seal(KEY_A, CERT_A))
    new = vds.seal_decode(seal(KEY_B, CERT_B))
    certificates = {vds.certificate_reference(c): c for c in (CERT_A, CERT_B)}
    assert not vds.seal_verify(old, CERT_B.public_key())  # type: ignore[arg-type]
    for s in (old, new):
        assert vds.seal_verify(s, certificates[s.header.certificate_reference].public_key())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "seal_truncated"),
        (b"\x00\x03", "seal_magic"),
        (b"\xdc\x02" + b"\x00" * 20, "seal_version"),
        (b"\xdc\x03\x6c\x4a", "seal_truncated"),
    ],
)
def test_broken_seals_raise_seal_errors(data: bytes, code: str) -> None:
    with pytest.raises(vds.SealError) as raised:
        vds.seal_decode(data)
    assert raised.value.code == code


def test_a_truncated_seal_is_refused() -> None:
    with pytest.raises(vds.SealError):
        vds.seal_decode(seal()[:-10])


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_raise_seal_errors(data: bytes) -> None:
    for candidate in (data, b"\xdc\x03" + data):
        try:
            vds.seal_decode(candidate)
        except vds.SealError:
            pass


def test_the_qr_code_carries_the_text_back() -> None:
    text = "http://127.0.0.1:8000/verify/" + vds.seal_to_text(seal())
    assert vds.qr_decode_image(vds.qr_png(text)) == [text]
    code = text.rsplit("/", 1)[1]
    assert vds.seal_from_text(code.lower()) == vds.seal_from_text(code)
    with pytest.raises(vds.SealError):
        vds.seal_from_text("not base32 !")


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=2000))
def test_the_text_of_a_seal_is_its_base32_without_padding(data: bytes) -> None:
    # the link printed on every certificate since the first: the same text for any seal
    assert vds.seal_to_text(data) == base64.b32encode(data).decode().rstrip("=")
    if data:
        assert vds.seal_from_text(vds.seal_to_text(data)) == data


def test_the_text_of_seals_of_every_length_up_to_a_kilobyte() -> None:
    for length in range(1025):
        data = bytes((7 * i + length) % 256 for i in range(length))
        assert vds.seal_to_text(data) == base64.b32encode(data).decode().rstrip("=")
        assert vds.seal_to_text(b"\xff" * length) == base64.b32encode(
            b"\xff" * length
        ).decode().rstrip("=")
