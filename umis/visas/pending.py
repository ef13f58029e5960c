"""A photo that passed its checks, kept while the application form is shown again with
errors (a browser sends a chosen file once): stored under a random name in a private
directory of UMIS_VAR_DIR (never served), and named in the form by a token signed for the
browser's session only, so another session's token reaches no one's photo. A kept photo
is used once, by the application that is saved with it, and removed after
`PENDING_MAX_AGE` at the latest.

Each kept photo is encrypted at rest (AES-256-GCM) under a key derived (HKDF-SHA256) from
that session's secret, with the stored name as context: the secret is in the session
only, so a copy of the directory (with the server's key) reads no one's photo, and a file
altered on disk fails its authentication and counts as no photo kept."""

from __future__ import annotations

import secrets
import time
import unicodedata
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import signing

PENDING_MAX_AGE = 24 * 3600  # seconds a kept photo waits for its application
SESSION_KEY = "evisa_photo_key"  # the session's own secret the tokens are signed with
NAME_MAX = 80  # characters of the chosen file's name shown beside the field
FORMAT = b"UMIS-PP1"  # a kept photo's file: FORMAT, a 12-byte nonce, the sealed photo
NONCE_BYTES = 12


def _room() -> int:
    """Bytes all kept photos may take together (`UMIS_PENDING_PHOTOS_MB`): forms sent with
    errors over and over cannot fill the disk; past it a photo is chosen again."""
    return int(getattr(settings, "UMIS_PENDING_PHOTOS_MB", 500)) * 1024 * 1024


def _directory() -> Path:
    return Path(settings.VAR_DIR) / "pending-photos"


def _salt(session: Any) -> str:
    key = session.get(SESSION_KEY)
    if not key:
        key = secrets.token_urlsafe(24)
        session[SESSION_KEY] = key
    return f"umis.visas.pending:{key}"


def _cipher(session: Any, stored: str) -> AESGCM:
    """The cipher of one kept photo: its key is derived from the session's own secret with
    the stored name as context, so each photo has a key of its own."""
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"umis.visas.pending",
        info=f"pending-photo:{stored}".encode(),
    ).derive(str(session[SESSION_KEY]).encode())
    return AESGCM(key)


def _seal(session: Any, stored: str, data: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT + nonce + _cipher(session, stored).encrypt(nonce, data, FORMAT + stored.encode())


def _open(session: Any, stored: str, sealed: bytes) -> bytes | None:
    """The photo, or None when the file is not one sealed for this session under this name
    (another session's, altered, cut short)."""
    if not sealed.startswith(FORMAT) or len(sealed) < len(FORMAT) + NONCE_BYTES + 16:
        return None
    nonce = sealed[len(FORMAT) : len(FORMAT) + NONCE_BYTES]
    body = sealed[len(FORMAT) + NONCE_BYTES :]
    try:
        return _cipher(session, stored).decrypt(nonce, body, FORMAT + stored.encode())
    except InvalidTag:
        return None


def pending_file_name(name: str) -> str:
    """The chosen file's own name as shown back: its last part, without control or
    invisible characters, shortened."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    return kept.strip()[:NAME_MAX] or "photo"


def _kept_bytes(directory: Path) -> int:
    total = 0
    for path in directory.iterdir():
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total


def pending_photo_keep(*, session: Any, data: bytes, name: str) -> str | None:
    """Store a photo that passed its checks; the token that names it for this session, or
    None when the kept photos already take the room they are given (it is chosen again)."""
    directory = _directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    salt = _salt(session)  # gives the session its secret when it has none yet
    stored = secrets.token_hex(16)
    sealed = _seal(session, stored, data)
    if _kept_bytes(directory) + len(sealed) > _room():
        return None
    (directory / stored).write_bytes(sealed)
    return signing.dumps({"id": stored, "name": pending_file_name(name)}, salt=salt)


def _signed(session: Any, token: str) -> tuple[str, str] | None:
    """The stored name and the file's name a token signed for this session holds."""
    if not token or len(token) > 2000 or not session.get(SESSION_KEY):
        return None
    try:
        found = signing.loads(token, salt=_salt(session), max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(found, dict):
        return None
    stored = str(found.get("id", ""))
    if not (len(stored) == 32 and all(c in "0123456789abcdef" for c in stored)):
        return None
    return stored, str(found.get("name", ""))


def pending_photo_read(*, session: Any, token: str) -> tuple[bytes, str] | None:
    """The kept photo and its file's name, when `token` was signed for this session and the
    photo is still kept as it was stored; None otherwise (a file altered on disk is
    removed)."""
    signed = _signed(session, token)
    if signed is None:
        return None
    path = _directory() / signed[0]
    try:
        sealed = path.read_bytes()
    except OSError:
        return None
    data = _open(session, signed[0], sealed)
    if data is None:
        path.unlink(missing_ok=True)
        return None
    return data, signed[1]


def pending_photo_drop(*, session: Any, token: str) -> None:
    """Remove a kept photo once its application is saved."""
    signed = _signed(session, token)
    if signed is not None:
        (_directory() / signed[0]).unlink(missing_ok=True)


def pending_photos_expire(*, now: float | None = None) -> int:
    """Remove the kept photos older than `PENDING_MAX_AGE`; how many were removed."""
    directory = _directory()
    if not directory.is_dir():
        return 0
    limit = (time.time() if now is None else now) - PENDING_MAX_AGE
    removed = 0
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed
