"""A portal form sent once: a one-time token rendered in the form, kept with what its first
sending stored, in the same transaction. The same form sent again (a double click, two
sendings at once, back and send again, a reload after the answer) stores nothing new and
gets the first sending's answer."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError

from umis.core.models import IdempotencyRecord
from umis.core.races import atomic_retried

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def form_token_new() -> str:
    """A new one-time token for a form about to be shown."""
    return secrets.token_urlsafe(24)


def form_token_valid(token: str) -> bool:
    return bool(TOKEN_RE.fullmatch(token))


def submitted_once(
    *, space: str, token: str, work: Callable[[], dict[str, Any] | None]
) -> tuple[dict[str, Any] | None, bool]:
    """`work()` (in a transaction, run again on a race, see `atomic_retried`) and the answer
    it returns, kept under `token` in `space` (None, a form refused with nothing stored:
    the token is not used up); or, when the token was used already, the answer kept then
    and True, with nothing run."""

    def previous() -> dict[str, Any] | None:
        record = IdempotencyRecord.objects.filter(client_key=space, key=token).first()
        return None if record is None else dict(record.response)

    def attempt() -> tuple[dict[str, Any] | None, bool]:
        done = previous()
        if done is not None:
            return done, True
        answer = work()
        if answer is None:
            return None, False
        IdempotencyRecord.objects.create(
            client_key=space, key=token, request_hash="", status_code=302, response=answer
        )
        return answer, False

    try:
        return atomic_retried(attempt)
    except IntegrityError:  # the same token, sent at once, won in another transaction
        done = previous()
        if done is None:
            raise
        return done, True


def form_token_for_session(session: SessionBase, *, key: str, posted: str) -> str:
    """The one-time token of a form shown to a browser without an account: the one it was
    sent with, if this browser (its session, under `key`) was given it (the form shown again
    with its errors), else a new one remembered for this browser."""
    tokens = list(session.get(key, []))
    if posted in tokens:
        return posted
    token = form_token_new()
    session[key] = [*tokens[-19:], token]
    return token


def form_token_given(session: SessionBase, *, key: str, token: str) -> bool:
    """Whether this browser (its session, under `key`) was given the form with `token`: a
    token seen elsewhere opens nothing its first sending stored."""
    return form_token_valid(token) and token in session.get(key, [])
