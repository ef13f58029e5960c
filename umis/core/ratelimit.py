"""Rate limits: how many requests a caller may make in a minute (`UMIS_RATE_LIMITS`).

Counters live in the database (`core.RateCounter`), so every server process and every
machine behind the load balancer counts against the same limit; one upsert per counted
request. A caller over the limit gets 429 with `Retry-After` until the minute ends; the
first refusal of each minute is in the audit log, so an officer sees who hammered what.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from umis.audit.middleware import client_ip
from umis.core import clock
from umis.core.errors import DomainError

log = logging.getLogger("umis.ratelimit")

_COUNT = (
    "INSERT INTO core_ratecounter (bucket, minute, hits) VALUES (%s, %s, 1)"
    " ON CONFLICT (bucket, minute) DO UPDATE SET hits = core_ratecounter.hits + 1"
    " RETURNING hits"
)
KEEP_MINUTES = 10
# the seconds a refused caller is told to wait (`Retry-After`): until the minute ends
RETRY_AFTER_MIN, RETRY_AFTER_MAX = 1, 60


class RateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            ngettext(
                "Too many requests. Wait %(n)d second and try again.",
                "Too many requests. Wait %(n)d seconds and try again.",
                retry_after,
            )
            % {"n": retry_after},
        )
        self.retry_after = retry_after


def rate_limit_count(limit: str, caller: str) -> None:
    """Count one request of `caller` against `limit`; raise `RateLimited` when over it."""
    allowed = settings.UMIS_RATE_LIMITS.get(limit, 0)
    if not allowed:
        return
    now = clock.now().timestamp()
    minute = int(now // 60)
    digest = hashlib.sha256(caller.encode("utf-8", "replace")).hexdigest()[:40]
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [f"{limit}:{digest}", minute])
        hits = cursor.fetchone()[0]
    if hits <= allowed:
        return
    retry_after = max(RETRY_AFTER_MIN, RETRY_AFTER_MAX - int(now % 60))
    if hits == allowed + 1:
        _first_refusal(limit, digest, allowed)
    raise RateLimited(retry_after)


def _first_refusal(limit: str, digest: str, allowed: int) -> None:
    from umis.audit.services import audit_record

    log.warning("rate limit %s reached by %s (%d a minute)", limit, digest[:12], allowed)
    audit_record(
        actor=None,
        action="RATE_LIMITED",
        entity_type="core.ratelimit",
        entity_id=limit,
        data={"caller": digest[:12], "per_minute": allowed},
    )


def rate_counters_prune() -> int:
    """Forget the counters of minutes long past (a periodic job)."""
    from umis.core.models import RateCounter

    minute = int(clock.now().timestamp() // 60)
    deleted, _rows = RateCounter.objects.filter(minute__lt=minute - KEEP_MINUTES).delete()
    return deleted


def rate_limited(limit: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[..., Any]:
    """A page view whose `methods` count against `limit` per address; over it, a 429 page
    in the visitor's language."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    rate_limit_count(limit, client_ip(request) or "")
                except RateLimited as exc:
                    response = render(
                        request,
                        "errors/error.html",
                        {"status": 429, "message": exc.message},
                        status=429,
                    )
                    response["Retry-After"] = str(exc.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
