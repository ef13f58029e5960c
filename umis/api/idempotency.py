"""Idempotency-Key: a retried submission gets the first answer back and changes nothing.

Answers are kept `UMIS_IDEMPOTENCY_DAYS` (7 by default; clients retry within minutes or
hours), then pruned by the worker: a key reused after that is a new request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from umis.core import clock
from umis.core.errors import Conflict, DomainError
from umis.core.models import IdempotencyRecord
from umis.core.races import atomic_retried

MAX_KEY = 200


def request_idempotent(
    request: HttpRequest, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """`run_idempotent` for an API request. The keys are the calling client's own (two
    programs of one account may pick the same key), and a key names one request to one
    endpoint: the same key sent with the same body to another endpoint is refused."""
    client = getattr(request, "api_client", None)
    owner = f"client:{client.pk}" if client is not None else f"user:{request.user.pk}"
    return run_idempotent(
        owner=owner,
        key=request.headers.get("Idempotency-Key"),
        body=f"{request.method} {request.path}\n".encode() + _canonical(request.body),
        work=work,
    )


def _canonical(body: bytes) -> bytes:
    """The body's content whatever its spelling (spacing, key order, escapes), so a client
    library that writes the same request otherwise on a retry gets the first answer back."""
    try:
        content = json.loads(body)
    except ValueError:  # not JSON (an operation without a body): compared as sent
        return body
    # written in ASCII, so that any text read (a lone surrogate too) can be written back
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def run_idempotent(
    *, owner: str, key: str | None, body: bytes, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Run `work` once per (owner, key); the record is written in work's transaction. Work
    that collided with a concurrent transaction storing the same new row runs again once
    (`atomic_retried`)."""
    if not key:
        return atomic_retried(work)
    if len(key) > MAX_KEY or not key.isprintable():
        raise DomainError(
            "invalid_idempotency_key",
            _("The Idempotency-Key header must be at most 200 printable characters."),
            "Idempotency-Key",
        )
    digest = hashlib.sha256(body).hexdigest()

    def attempt() -> tuple[int, dict[str, Any]]:
        previous = IdempotencyRecord.objects.filter(client_key=owner, key=key).first()
        if previous is not None:  # also when a retry of the same request has just won
            return _replay(previous, digest)
        status, payload = work()
        payload = json.loads(json.dumps(payload, default=str))
        IdempotencyRecord.objects.create(
            client_key=owner, key=key, request_hash=digest, status_code=status, response=payload
        )
        return status, payload

    try:
        return atomic_retried(attempt)
    except IntegrityError:
        previous = IdempotencyRecord.objects.filter(client_key=owner, key=key).first()
        if previous is None:
            raise
        return _replay(previous, digest)


def _replay(record: IdempotencyRecord, digest: str) -> tuple[int, dict[str, Any]]:
    if record.request_hash != digest:
        raise Conflict(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
            "Idempotency-Key",
        )
    return record.status_code, {**record.response, "replayed": True}


PRUNE_CHUNK = 5_000


def idempotency_records_prune() -> int:
    """Forget stored answers older than the retention (a periodic job; in chunks, so it
    never holds a long lock on a busy table)."""
    cutoff = clock.now() - dt.timedelta(days=settings.UMIS_IDEMPOTENCY_DAYS)
    deleted = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                :PRUNE_CHUNK
            ]
        )
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]
